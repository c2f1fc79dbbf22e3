"""The ``segments`` table: one row per segment document, and per subsegment sent on its own.

The columns that filter expressions and graphs read on every row are real columns, so a
query over a time window reads no JSON; the whole document is kept in ``doc`` (JSON text).
A document sent again with the same trace id and id replaces the earlier one (an in-progress
segment completed later), as in X-Ray. A trace's documents are found through the primary key
(account, region, trace_id, ...); a window's through ``segments_by_time``; expiry goes by the
time received. No other index: each one is paid on every insert (20,000 a second over UDP).
"""

SEGMENT_SCHEMA = """
CREATE TABLE segments (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    id TEXT NOT NULL,
    parent_id TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    origin TEXT,
    start_time REAL NOT NULL,
    end_time REAL,
    in_progress INTEGER NOT NULL,
    error INTEGER NOT NULL,
    fault INTEGER NOT NULL,
    throttle INTEGER NOT NULL,
    http_status INTEGER,
    received REAL NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account, region, trace_id, id)
);
CREATE INDEX segments_by_time ON segments (account, region, start_time);
CREATE INDEX segments_by_received ON segments (received);
"""
