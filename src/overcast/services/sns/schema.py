"""SNS's migrations, in order. The order is fixed forever: a change is a new migration
appended at the end, so a data dir written by an older Overcast upgrades in place.

``topics`` and ``subscriptions`` hold one row per resource (attributes and tags as JSON maps;
times are epoch seconds of the cloud clock). ``messages`` holds each published message once
(its JSON payload) and ``deliveries`` one row per (message, subscription) still to deliver:
Publish writes both in the commit that acknowledges it, the delivery worker deletes a row once
its delivery succeeded or was given up, and a message once no row refers to it.
``fifo_deduplication`` remembers each FIFO topic's deduplication ids for five minutes.
``sms_state`` keeps the account's SMS settings, opted-out numbers and sandbox numbers.
"""

TOPIC_SCHEMA = """
CREATE TABLE topics (
    arn TEXT NOT NULL PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    data_protection_policy TEXT
);
CREATE TABLE subscriptions (
    arn TEXT NOT NULL PRIMARY KEY,
    topic_arn TEXT NOT NULL,
    owner TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    token TEXT,
    created REAL NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX subscriptions_by_topic ON subscriptions (topic_arn);
CREATE TABLE topic_counters (
    topic_arn TEXT NOT NULL PRIMARY KEY,
    sequence INTEGER NOT NULL,
    deleted_subscriptions INTEGER NOT NULL
);
"""

DELIVERY_SCHEMA = """
CREATE TABLE messages (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL
);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_key INTEGER NOT NULL,
    subscription_arn TEXT NOT NULL,
    protocol TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due REAL NOT NULL
);
CREATE INDEX deliveries_by_due ON deliveries (due, id);
CREATE INDEX deliveries_by_message ON deliveries (message_key);
CREATE TABLE fifo_deduplication (
    scope TEXT NOT NULL PRIMARY KEY,
    message_id TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX fifo_deduplication_by_expiry ON fifo_deduplication (expires);
"""

SMS_SCHEMA = """
CREATE TABLE sms_state (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, key)
);
"""

# what went to email, email-json, sms, application and firehose endpoints (outbox.py)
OUTBOX_SCHEMA = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    topic_arn TEXT NOT NULL,
    subscription_arn TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    message_id TEXT NOT NULL,
    entry TEXT NOT NULL,
    UNIQUE (message_id, subscription_arn)
);
CREATE INDEX outbox_by_topic ON outbox (topic_arn, id);
CREATE INDEX outbox_by_endpoint ON outbox (endpoint, id);
"""

MIGRATIONS = (TOPIC_SCHEMA, DELIVERY_SCHEMA, SMS_SCHEMA, OUTBOX_SCHEMA)

# mobile push (platform_applications.py): one row per platform application and per endpoint;
# the credentials are never kept, only whether they were given (SNS never returns them)
PLATFORM_SCHEMA = """
CREATE TABLE platform_applications (
    arn TEXT NOT NULL PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    platform TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE TABLE platform_endpoints (
    arn TEXT NOT NULL PRIMARY KEY,
    application_arn TEXT NOT NULL,
    token TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX platform_endpoints_by_token ON platform_endpoints (application_arn, token);
"""

MIGRATIONS = MIGRATIONS + (PLATFORM_SCHEMA,)

# message archiving of FIFO topics (archive.py): every message a topic with an ArchivePolicy
# accepted, in publish order, kept for the policy's retention period (cloud clock)
ARCHIVE_SCHEMA = """
CREATE TABLE topic_archive (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_arn TEXT NOT NULL,
    published REAL NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX topic_archive_by_time ON topic_archive (topic_arn, published);
"""

MIGRATIONS = MIGRATIONS + (ARCHIVE_SCHEMA,)
