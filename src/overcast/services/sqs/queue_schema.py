"""SQS schema, version 1 of the queue tables.

``queues`` holds one row per queue, scoped by account and region (see ``storage/scope.py``).
``queue_key`` is the queue's internal integer key: child rows (messages, move tasks) refer to
it, and it is never reused (``queue_counters``), so rows a deleted queue left behind can never
be mistaken for those of a new queue with the same name. Attributes and tags are JSON maps
decoded in Python; times are epoch seconds from the cloud's clock.
"""

QUEUE_SCHEMA = """
CREATE TABLE queues (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    queue_key INTEGER NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    purged_at REAL,
    PRIMARY KEY (account, region, name)
);
CREATE UNIQUE INDEX queues_by_key ON queues (queue_key);
CREATE TABLE queue_counters (
    name TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
