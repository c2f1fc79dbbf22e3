"""The service graph cache: each stored trace reduced once to its ``TraceGraph``, and the
traces whose first segment starts in the same minute added up once into a ``GraphBuilder``,
so a GetServiceGraph over a large window merges a few per-minute aggregates (and the traces of
the minutes the window only partly covers) instead of decoding every segment document again.

The cache follows the ``segments`` table through its ``received`` column (indexed):

- documents received at or after the newest time seen at the last refresh belong to traces
  that are recomputed from all their documents;
- when the oldest ``received`` moves up, documents were deleted (expiry deletes by received
  time; a reset deletes everything): the traces received wholly before the new oldest time are
  dropped, those received partly before it are recomputed, the others stay.

It lives in memory: after a restart the first query fills it, decoding every stored document
once. The database is read on the caller's thread; decoding and reducing the documents (the
long part) runs in a worker thread for ``graph_async``, so a cold query does not hold the event
loop (and every other request) for its whole length.
"""

from __future__ import annotations

import asyncio
import json

from overcast.services.xray.graph import GraphBuilder, TraceGraph
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.windows import trace_rows

_BUCKET_SECONDS = 60


class _Bucket:
    """The traces whose first segment starts in one minute, and their sum (None until asked
    for, and again whenever a trace of the minute changes)."""

    __slots__ = ("traces", "latest_start", "aggregate")

    def __init__(self):
        self.traces: dict[str, TraceGraph] = {}
        self.latest_start = float("-inf")  # of any segment: a trace can reach into later minutes
        self.aggregate: GraphBuilder | None = None

    def summed(self) -> GraphBuilder:
        if self.aggregate is None:
            builder = GraphBuilder()
            for trace in self.traces.values():
                builder.add(trace)
            self.aggregate = builder
        return self.aggregate


