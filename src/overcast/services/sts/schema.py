"""STS's migrations, in order (fixed forever: a change is a new migration at the end)."""

SESSIONS = """
CREATE TABLE sessions (
    access_key TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    session_token TEXT NOT NULL,
    account TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    role_arn TEXT,
    session_policies TEXT NOT NULL DEFAULT '[]',
    session_tags TEXT NOT NULL DEFAULT '[]',
    source_identity TEXT,
    user_name TEXT,
    source_arn TEXT
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"""

# Session tags marked transitive (AssumeRole TransitiveTagKeys) pass to chained sessions.
TRANSITIVE_TAGS = "ALTER TABLE sessions ADD COLUMN transitive_tag_keys TEXT NOT NULL DEFAULT '[]'"

MIGRATIONS = (SESSIONS, TRANSITIVE_TAGS)
