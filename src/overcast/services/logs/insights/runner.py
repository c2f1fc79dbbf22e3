"""Runs a ``Plan`` on the reader connection: the events of the chosen groups in the time range,
the answer rows as Logs Insights gives them (lists of ``{field, value}``, values as strings,
fields without a value left out, ``@ptr`` on every event row) and the statistics.

Everything runs in one read transaction, so the rows and the statistics see the same events.
``@timestamp`` and other time values are shown as ``YYYY-MM-DD HH:MM:SS.mmm`` in UTC.

This is the analytics exception to DESIGN's portable-SQL rule (``reader.py``): the SQL run here
is SQLite's own (``json_extract``, ``instr``, window functions, recursive CTEs, the ``oc_``
Python functions of ``udfs.py`` registered on the reader connection).
"""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
from dataclasses import dataclass

from overcast.services.logs.insights import udfs
from overcast.services.logs.insights.translator import Plan, sql_string

PTR_PREFIX = "ocptr1"
MAX_BINS = 100_000  # beyond, counting bin by bin costs more than grouping the events


@dataclass(frozen=True)
class Source:
    """One log group queried: its row id and its ``@log`` text (``account:name``)."""

    group_id: int
    label: str


@dataclass
class Outcome:
    results: list[list[dict]]
    records_matched: int
    records_scanned: int
    bytes_scanned: int
    log_groups_scanned: int


def format_time(ms) -> str:
    when = dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{int(ms) % 1000:03d}"


def format_value(value, kind: str) -> str | None:
    if value is None:
        return None
    if kind == "ts":
        number = udfs.to_number(value)
        if number is None or not -62_135_596_800_000 <= number <= udfs.MAX_MS:
            return format_value(value, "num")  # no calendar date: the number as it is
        return format_time(number)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def make_ptr(group_id: int, seq: int) -> str:
    """``@ptr``: opaque to clients; GetLogRecord reads the event back from it."""
    return base64.b64encode(f"{PTR_PREFIX}:{group_id}:{seq}".encode()).decode()


def read_ptr(ptr: str) -> tuple[int, int] | None:
    """(group_id, seq) from an ``@ptr``; None when it is not one of ours."""
    try:
        prefix, group_id, seq = base64.b64decode(ptr.encode(), validate=True).decode().split(":")
        if prefix != PTR_PREFIX:
            return None
        return int(group_id), int(seq)
    except (ValueError, UnicodeDecodeError):
        return None


def base_sql(sources: list[Source]) -> str:
    """The events scanned: ``?`` placeholders for the start and end (epoch ms, inclusive)."""
    ids = ", ".join(str(src.group_id) for src in sources)
    labels = " ".join(f"WHEN {src.group_id} THEN {sql_string(src.label)}" for src in sources)
    return (
        "SELECT e.timestamp AS ts, e.ingestion_time AS ingest, e.message AS msg, "
        "(SELECT name FROM log_streams WHERE stream_id = e.stream_id) AS stream, "
        f"(CASE e.group_id {labels} END) AS lg, e.group_id AS gid, e.seq AS seq "
        f"FROM log_events AS e WHERE e.group_id IN ({ids}) AND e.timestamp BETWEEN ? AND ?"
    )


def _scanned(conn: sqlite3.Connection, sources: list[Source], start_ms: int, end_ms: int) -> tuple[int, int]:
    """(events, message bytes) in the range. A stream whose events all lie in the range counts
    its stored bytes (kept by ingestion and retention); only the others' messages are read."""
    ids = ", ".join(str(src.group_id) for src in sources)
    (count,) = conn.execute(f"SELECT count(*) FROM log_events WHERE group_id IN ({ids}) "
                            "AND timestamp BETWEEN ? AND ?", (start_ms, end_ms)).fetchone()
    inside = "first_event_ms >= ? AND last_event_ms <= ?"
    (whole,) = conn.execute(f"SELECT coalesce(sum(stored_bytes), 0) FROM log_streams WHERE group_id IN ({ids}) "
                            f"AND {inside}", (start_ms, end_ms)).fetchone()
    # the other streams, but those whose events all lie outside the range
    partial = [row[0] for row in conn.execute(
        f"SELECT stream_id FROM log_streams WHERE group_id IN ({ids}) AND NOT coalesce({inside}, 0) "
        "AND NOT coalesce(last_event_ms < ? OR first_event_ms > ?, 0)",
        (start_ms, end_ms, start_ms, end_ms))]
    if partial:
        marks = ", ".join(str(stream_id) for stream_id in partial)
        (part,) = conn.execute(f"SELECT coalesce(sum(length(CAST(message AS BLOB))), 0) FROM log_events "
                               f"WHERE stream_id IN ({marks}) AND timestamp BETWEEN ? AND ?",
                               (start_ms, end_ms)).fetchone()
        whole += part
    return count, whole


def run(conn: sqlite3.Connection, plan: Plan, sources: list[Source], start_ms: int, end_ms: int,
        limit: int) -> Outcome:
    """The query's answer (runs in a worker thread; ``conn.interrupt()`` stops it)."""
    udfs.register(conn)
    base = base_sql(sources)
    sql = plan.sql
    if plan.binned_sql is not None:
        first = start_ms // plan.bin_period * plan.bin_period
        if (end_ms - first) // plan.bin_period < MAX_BINS:
            sql = plan.binned_sql.replace("{bin_first}", str(int(first))).replace("{bin_last}", str(int(end_ms)))
    occurrences = sql.count("{base}")
    sql = sql.replace("{base}", base)
    params = [start_ms, end_ms] * occurrences + [limit]
    conn.execute("BEGIN")
    try:
        rows = conn.execute(sql, params).fetchall()
        scanned, scanned_bytes = _scanned(conn, sources, start_ms, end_ms)
        if plan.match_in_rows:
            matched = rows[0][-1] if rows else 0
            rows = [row[:-1] for row in rows]
        elif plan.match_sql is None:
            matched = scanned
        else:
            match_sql = plan.match_sql.replace("{base}", base)
            matched = conn.execute(match_sql, [start_ms, end_ms] * plan.match_sql.count("{base}")).fetchone()[0]
    finally:
        if conn.in_transaction:  # an interrupt may have rolled it back already
            conn.execute("COMMIT")
    results = []
    for row in rows:
        fields = []
        for (name, kind), value in zip(plan.output, row):
            text = format_value(value, kind)
            if text is not None:
                fields.append({"field": name, "value": text})
        if plan.events:
            fields.append({"field": "@ptr", "value": make_ptr(row[-2], row[-1])})
        results.append(fields)
    return Outcome(results, matched, scanned, scanned_bytes, len(sources))
