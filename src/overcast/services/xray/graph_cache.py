"""The service graph cache: each stored trace reduced once to its ``TraceGraph``, and the
traces whose first segment starts in the same minute added up once into a ``GraphBuilder``,
so a GetServiceGraph over a large window merges a few per-minute aggregates (and the traces of
the minutes the window only partly covers) instead of decoding every segment document again.

The cache follows the ``segments`` table through its ``received`` column (indexed): documents
received at or after the newest time seen since the last refresh belong to traces that are
(re)computed from all their documents; when the oldest ``received`` moves (expiry deleted
documents, or a reset wiped them) the cache starts over. It lives in memory: after a restart
the first query fills it again, at the cost of decoding every stored document once.
"""

from __future__ import annotations

import json
import threading

from overcast.services.xray.graph import GraphBuilder, TraceGraph
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.windows import load_traces

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
        # (account, region) -> {minute: _Bucket}, and -> {trace id: minute}
        self._buckets: dict[tuple, dict[int, _Bucket]] = {}
        self._minute_of: dict[tuple, dict[str, int]] = {}

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

    def _put(self, scope: tuple, trace: TraceGraph) -> None:
        buckets = self._buckets.setdefault(scope, {})
        minutes = self._minute_of.setdefault(scope, {})
        old = minutes.pop(trace.trace_id, None)
        if old is not None:
            bucket = buckets[old]
            del bucket.traces[trace.trace_id]
            bucket.aggregate = None
        if not trace.starts:
            return
        minute = int(trace.starts[0] // _BUCKET_SECONDS)
        bucket = buckets.get(minute)
        if bucket is None:
            bucket = buckets[minute] = _Bucket()
        bucket.traces[trace.trace_id] = trace
        bucket.latest_start = max(bucket.latest_start, trace.starts[-1])
        bucket.aggregate = None
        minutes[trace.trace_id] = minute

    def _refresh(self) -> None:
        oldest, newest = self.db.query_one("SELECT MIN(received), MAX(received) FROM segments")
        if oldest != self._oldest:
            self._buckets.clear()
            self._minute_of.clear()
            self._oldest, self._newest = oldest, None
        if newest is None:
            return
        newest_count = self.db.query_one("SELECT COUNT(*) FROM segments WHERE received = ?", (newest,))[0]
        if self._newest is None:
            by_trace: dict[tuple, dict[str, list[dict]]] = {}
            for account, region, trace_id, doc in self.db.query("SELECT account, region, trace_id, doc FROM segments"):
                by_trace.setdefault((account, region), {}).setdefault(trace_id, []).append(json.loads(doc))
        elif newest == self._newest and newest_count == self._newest_count:
            return  # nothing received since (a frozen test clock can repeat a time: count it)
        else:
            changed: dict[tuple, list[str]] = {}
            for account, region, trace_id in self.db.query(
                    "SELECT DISTINCT account, region, trace_id FROM segments WHERE received >= ?", (self._newest,)):
                changed.setdefault((account, region), []).append(trace_id)
            by_trace = {scope: load_traces(self.db, *scope, ids) for scope, ids in changed.items()}
        self._newest, self._newest_count = newest, newest_count
        for scope, traces in by_trace.items():
            for trace_id, docs in traces.items():
                self._put(scope, TraceGraph(TraceView(trace_id, docs)))
