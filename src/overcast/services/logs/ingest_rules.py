"""PutLogEvents' rules for a batch, as AWS applies them today (PutLogEvents' documentation):

- at most 10,000 events and 1,048,576 bytes, counted as the UTF-8 bytes of the messages plus
  26 bytes per event (so one event can be up to 1,048,550 bytes: the old 256 KiB cap was
  raised to 1 MB);
- the events in chronological order, or the whole request fails;
- events more than 2 hours in the future, older than 14 days, or older than the group's
  retention are not stored and reported in ``rejectedLogEventsInfo`` (by index), the others
  are;
- the accepted events may span at most 24 hours, or the whole request fails.

The sequence token is accepted and ignored. Every check here runs once per batch over plain
lists (10,000 events a request must stay cheap).
"""

from __future__ import annotations

import bisect

from overcast.services.logs.errors import InvalidParameterException
from overcast.services.logs.validation import raise_problems

MAX_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
TOO_NEW_MS = 2 * HOUR_MS
TOO_OLD_MS = 14 * DAY_MS
MAX_SPAN_MS = DAY_MS

NOT_CHRONOLOGICAL = "Log events in a single PutLogEvents request must be in chronological order."
SPAN_TOO_LONG = "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."


def split_events(events) -> tuple[list[int], list[str]]:
    """The timestamps and messages of ``logEvents``, checked against the model (every
    problem listed, as AWS lists them)."""
    problems: list[str] = []
    if not isinstance(events, list):
        raise_problems(["Value null at 'logEvents' failed to satisfy constraint: Member must not be null"])
    if len(events) < 1:
        problems.append("Value at 'logEvents' failed to satisfy constraint: Member must have length greater "
                        "than or equal to 1")
    elif len(events) > MAX_EVENTS:
        problems.append(f"Value at 'logEvents' failed to satisfy constraint: Member must have length less than "
                        f"or equal to {MAX_EVENTS}")
    try:
        timestamps = [event["timestamp"] for event in events]
        messages = [event["message"] for event in events]
        # whole-list checks run in C: a batch is 10,000 events
        valid = set(map(type, timestamps)) <= {int} and set(map(type, messages)) <= {str} and all(messages) \
            and (not timestamps or min(timestamps) >= 0)
    except (KeyError, TypeError):
        valid = False
    if not valid:
        timestamps, messages = [], []
        for index, event in enumerate(events, 1):
            event = event if isinstance(event, dict) else {}
            ts, message = event.get("timestamp"), event.get("message")
            path = f"logEvents.{index}.member"
            if ts is None:
                problems.append(f"Value null at '{path}.timestamp' failed to satisfy constraint: "
                                "Member must not be null")
            elif isinstance(ts, int) and ts < 0:
                problems.append(f"Value at '{path}.timestamp' failed to satisfy constraint: "
                                "Member must have value greater than or equal to 0")
            if message is None:
                problems.append(f"Value null at '{path}.message' failed to satisfy constraint: "
                                "Member must not be null")
            elif message == "":
                problems.append(f"Value at '{path}.message' failed to satisfy constraint: "
                                "Member must have length greater than or equal to 1")
            timestamps.append(ts)
            messages.append(message)
    raise_problems(problems)
    return timestamps, messages


def batch_size(messages: list[str]) -> int:
    """The UTF-8 bytes of the messages (without the per-event overhead)."""
    joined = "".join(messages)
    return len(joined) if joined.isascii() else len(joined.encode("utf-8", "surrogatepass"))


def check_batch(timestamps: list[int], messages: list[str]) -> int:
    """The request-level checks (size, order); the batch's message bytes."""
    size = batch_size(messages)
    upload = size + EVENT_OVERHEAD * len(messages)
    if upload > MAX_BATCH_BYTES:
        raise InvalidParameterException(f"Upload too large: {upload} bytes exceeds limit of {MAX_BATCH_BYTES}")
    if timestamps != sorted(timestamps):  # sorting a sorted list is one linear pass
        raise InvalidParameterException(NOT_CHRONOLOGICAL)
    return size


def accepted_range(timestamps: list[int], now_ms: int, retention_days: int | None) -> tuple[int, int, dict]:
    """[start, end) of the events stored, and ``rejectedLogEventsInfo`` for the others."""
    rejected: dict = {}
    start = 0
    too_old = bisect.bisect_left(timestamps, now_ms - TOO_OLD_MS)
    if too_old:
        rejected["tooOldLogEventEndIndex"] = too_old - 1
        start = too_old
    if retention_days is not None:
        expired = bisect.bisect_left(timestamps, now_ms - retention_days * DAY_MS)
        if expired:
            rejected["expiredLogEventEndIndex"] = expired - 1
            start = max(start, expired)
    end = bisect.bisect_right(timestamps, now_ms + TOO_NEW_MS)
    if end < len(timestamps):
        rejected["tooNewLogEventStartIndex"] = end
    end = max(end, start)
    if end > start and timestamps[end - 1] - timestamps[start] > MAX_SPAN_MS:
        raise InvalidParameterException(SPAN_TOO_LONG)
    return start, end, rejected