class GraphCache:
    def __init__(self, db):
        self.db = db
        self._lock = asyncio.Lock()
        self._oldest = None
        self._newest = None
        self._newest_count = 0
        self._documents = 0  # stored documents the cached traces were built from
        self.full_loads = 0  # times every stored document was decoded (first use, start over)
        # (account, region) -> {minute: _Bucket}
        self._buckets: dict[tuple, dict[int, _Bucket]] = {}
        # (account, region, trace id) -> (minute, first received, last received, documents)
        self._placed: dict[tuple, tuple[int, float, float, int]] = {}

    def graph(self, account: str, region: str, start: float, end: float) -> GraphBuilder:
        """The merged graph of the traces with a segment starting in [start, end] (all work
        on the calling thread)."""
        for _ in range(_MAX_ROUNDS):
            plan = self._plan()
            if plan is None:
                break
            self._apply(plan, _reduce(plan.rows))
        return self._merged(account, region, start, end)

    async def graph_async(self, account: str, region: str, start: float, end: float) -> GraphBuilder:
        """As ``graph``, decoding in a worker thread; one refresh at a time."""
        async with self._lock:
            for _ in range(_MAX_ROUNDS):
                plan = self._plan()
                if plan is None:
                    break
                try:
                    reduced = await asyncio.to_thread(_reduce, plan.rows)
                except BaseException:
                    self._clear()  # the removed traces were not put back: start over next time
                    raise
                self._apply(plan, reduced)
            return self._merged(account, region, start, end)

    def _merged(self, account: str, region: str, start: float, end: float) -> GraphBuilder:
        out = GraphBuilder()
        for minute, bucket in self._buckets.get((account, region), {}).items():
            first, last = minute * _BUCKET_SECONDS, (minute + 1) * _BUCKET_SECONDS
            if first > end or bucket.latest_start < start or not bucket.traces:
                continue
            if start <= first and last <= end:  # every trace here starts inside the window
                out.absorb(bucket.summed())
                continue
            for trace in bucket.traces.values():
                if trace.starts_within(start, end):
                    out.add(trace)
        return out

    # keeping up with the table -------------------------------------------------------------

    def _plan(self) -> "_Plan | None":
        """Compare the table with what the cache was built from; the rows to (re)reduce, the
        traces they replace already removed, or None when the cache is up to date."""
        oldest, newest, total = self.db.query_one("SELECT MIN(received), MAX(received), COUNT(*) FROM segments")
        if oldest is None or self._oldest is None or (self._newest is not None and oldest > self._newest):
            self._clear()  # empty, first use, or everything known deleted: start over
        stale = self._forget_before(oldest) if self._newest is not None and oldest > self._oldest else set()
        self._oldest = oldest
        if newest is None:
            return None
        newest_count = self.db.query_one("SELECT COUNT(*) FROM segments WHERE received = ?", (newest,))[0]
        if self._newest is not None:
            # (a frozen test clock can repeat a time: the count at the newest time tells)
            received_since = newest != self._newest or newest_count != self._newest_count
            if not received_since and not stale:
                if self._documents == total:
                    return None
                # documents arrived with an older receive time than known ones (the cloud
                # clock was set back), so the steps above cannot see them: start over
                self._clear()
        if self._newest is None:
            self.full_loads += 1
            rows = self.db.query("SELECT account, region, trace_id, received, doc FROM segments")
            return _Plan(rows, newest, newest_count)
        changed = set(stale)
        if received_since:
            changed.update(self.db.query(
                "SELECT DISTINCT account, region, trace_id FROM segments WHERE received >= ?", (self._newest,)))
        for key in changed:
            self._remove(key)
        by_scope: dict[tuple, list[str]] = {}
        for account, region, trace_id in changed:
            by_scope.setdefault((account, region), []).append(trace_id)
        rows = [(account, region, t, received, doc) for (account, region), ids in by_scope.items()
                for t, received, doc in trace_rows(self.db, account, region, ids)]
        return _Plan(rows, newest, newest_count)

    def _apply(self, plan: "_Plan", reduced: list[tuple]) -> None:
        for key, trace, first, last, count in reduced:
            self._put(key, trace, first, last, count)
        self._newest, self._newest_count = plan.newest, plan.newest_count

    def _clear(self) -> None:
        self._buckets.clear()
        self._placed.clear()
        self._documents = 0
        self._newest = None

    def _forget_before(self, oldest) -> set[tuple]:
        """Drop the traces received wholly before ``oldest``; the keys of those received partly
        before it, to be recomputed."""
        stale = set()
        for key, (_, first, last, _) in list(self._placed.items()):
            if last < oldest:
                self._remove(key)
            elif first < oldest:
                stale.add(key)
        return stale

    def _remove(self, key: tuple) -> None:
        placed = self._placed.pop(key, None)
        if placed is not None:
            self._documents -= placed[3]
            bucket = self._buckets.get(key[:2], {}).get(placed[0])
            if bucket is not None:
                bucket.traces.pop(key[2], None)
                bucket.aggregate = None

    def _put(self, key: tuple, trace: TraceGraph, first_received: float, last_received: float,
             documents: int) -> None:
        self._remove(key)
        # A trace without a timed segment belongs to no minute, but its documents are counted.
        minute = int(trace.starts[0] // _BUCKET_SECONDS) if trace.starts else None
        self._placed[key] = (minute, first_received, last_received, documents)
        self._documents += documents
        if minute is None:
            return
        bucket = self._buckets.setdefault(key[:2], {}).get(minute)
        if bucket is None:
            bucket = self._buckets[key[:2]][minute] = _Bucket()
        bucket.traces[trace.trace_id] = trace
        bucket.latest_start = max(bucket.latest_start, trace.starts[-1])
        bucket.aggregate = None


# Refresh rounds per query: documents arriving during a refresh are picked up by the next round
# (or the next query).
_MAX_ROUNDS = 3


class _Plan:
    __slots__ = ("rows", "newest", "newest_count")

    def __init__(self, rows: list, newest: float, newest_count: int):
        self.rows, self.newest, self.newest_count = rows, newest, newest_count


def _reduce(rows) -> list[tuple]:
    """(key, TraceGraph, first received, last received, documents) per trace of ``rows``
    ((account, region, trace id, received, document text)): pure, so it can run in a thread."""
    traces: dict[tuple, list] = {}
    for account, region, trace_id, received, doc in rows:
        entry = traces.setdefault((account, region, trace_id), [[], received, received])
        entry[0].append(json.loads(doc))
        entry[1], entry[2] = min(entry[1], received), max(entry[2], received)
    return [(key, TraceGraph(TraceView(key[2], docs)), first, last, len(docs))
            for key, (docs, first, last) in traces.items()]
