"""EC2's migrations, in order (a change is a new migration appended at the end)."""

INSTANCE_SCHEMA = """
CREATE TABLE instances (
    instance_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reservation_id TEXT NOT NULL,
    launch_index INTEGER NOT NULL,
    image_id TEXT NOT NULL,
    instance_type TEXT NOT NULL,
    state TEXT NOT NULL,
    state_due REAL,
    state_reason TEXT NOT NULL DEFAULT '',
    transition_reason TEXT NOT NULL DEFAULT '',
    launch_time REAL NOT NULL,
    key_name TEXT,
    user_data BLOB,
    zone TEXT NOT NULL,
    subnet_id TEXT NOT NULL,
    vpc_id TEXT NOT NULL,
    private_ip TEXT NOT NULL,
    mac TEXT NOT NULL,
    profile_arn TEXT,
    profile_id TEXT,
    profile_name TEXT,
    client_token TEXT NOT NULL DEFAULT '',
    http_tokens TEXT NOT NULL DEFAULT 'optional'
);
CREATE INDEX instances_scope ON instances (account, region, seq);
CREATE INDEX instances_token ON instances (client_token);
CREATE TABLE tags (
    resource_id TEXT NOT NULL,
    key TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (resource_id, key)
);
CREATE INDEX tags_scope ON tags (account, region, resource_id);
CREATE TABLE imds_choice (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

MIGRATIONS = (INSTANCE_SCHEMA,)
