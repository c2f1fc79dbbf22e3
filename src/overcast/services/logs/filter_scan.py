"""FilterLogEvents' scan, run on a reader connection off the event loop (``provider.read``).

SQLite narrows the group's events in the time range with the pattern's substring prefilter
(the analytics exception to the portable-SQL rule: see ``reader.py``); ``match`` decides on
what comes through. Events come in (timestamp, seq) order: seq is the ingestion order, so
this is "event timestamp, then ingestion" as the API reference sorts them. A page ends at
``limit`` events, at 1 MB of events, or when the search budget is spent; in the last case it
may be empty and still carry a token (AWS answers so too).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from overcast.services.logs.event_ids import event_id
from overcast.services.logs.filter_pattern import FilterPattern

PAGE_BYTES = 1_048_576  # "Each page returned can contain up to 1 MB of log events"
EVENT_OVERHEAD = 26  # bytes counted per event besides its message, as PutLogEvents counts them
SEARCH_BUDGET_SECONDS = 1.0  # then the page is answered as it is, with a token to go on
_STREAMS_IN_SQL = 500  # more selected streams than this are checked in Python, not in IN (...)


@dataclass(frozen=True)
class FilterScan:
    group_id: int
    start: int | None
    end: int | None
    after: tuple[int, int] | None  # (timestamp, seq) of the last event a previous page looked at
    stream_names: tuple[str, ...] | None
    stream_prefix: str | None
    limit: int
    pattern: FilterPattern


class _Judge:
    """The pattern as an SQL function: SQLite hands it only the rows its indexes and the
    substring prefilter kept, and gives Python only the matches. Once the search budget is
    spent it lets the next row through unjudged as a sentinel, so the scan stops there and
    the page's token resumes at that row."""

    def __init__(self, pattern, deadline: float):
        self.match = pattern.match
        self.deadline = deadline
        self.calls = 0
        self.last: tuple[int, int] | None = None  # the last row judged
        self.sentinel: tuple[int, int] | None = None

    def __call__(self, message: str, timestamp: int, seq: int) -> int:
        if self.sentinel is not None:
            return 0
        self.calls += 1
        if self.calls % 512 == 0 and time.monotonic() > self.deadline:
            self.sentinel = (timestamp, seq)
            return 1
        self.last = (timestamp, seq)
        return self.match(message) is not None


def scan(conn, job: FilterScan) -> tuple[list[dict], tuple[int, int] | None]:
    """(events of the page, position to continue from or None when the search is complete)."""
    streams = _streams(conn, job)
    if not streams:
        return [], None
    where, params = ["group_id = ?"], [job.group_id]
    start = job.start
    if job.after is not None:
        start = job.after[0] if start is None else max(start, job.after[0])
    if start is not None:
        where.append("timestamp >= ?")
        params.append(start)
    if job.end is not None:
        where.append("timestamp <= ?")
        params.append(job.end)
    if job.after is not None:  # the index range starts at the token's timestamp; this skips its ties
        where.append("(timestamp > ? OR seq > ?)")
        params += [job.after[0], job.after[1]]
    selected = None
    if job.stream_names is not None or job.stream_prefix is not None:
        if len(streams) <= _STREAMS_IN_SQL:
            where.append(f"stream_id IN ({', '.join('?' * len(streams))})")
            params += list(streams)
        else:
            selected = streams
    prefilter = job.pattern.sql_prefilter()
    if prefilter is not None:
        where.append(prefilter[0])
        params += prefilter[1]
    judge = None
    if job.pattern.kind != "all":
        judge = _Judge(job.pattern, time.monotonic() + SEARCH_BUDGET_SECONDS)
        conn.create_function("overcast_filter_match", 3, judge)
        where.append("overcast_filter_match(message, timestamp, seq)")  # last: after the cheap tests
    cursor = conn.execute(
        "SELECT timestamp, seq, stream_id, ingestion_time, message FROM log_events "
        f"WHERE {' AND '.join(where)} ORDER BY timestamp, seq", params)
    events, size = [], 0
    try:
        # row by row: SQLite runs ahead no further than the row asked for, so the scan stops
        # at the sentinel (rows come out in order: every match before it is already here)
        for timestamp, seq, stream_id, ingestion_time, message in cursor:
            if judge is not None and judge.sentinel == (timestamp, seq):
                return events, judge.last or job.after or (timestamp, seq - 1)
            if selected is not None and stream_id not in selected:
                continue
            event_size = len(message.encode()) + EVENT_OVERHEAD
            if size + event_size > PAGE_BYTES:
                return events, _position(events)
            size += event_size
            events.append({
                "logStreamName": streams[stream_id], "timestamp": timestamp, "message": message,
                "ingestionTime": ingestion_time, "eventId": event_id(job.group_id, stream_id, seq, timestamp),
                "_seq": seq,
            })
            if len(events) >= job.limit:
                return events, _position(events)
        if judge is not None and judge.sentinel is not None:  # the sentinel was filtered out after all
            return events, judge.last or job.after
        return events, None
    finally:
        cursor.close()


def _position(events: list[dict]) -> tuple[int, int]:
    return events[-1]["timestamp"], events[-1]["_seq"]


def _streams(conn, job: FilterScan) -> dict[int, str]:
    """The group's streams the request selects, by id."""
    rows = conn.execute("SELECT stream_id, name FROM log_streams WHERE group_id = ?", (job.group_id,)).fetchall()
    if job.stream_names is not None:
        wanted = set(job.stream_names)
        rows = [r for r in rows if r[1] in wanted]
    elif job.stream_prefix is not None:
        rows = [r for r in rows if r[1].startswith(job.stream_prefix)]
    return dict(rows)
