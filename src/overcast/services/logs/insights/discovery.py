"""GetLogGroupFields and GetLogRecord, on the reader connection.

GetLogGroupFields looks at the group's events in the time window (the most recent
``SAMPLE`` of them when there are more): the system fields are in every event; a JSON
message adds its flattened keys. Each field's percent is the share of the events looked at
that hold it, highest first.
"""

from __future__ import annotations

import sqlite3

from overcast.services.logs.insights.json_fields import message_fields

SAMPLE = 10_000
SYSTEM_FIELDS = ("@ingestionTime", "@log", "@logStream", "@message", "@timestamp")


def log_group_fields(conn: sqlite3.Connection, group_id: int, start_ms: int, end_ms: int) -> list[tuple[str, int]]:
    rows = conn.execute("SELECT message FROM log_events WHERE group_id = ? AND timestamp BETWEEN ? AND ? "
                        "ORDER BY timestamp DESC LIMIT ?", (group_id, start_ms, end_ms, SAMPLE)).fetchall()
    if not rows:
        return []
    counts: dict[str, int] = {}
    for (message,) in rows:
        for name in message_fields(message):
            counts[name] = counts.get(name, 0) + 1
    total = len(rows)
    fields = [(name, 100) for name in SYSTEM_FIELDS]
    fields += [(name, round(count * 100 / total)) for name, count in counts.items()]
    fields.sort(key=lambda item: (-item[1], item[0]))
    return fields


def log_record(conn: sqlite3.Connection, group_id: int, seq: int, label: str) -> dict | None:
    """Every field of one event (times in epoch milliseconds), or None."""
    row = conn.execute("SELECT e.timestamp, e.ingestion_time, e.message, s.name FROM log_events AS e "
                       "JOIN log_streams AS s ON s.stream_id = e.stream_id WHERE e.seq = ? AND e.group_id = ?",
                       (seq, group_id)).fetchone()
    if row is None:
        return None
    timestamp, ingestion, message, stream = row
    record = dict(message_fields(message))
    record.update({"@timestamp": str(timestamp), "@ingestionTime": str(ingestion), "@message": message,
                   "@logStream": stream, "@log": label})
    return record
