"""SQS schema, version 1 of the message tables.

``sqs_messages`` is the durable log of the message engine (``engine.py``): one row per live
message, inserted when a send is acknowledged, updated on receive / visibility change, deleted
on delete, purge, retention expiry or a move to a dead-letter queue. The engine keeps the
working set in memory and rebuilds it from this table at start.

- ``seq`` is the message's sequence number: unique in the cloud, increasing in send order
  (the FIFO ``SequenceNumber``, the order of a standard queue, the key in receipt handles).
- ``queue_key`` is the owning queue's internal key (``queues.queue_key``, never reused), so
  the rows inherit the queue's account/region scope.
- Times: ``sent_at`` / ``first_received_at`` in epoch milliseconds (as the API shows them),
  the others in epoch seconds of the cloud's clock. ``receipt`` is the nonce of the latest
  receipt handle (0: never received); ``received_at`` the time of that receive (the 12-hour
  visibility limit counts from it); ``retain_from`` where MessageRetentionPeriod counts from.
- ``attributes``: the message attributes as JSON ``{name: [DataType, string, base64]}``.

``sqs_deduplication`` remembers FIFO deduplication ids for their 5-minute interval, also
after the message itself is gone: one row per deduplicated message, keyed by its seq so
inserts append (random SHA-256 keys in a B-tree index would dirty a page each); the engine
looks ids up in memory and reads the table back at start, the latest row of an id winning.
"""

MESSAGE_SCHEMA = """
CREATE TABLE sqs_messages (
    seq INTEGER NOT NULL PRIMARY KEY,
    queue_key INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attributes TEXT,
    md5_attributes TEXT,
    trace_header TEXT,
    sender_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    retain_from REAL NOT NULL,
    group_id TEXT,
    dedup_id TEXT,
    dead_letter_source TEXT,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL,
    first_received_at INTEGER NOT NULL,
    receipt INTEGER NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE sqs_deduplication (
    seq INTEGER NOT NULL PRIMARY KEY,
    queue_key INTEGER NOT NULL,
    scope TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""
