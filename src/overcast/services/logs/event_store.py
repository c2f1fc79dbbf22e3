"""The SQL of log events: a batch appended to a stream, a stream read in time order, the
expired events of a group deleted. The tables are ``schema.py``'s."""

from __future__ import annotations

import functools
from itertools import chain, repeat

from overcast.services.logs.groups import next_id

_COLUMNS = "seq, timestamp, ingestion_time, message"
_WIDTH = 7  # values per stored event
# A batch is inserted in multi-row statements of these sizes (the largest first, the rest in
# powers of two): one statement per many rows is about twice as fast as ``executemany``, and a
# fixed set of sizes keeps the statement texts few and prepared. 2,048 rows x 7 values stays
# under SQLite's 32,766 variables a statement (and PostgreSQL's 65,535).
_CHUNK_SIZES = (2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1)


@functools.lru_cache(maxsize=None)
def _insert_sql(rows: int) -> str:
    return ("INSERT INTO log_events (seq, group_id, stream_id, timestamp, ingestion_time, message, size) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * rows))


def _insert_rows(db, values: list) -> None:
    """Insert the flat ``values`` (seven per event) in statements of ``_CHUNK_SIZES`` rows."""
    start, total = 0, len(values) // _WIDTH
    for size in _CHUNK_SIZES:
        while total - start >= size:
            db.execute(_insert_sql(size), values[start * _WIDTH:(start + size) * _WIDTH])
            start += size


def utf8_size(message: str) -> int:
    return len(message.encode("utf-8", "surrogatepass"))


def append_events(db, group_id: int, stream_id: int, timestamps: list[int], messages: list[str],
                  ingested: int, size: int) -> int:
    """Store a chronological batch (inside the caller's transaction); its first ``seq``.
    ``size``: the UTF-8 bytes of its messages (stored bytes of the stream and group)."""
    count = len(timestamps)
    first = next_id(db, "seq", count)
    sizes = map(len, messages) if size == sum(map(len, messages)) else map(utf8_size, messages)  # ASCII: as is
    _insert_rows(db, list(chain.from_iterable(zip(range(first, first + count), repeat(group_id, count),
                                                  repeat(stream_id, count), timestamps, repeat(ingested, count),
                                                  messages, sizes))))
    db.execute("UPDATE log_streams SET first_event_ms = CASE WHEN first_event_ms IS NULL OR first_event_ms > ? "
               "THEN ? ELSE first_event_ms END, last_event_ms = CASE WHEN last_event_ms IS NULL OR "
               "last_event_ms < ? THEN ? ELSE last_event_ms END, last_ingestion_ms = ?, "
               "stored_bytes = stored_bytes + ? WHERE stream_id = ?",
               (timestamps[0], timestamps[0], timestamps[-1], timestamps[-1], ingested, size, stream_id))
    db.execute("UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE group_id = ?", (size, group_id))
    return first


def events_after(db, stream_id: int, position: tuple[int, int], start: int, end: int, limit: int) -> list[tuple]:
    """Up to ``limit`` events of the stream after (timestamp, seq) ``position``, in time order,
    with start <= timestamp < end."""
    ts, seq = position
    return db.query(f"SELECT {_COLUMNS} FROM log_events WHERE stream_id = ? AND timestamp >= ? AND timestamp < ? "
                    "AND (timestamp > ? OR (timestamp = ? AND seq > ?)) ORDER BY timestamp, seq LIMIT ?",
                    (stream_id, max(start, ts), end, ts, ts, seq, limit))


def events_before(db, stream_id: int, position: tuple[int, int] | None, start: int, end: int,
                  limit: int) -> list[tuple]:
    """Up to ``limit`` events of the stream just before ``position`` (None: the end), in time
    order, with start <= timestamp < end."""
    if position is None:
        rows = db.query(f"SELECT {_COLUMNS} FROM log_events WHERE stream_id = ? AND timestamp >= ? "
                        "AND timestamp < ? ORDER BY timestamp DESC, seq DESC LIMIT ?", (stream_id, start, end, limit))
    else:
        ts, seq = position
        rows = db.query(f"SELECT {_COLUMNS} FROM log_events WHERE stream_id = ? AND timestamp >= ? "
                        "AND timestamp <= ? AND (timestamp < ? OR (timestamp = ? AND seq < ?)) "
                        "ORDER BY timestamp DESC, seq DESC LIMIT ?",
                        (stream_id, start, min(end - 1, ts), ts, ts, seq, limit))
    rows.reverse()
    return rows


def delete_expired(db, group_id: int, cutoff: int) -> int:
    """Delete the group's events with a timestamp before ``cutoff`` (ms), keeping the stored
    bytes of its streams and of the group right; the number of events deleted."""
    per_stream = db.query("SELECT stream_id, COUNT(*), SUM(size) FROM log_events "
                          "WHERE group_id = ? AND timestamp < ? GROUP BY stream_id", (group_id, cutoff))
    if not per_stream:
        return 0
    with db.transaction():
        db.execute("DELETE FROM log_events WHERE group_id = ? AND timestamp < ?", (group_id, cutoff))
        db.executemany("UPDATE log_streams SET stored_bytes = stored_bytes - ? WHERE stream_id = ?",
                       [(size, stream_id) for stream_id, _, size in per_stream])
        db.execute("UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE group_id = ?",
                   (sum(size for _, _, size in per_stream), group_id))
    return sum(count for _, count, _ in per_stream)
