"""Which traces a GetTraceSummaries time range selects, by TimeRangeType:

- ``TraceId``: the time in the trace id (its first 8 hex digits, the request's start in epoch
  seconds) lies in the range;
- ``Event``: a document of the trace starts in the range (MatchedEventTime is the first one);
- ``Service``: a document of the trace ends in the range.
"""

from __future__ import annotations

import math


def candidate_traces(store, account: str, region: str, start: float, end: float,
                     range_type: str) -> list[tuple[str, float]]:
    """(trace id, time of its first matching event) in order of that time."""
    found: dict[str, float] = {}
    if range_type == "TraceId":
        # Trace ids sort by their time (8 lowercase hex digits after "1-"), so the range is a
        # range of the trace id index; whole seconds, as the id has them.
        low, high = f"1-{math.floor(start):08x}-", f"1-{math.floor(end) + 1:08x}-"
        rows = store.db.query(
            "SELECT trace_id, MIN(start_time) FROM segments WHERE trace_id >= ? AND trace_id < ? "
            "AND account = ? AND region = ? GROUP BY trace_id", (low, high, account, region))
        found.update(rows)
    elif range_type == "Event":
        for row in store.iter_segments(account, region, start, end):
            found.setdefault(row.trace_id, row.start_time)
    else:  # Service: documents that ended in the range, whenever they started
        for row in store.iter_segments(account, region, 0.0, end):
            if row.end_time is not None and start <= row.end_time <= end:
                found.setdefault(row.trace_id, row.end_time)
    return sorted(found.items(), key=lambda item: item[1])
