"""Which traces a GetTraceSummaries time range selects, by TimeRangeType:

- ``TraceId``: the time in the trace id (its first 8 hex digits, the request's start in epoch
  seconds) lies in the range;
- ``Event``: a document of the trace starts in the range (MatchedEventTime is the first one);
- ``Service``: a document of the trace ends in the range.
"""

from __future__ import annotations

# A trace id's time is the root segment's start, truncated to the second: its segments start
# at or after it, within the same second for the root.
_TRACE_ID_SLACK = 1.0


def trace_id_time(trace_id: str) -> int | None:
    parts = trace_id.split("-")
    if len(parts) != 3:
        return None
    try:
        return int(parts[1], 16)
    except ValueError:
        return None


def candidate_traces(store, account: str, region: str, start: float, end: float,
                     range_type: str) -> list[tuple[str, float]]:
    """(trace id, time of its first matching event) in order of that time."""
    found: dict[str, float] = {}
    if range_type == "TraceId":
        for row in store.iter_segments(account, region, start - _TRACE_ID_SLACK, end + _TRACE_ID_SLACK):
            if row.trace_id in found:
                continue
            at = trace_id_time(row.trace_id)
            if at is not None and int(start) <= at <= end:
                found[row.trace_id] = row.start_time
    elif range_type == "Event":
        for row in store.iter_segments(account, region, start, end):
            found.setdefault(row.trace_id, row.start_time)
    else:  # Service: documents that ended in the range, whenever they started
        for row in store.iter_segments(account, region, 0.0, end):
            if row.end_time is not None and start <= row.end_time <= end:
                found.setdefault(row.trace_id, row.end_time)
    return sorted(found.items(), key=lambda item: item[1])
