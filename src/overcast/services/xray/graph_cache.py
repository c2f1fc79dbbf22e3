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
once.
"""

from __future__ import annotations

import json
import threading

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
        self._lock = threading.Lock()
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
        """The merged graph of the traces with a segment starting in [start, end]."""
        out = GraphBuilder()
        with self._lock:
            self._refresh()
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

    def _refresh(self) -> None:
        oldest, newest, total = self.db.query_one("SELECT MIN(received), MAX(received), COUNT(*) FROM segments")
        if oldest is None or self._oldest is None or (self._newest is not None and oldest > self._newest):
            self._clear()  # empty, first use, or everything known deleted: start over
        stale = self._forget_before(oldest) if self._newest is not None and oldest > self._oldest else set()
        self._oldest = oldest
        if newest is None:
            return
        newest_count = self.db.query_one("SELECT COUNT(*) FROM segments WHERE received = ?", (newest,))[0]
        if self._newest is not None:
            # (a frozen test clock can repeat a time: the count at the newest time tells)
            received_since = newest != self._newest or newest_count != self._newest_count
            changed = set(stale)
            if received_since:
                changed.update(self.db.query(
                    "SELECT DISTINCT account, region, trace_id FROM segments WHERE received >= ?", (self._newest,)))
            self._reload(changed)
            if self._documents != total:
                # documents arrived with an older receive time than known ones (the cloud clock
                # was set back), so the steps above could not see them: start over
                self._clear()
        if self._newest is None:
            self.full_loads += 1
            self._load(self.db.query("SELECT account, region, trace_id, received, doc FROM segments"))
        self._newest, self._newest_count = newest, newest_count

    def _reload(self, keys: set[tuple]) -> None:
        for key in keys:
            self._remove(key)
        by_scope: dict[tuple, list[str]] = {}
        for account, region, trace_id in keys:
            by_scope.setdefault((account, region), []).append(trace_id)
        self._load((account, region, t, received, doc) for (account, region), ids in by_scope.items()
                   for t, received, doc in trace_rows(self.db, account, region, ids))

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

    def _load(self, rows) -> None:
        traces: dict[tuple, list] = {}
        for account, region, trace_id, received, doc in rows:
            entry = traces.setdefault((account, region, trace_id), [[], received, received])
            entry[0].append(json.loads(doc))
            entry[1], entry[2] = min(entry[1], received), max(entry[2], received)
        for key, (docs, first, last) in traces.items():
            count = len(docs)
            self._put(key, TraceGraph(TraceView(key[2], docs)), first, last, count)

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
