"""Tables of X-Ray's configuration: groups, sampling rules and their statistics, encryption
config, tags, resource policies, telemetry records. Rules, groups and policies keep their
API shape as JSON text (read whole, never filtered in SQL)."""

CONFIG_SCHEMA = """
CREATE TABLE groups (
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE TABLE sampling_rules (
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL,
    body TEXT NOT NULL, created REAL NOT NULL, modified REAL NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE TABLE sampling_statistics (
    account TEXT NOT NULL, region TEXT NOT NULL, rule_name TEXT NOT NULL, window_start REAL NOT NULL,
    request_count INTEGER NOT NULL, sampled_count INTEGER NOT NULL, borrow_count INTEGER NOT NULL,
    PRIMARY KEY (account, region, rule_name, window_start)
);
CREATE TABLE encryption_config (
    account TEXT NOT NULL, region TEXT NOT NULL, type TEXT NOT NULL, key_id TEXT,
    PRIMARY KEY (account, region)
);
CREATE TABLE resource_tags (
    arn TEXT NOT NULL PRIMARY KEY, tags TEXT NOT NULL
);
CREATE TABLE resource_policies (
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL,
    revision_id TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE TABLE telemetry_records (
    account TEXT NOT NULL, region TEXT NOT NULL, received REAL NOT NULL, source TEXT NOT NULL,
    records TEXT NOT NULL
);
CREATE INDEX telemetry_by_received ON telemetry_records (received);
"""
