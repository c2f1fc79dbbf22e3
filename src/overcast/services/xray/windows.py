"""Which traces a GetTraceSummaries time range selects, by TimeRangeType:

- ``TraceId``: the time in the trace id (its first 8 hex digits, the request's start in epoch
  seconds) lies in the range;
- ``Event``: a document of the trace starts in the range (MatchedEventTime is the first one);
- ``Service``: a document of the trace ends in the range.
"""

from __future__ import annotations

import json
import math


def candidate_traces(db, account: str, region: str, start: float, end: float,
                     range_type: str) -> list[tuple[str, float]]:
    """(trace id, time of its first matching event) in order of that time, read from the
    indexed columns only (no document is decoded)."""
    if range_type == "TraceId":
        # Trace ids sort by their time (8 lowercase hex digits after "1-"), so the range is a
        # range of the trace id index; whole seconds, as the id has them.
        low, high = f"1-{math.floor(start):08x}-", f"1-{math.floor(end) + 1:08x}-"
        rows = db.query(
            "SELECT trace_id, MIN(start_time) FROM segments WHERE trace_id >= ? AND trace_id < ? "
            "AND account = ? AND region = ? GROUP BY trace_id", (low, high, account, region))
    elif range_type == "Event":
        rows = db.query(
            "SELECT trace_id, MIN(start_time) FROM segments WHERE account = ? AND region = ? "
            "AND start_time >= ? AND start_time <= ? GROUP BY trace_id", (account, region, start, end))
    else:  # Service: documents that ended in the range, whenever they started
        rows = db.query(
            "SELECT trace_id, MIN(end_time) FROM segments WHERE account = ? AND region = ? "
            "AND end_time >= ? AND end_time <= ? GROUP BY trace_id", (account, region, start, end))
    return sorted(rows, key=lambda row: (row[1], row[0]))


# Trace ids per "IN (...)" query when loading whole traces (keeps statements small).
_CHUNK = 500


def trace_rows(db, account: str, region: str, trace_ids: list[str]):
    """(trace id, received, document text) of every stored document of the given traces, in a
    few queries by the trace id index."""
    ids = list(dict.fromkeys(trace_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        yield from db.query(
            f"SELECT trace_id, received, doc FROM segments WHERE trace_id IN ({marks}) AND account = ? AND region = ?",
            (*chunk, account, region))


def load_traces(db, account: str, region: str, trace_ids: list[str]) -> dict[str, list[dict]]:
    """trace id -> all its stored documents (the order of documents within a trace does not
    matter to TraceView)."""
    out: dict[str, list[dict]] = {}
    for trace_id, _, doc in trace_rows(db, account, region, trace_ids):
        out.setdefault(trace_id, []).append(json.loads(doc))
    return out
