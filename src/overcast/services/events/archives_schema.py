"""Archives and replays (``archives.py``, ``replays.py``).

``archives``: one row per archive of an account and region; ``bus_arn`` is its EventSourceArn
and ``rule_id`` the managed rule (``Events-Archive-<name>``) that feeds it. ``retention_days``
0 keeps events forever.

``archived_events``: what the archive's managed rule delivered, each with the cloud time it
was ingested (what a replay's EventStartTime/EventEndTime select on and what retention ages)
and its size in bytes (SizeBytes).

``replays``: one row per replay; ``filter_arns`` is Destination.FilterArns (JSON, NULL when
absent), ``cursor`` the ``archived_events.seq`` replayed last, so a replay interrupted by a
restart resumes where it stopped.
"""

ARCHIVES_SCHEMA = """
CREATE TABLE archives (
    archive_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    bus_arn TEXT NOT NULL,
    rule_id INTEGER,
    description TEXT,
    event_pattern TEXT,
    retention_days INTEGER NOT NULL DEFAULT 0,
    kms_key_identifier TEXT,
    state TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (account, region, name)
);
CREATE TABLE archived_events (
    seq INTEGER PRIMARY KEY,
    archive_id INTEGER NOT NULL,
    ingested REAL NOT NULL,
    size INTEGER NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX archived_events_by_time ON archived_events (archive_id, ingested, seq);
CREATE TABLE replays (
    replay_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    archive_arn TEXT NOT NULL,
    description TEXT,
    destination_arn TEXT NOT NULL,
    filter_arns TEXT,
    event_start REAL NOT NULL,
    event_end REAL NOT NULL,
    state TEXT NOT NULL,
    state_reason TEXT,
    replay_start REAL NOT NULL,
    replay_end REAL,
    last_replayed REAL,
    cursor INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account, region, name)
);
"""

MIGRATIONS = (ARCHIVES_SCHEMA,)
