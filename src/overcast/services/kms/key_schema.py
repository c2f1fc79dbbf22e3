"""KMS schema, version 1: keys, their material versions, aliases, grants, import tokens.

``keys`` rows are scoped by account and region; a multi-Region replica is a row of its own in
the replica's region with the primary's key id (``mrk-...``) and copies of its sealed
material. ``key_versions`` holds each material version (1, 2, ... as rotations add them),
sealed under the master key (``sealing.py``). JSON columns (tags, grant operations and
constraints) are decoded in Python; times are cloud-clock epoch seconds.
"""

KEY_SCHEMA = """
CREATE TABLE keys (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    key_id TEXT NOT NULL,
    spec TEXT NOT NULL,
    usage TEXT NOT NULL,
    origin TEXT NOT NULL,
    manager TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT NOT NULL,
    created REAL NOT NULL,
    current_version INTEGER NOT NULL,
    policy TEXT NOT NULL,
    tags TEXT NOT NULL,
    multi_region INTEGER NOT NULL,
    primary_region TEXT,
    deletion_date REAL,
    pending_window INTEGER,
    state_before_deletion TEXT,
    valid_to REAL,
    expiration_model TEXT,
    rotation_period INTEGER,
    next_rotation REAL,
    PRIMARY KEY (account, region, key_id)
);
CREATE TABLE key_versions (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    key_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    material_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created REAL NOT NULL,
    rotation_type TEXT,
    PRIMARY KEY (account, region, key_id, version)
);
CREATE TABLE aliases (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE INDEX aliases_by_key ON aliases (account, region, key_id);
CREATE TABLE grants (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    key_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    token TEXT NOT NULL,
    name TEXT,
    grantee TEXT NOT NULL,
    retiring TEXT,
    operations TEXT NOT NULL,
    constraints TEXT,
    issuer TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (account, region, key_id, grant_id)
);
CREATE INDEX grants_by_id ON grants (grant_id);
CREATE TABLE import_tokens (
    token_id TEXT NOT NULL PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    key_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    wrapping_spec TEXT NOT NULL,
    sealed_private BLOB NOT NULL,
    expires REAL NOT NULL
);
"""
