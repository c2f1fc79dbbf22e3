"""IAM's migrations, in order (append only: a change is a new migration at the end).

IAM is global: every row is scoped by account only. Names of users, groups, roles, instance
profiles and policies are unique per account regardless of case (IAM's rule), so each table is
keyed by ``name_key`` = the lower-cased name and keeps the name as created in ``name``. Tags are
JSON objects (insertion order kept); times are epoch seconds from the cloud's clock.
"""

ENTITY_SCHEMA = """
CREATE TABLE users (
    account TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL, user_id TEXT NOT NULL,
    path TEXT NOT NULL, created REAL NOT NULL, boundary_arn TEXT, tags TEXT NOT NULL,
    PRIMARY KEY (account, name_key)
);
CREATE TABLE groups (
    account TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL, group_id TEXT NOT NULL,
    path TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (account, name_key)
);
CREATE TABLE group_members (
    account TEXT NOT NULL, group_key TEXT NOT NULL, user_key TEXT NOT NULL, added REAL NOT NULL,
    PRIMARY KEY (account, group_key, user_key)
);
CREATE TABLE roles (
    account TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL, role_id TEXT NOT NULL,
    path TEXT NOT NULL, created REAL NOT NULL, trust_policy TEXT NOT NULL, description TEXT,
    max_session INTEGER NOT NULL, boundary_arn TEXT, tags TEXT NOT NULL,
    last_used REAL, last_used_region TEXT,
    PRIMARY KEY (account, name_key)
);
CREATE TABLE instance_profiles (
    account TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL, profile_id TEXT NOT NULL,
    path TEXT NOT NULL, created REAL NOT NULL, tags TEXT NOT NULL,
    PRIMARY KEY (account, name_key)
);
CREATE TABLE profile_roles (
    account TEXT NOT NULL, profile_key TEXT NOT NULL, role_key TEXT NOT NULL,
    PRIMARY KEY (account, profile_key, role_key)
);
CREATE TABLE policies (
    account TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL, policy_id TEXT NOT NULL,
    path TEXT NOT NULL, description TEXT, default_version TEXT NOT NULL, next_version INTEGER NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL, tags TEXT NOT NULL,
    PRIMARY KEY (account, name_key)
);
CREATE TABLE policy_versions (
    account TEXT NOT NULL, policy_arn TEXT NOT NULL, version_id TEXT NOT NULL, document TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (account, policy_arn, version_id)
);
CREATE TABLE inline_policies (
    account TEXT NOT NULL, kind TEXT NOT NULL, entity_key TEXT NOT NULL, name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account, kind, entity_key, name)
);
CREATE TABLE attachments (
    account TEXT NOT NULL, kind TEXT NOT NULL, entity_key TEXT NOT NULL, policy_arn TEXT NOT NULL,
    attached REAL NOT NULL,
    PRIMARY KEY (account, kind, entity_key, policy_arn)
);
CREATE TABLE access_keys (
    access_key TEXT NOT NULL PRIMARY KEY, account TEXT NOT NULL, user_key TEXT NOT NULL,
    secret TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL,
    last_used REAL, last_used_service TEXT, last_used_region TEXT
);
CREATE INDEX access_keys_by_user ON access_keys (account, user_key);
CREATE TABLE oidc_providers (
    account TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL, client_ids TEXT NOT NULL,
    thumbprints TEXT NOT NULL, tags TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (account, url_key)
);
CREATE TABLE slr_deletions (
    account TEXT NOT NULL, task_id TEXT NOT NULL, role_name TEXT NOT NULL, status TEXT NOT NULL,
    PRIMARY KEY (account, task_id)
);
"""

# Version 2: console passwords (login profiles) and the account alias.
LOGIN_SCHEMA = """
CREATE TABLE login_profiles (
    account TEXT NOT NULL, user_key TEXT NOT NULL, password_hash TEXT NOT NULL,
    reset_required INTEGER NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (account, user_key)
);
CREATE TABLE account_aliases (
    account TEXT NOT NULL PRIMARY KEY, alias TEXT NOT NULL
);
CREATE UNIQUE INDEX account_aliases_by_alias ON account_aliases (alias);
"""

# Version 3: the account password policy (a JSON object of its settings).
PASSWORD_POLICY_SCHEMA = """
CREATE TABLE password_policies (
    account TEXT NOT NULL PRIMARY KEY, settings TEXT NOT NULL
);
"""

# Version 4: service-specific credentials (Git credentials for CodeCommit, Keyspaces passwords,
# Bedrock and CloudWatch Logs API keys). Only a salted hash of the password or secret is kept:
# a service verifies what a client presents against it.
SERVICE_CREDENTIAL_SCHEMA = """
CREATE TABLE service_credentials (
    credential_id TEXT NOT NULL PRIMARY KEY, account TEXT NOT NULL, user_key TEXT NOT NULL,
    service TEXT NOT NULL, login TEXT NOT NULL, secret_hash TEXT NOT NULL, status TEXT NOT NULL,
    created REAL NOT NULL, expires REAL
);
CREATE INDEX service_credentials_by_user ON service_credentials (account, user_key);
CREATE INDEX service_credentials_by_login ON service_credentials (service, login);
"""

MIGRATIONS = (ENTITY_SCHEMA, LOGIN_SCHEMA, PASSWORD_POLICY_SCHEMA, SERVICE_CREDENTIAL_SCHEMA)
