"""Request counts and timings as X-Ray aggregates them for a node or an edge: OkCount,
ErrorStatistics (throttles apart), FaultStatistics, TotalCount, TotalResponseTime, and the
response-time histogram (values to the millisecond, as the service graph reports them).

``freeze(docs)`` reduces documents to a small tuple that the service graph cache keeps per
trace; ``Stats.merge`` adds such tuples up when a graph is asked for."""

from __future__ import annotations


class Stats:
    __slots__ = ("ok", "throttle", "error_other", "fault", "total", "total_time", "histogram",
                 "start", "end")

    def __init__(self):
        self.ok = self.throttle = self.error_other = self.fault = self.total = 0
        self.total_time = 0.0
        self.histogram: dict[float, int] = {}
        self.start: float | None = None
        self.end: float | None = None

    def add(self, doc: dict) -> None:
        """Count one document (segment, or client subsegment for a call); one still in
        progress has no outcome yet and is not counted."""
        if doc.get("in_progress") is True:
            return
        start, end = doc.get("start_time"), doc.get("end_time")
        self.total += 1
        if doc.get("fault") is True:
            self.fault += 1
        elif doc.get("throttle") is True:
            self.throttle += 1
        elif doc.get("error") is True:
            self.error_other += 1
        else:
            self.ok += 1
        if isinstance(start, (int, float)):
            self.start = start if self.start is None else min(self.start, start)
            if isinstance(end, (int, float)):
                elapsed = end - start
                self.total_time += elapsed
                bucket = round(elapsed, 3)
                self.histogram[bucket] = self.histogram.get(bucket, 0) + 1
                self.end = end if self.end is None else max(self.end, end)

    def merge(self, frozen: tuple) -> None:
        ok, throttle, error_other, fault, total, total_time, start, end, histogram = frozen
        self.ok += ok
        self.throttle += throttle
        self.error_other += error_other
        self.fault += fault
        self.total += total
        self.total_time += total_time
        if start is not None and (self.start is None or start < self.start):
            self.start = start
        if end is not None and (self.end is None or end > self.end):
            self.end = end
        counts = self.histogram
        for value, count in histogram:
            counts[value] = counts.get(value, 0) + count

    def summary(self) -> dict:
        """The ServiceStatistics / EdgeStatistics shape."""
        return {
            "OkCount": self.ok,
            "ErrorStatistics": {"ThrottleCount": self.throttle, "OtherCount": self.error_other,
                                "TotalCount": self.throttle + self.error_other},
            "FaultStatistics": {"OtherCount": self.fault, "TotalCount": self.fault},
            "TotalCount": self.total,
            "TotalResponseTime": round(self.total_time, 6),
        }

    def histogram_entries(self) -> list[dict]:
        return histogram(self.histogram)


def freeze(docs: list[dict]) -> tuple:
    """``Stats`` of ``docs``, frozen, in one pass (the service graph cache reduces every
    stored trace with this, so it avoids building a Stats per node)."""
    ok = throttle = error_other = fault = total = 0
    total_time = 0.0
    first = last = None
    counts: dict[float, int] = {}
    for doc in docs:
        get = doc.get
        if get("in_progress") is True:
            continue
        total += 1
        if get("fault") is True:
            fault += 1
        elif get("throttle") is True:
            throttle += 1
        elif get("error") is True:
            error_other += 1
        else:
            ok += 1
        start, end = get("start_time"), get("end_time")
        if start.__class__ in _NUMBERS:
            if first is None or start < first:
                first = start
            if end.__class__ in _NUMBERS:
                elapsed = end - start
                total_time += elapsed
                bucket = round(elapsed, 3)
                counts[bucket] = counts.get(bucket, 0) + 1
                if last is None or end > last:
                    last = end
    return (ok, throttle, error_other, fault, total, total_time, first, last, tuple(counts.items()))


_NUMBERS = (int, float)


def histogram(counts: dict[float, int]) -> list[dict]:
    return [{"Value": value, "Count": count} for value, count in sorted(counts.items())]
