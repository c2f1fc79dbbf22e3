"""Logs' migrations, in order. The order is fixed forever: a change is a new migration
appended at the end, so a data dir written by an older Overcast upgrades in place. Each
concern owns its own ``<x>_schema.py``; one line each here.

Core tables (binding names, read by filtering, Insights, exports and tail):

``log_groups``: one row per group of an account and region; ``group_id`` is chosen from the
``counters`` row ``group``. ``stored_bytes`` is kept by ingestion and retention (the UTF-8
size of the stored messages). Times are epoch milliseconds, as the Logs API speaks them.

``log_streams``: one row per stream of a group, with its first/last event timestamps and last
ingestion time (DescribeLogStreams) and its stored bytes.

``log_events``: one row per accepted event, with the UTF-8 size of its message (``size``:
retention takes it off the stored bytes without reading messages; 0 for rows written by
hand in unit tests). ``seq`` is the database-wide ingestion order
(from the ``counters`` row ``seq``, reserved a batch at a time) and the table's key, so a
batch appends at the end of the b-tree. Two indexes: ``(group_id, timestamp)`` for
reads across a group's streams in a time range (Filter, Insights, exports, retention), and
``(stream_id, timestamp)`` for one stream in time order (GetLogEvents); both end in ``seq``
(SQLite index entries carry the table key), so ties come out in ingestion order.
"""

CORE_SCHEMA = """
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('group', 0), ('stream', 0), ('seq', 0);
CREATE TABLE log_groups (
    group_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    retention_days INTEGER,
    kms_key_id TEXT,
    log_group_class TEXT NOT NULL,
    deletion_protection INTEGER NOT NULL DEFAULT 0,
    data_protection_policy TEXT,
    data_protection_updated_ms INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account, region, name)
);
CREATE TABLE log_streams (
    stream_id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    first_event_ms INTEGER,
    last_event_ms INTEGER,
    last_ingestion_ms INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
);
CREATE TABLE log_events (
    seq INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    ingestion_time INTEGER NOT NULL,
    message TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX log_events_by_group_time ON log_events (group_id, timestamp);
CREATE INDEX log_events_by_stream_time ON log_events (stream_id, timestamp);
CREATE TABLE log_group_tags (
    group_id INTEGER NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (group_id, tag_key)
);
CREATE TABLE resource_policies (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    policy_document TEXT NOT NULL,
    resource_arn TEXT NOT NULL DEFAULT '',
    revision_id TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, region, policy_name, resource_arn)
);
"""

from overcast.services.logs.delivery_schema import DELIVERY_SCHEMA  # noqa: E402 - one line per concern
from overcast.services.logs.insights_schema import INSIGHTS_SCHEMA  # noqa: E402

MIGRATIONS = (
    CORE_SCHEMA,
    DELIVERY_SCHEMA,
    INSIGHTS_SCHEMA,
)
