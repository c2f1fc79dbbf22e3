"""The service graph cache: each stored trace reduced once to its ``TraceGraph``, so a
GetServiceGraph over a large window merges small per-trace summaries instead of decoding
every segment document again.

The cache follows the ``segments`` table through its ``received`` column (indexed): documents
received at or after the newest time seen since the last refresh belong to traces that are
(re)computed from all their documents; when the oldest ``received`` moves (expiry deleted
documents, or a reset wiped them) the cache starts over. It lives in memory: after a restart
the first query fills it again.
"""

from __future__ import annotations

import json
import threading

from overcast.services.xray.graph import TraceGraph
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.windows import load_traces


class GraphCache:
    def __init__(self, db):
        self.db = db
        self._lock = threading.Lock()
        self._oldest = None
        self._newest = None
        self._newest_count = 0
        # (account, region) -> {trace id: TraceGraph}
        self._traces: dict[tuple, dict[str, TraceGraph]] = {}

    def traces(self, account: str, region: str, start: float, end: float) -> list[TraceGraph]:
        """The cached graphs of the traces with a segment starting in [start, end]."""
        with self._lock:
            self._refresh()
            scoped = self._traces.get((account, region), {})
            return [t for t in scoped.values() if t.starts and t.starts[0] <= end and t.starts[-1] >= start
                    and t.starts_within(start, end)]

    def _refresh(self) -> None:
        oldest, newest = self.db.query_one("SELECT MIN(received), MAX(received) FROM segments")
        if oldest != self._oldest:
            self._traces.clear()
            self._oldest, self._newest = oldest, None
        if newest is None:
            return
        newest_count = self.db.query_one("SELECT COUNT(*) FROM segments WHERE received = ?", (newest,))[0]
        if self._newest is None:
            by_trace: dict[tuple, list[dict]] = {}
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
            cached = self._traces.setdefault(scope, {})
            for trace_id, docs in traces.items():
                cached[trace_id] = TraceGraph(TraceView(trace_id, docs))
