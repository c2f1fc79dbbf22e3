"""Service graphs: the nodes and edges of many traces merged, with their statistics.

A trace is first reduced to its ``TraceGraph`` (per node and per edge, frozen statistics),
which the service graph cache keeps; ``GraphBuilder`` merges any number of them and
``services()`` gives the Service shapes with ReferenceIds, Edges, SummaryStatistics,
ResponseTimeHistogram and DurationHistogram. GetServiceGraph, GetTraceGraph and the time
series all read traces this way.
"""

from __future__ import annotations

import marshal

from overcast.services.xray.statistics import Stats, freeze, histogram
from overcast.services.xray.trace_view import TraceView


class TraceGraph:
    """One trace's contribution to a graph: ``nodes`` is ((key, account, inferred, root,
    frozen stats), ...), ``edges`` is ((source key, target key, frozen stats), ...)."""

    __slots__ = ("trace_id", "starts", "duration", "nodes", "edges")

    def __init__(self, view: TraceView):
        self.trace_id = view.id
        self.starts = tuple(sorted(s["start_time"] for s in view.segments if isinstance(s.get("start_time"), (int, float))))
        self.duration = view.duration
        entry = view.entry_point()
        self.nodes = tuple((node.key, node.account_id, node.inferred, entry is node, freeze(node.entities))
                           for node in view.nodes.values())
        self.edges = tuple((edge.source.key, edge.target.key, freeze(edge.entities)) for edge in view.edges.values())

    def starts_within(self, start: float, end: float) -> bool:
        """Whether a segment of the trace starts in [start, end]."""
        return any(start <= s <= end for s in self.starts)

    @property
    def minute(self) -> int | None:
        """The minute (epoch seconds // 60) its first segment starts in; None without a timed
        segment (such a trace is in no window)."""
        return int(self.starts[0] // 60) if self.starts else None

    def encoded(self) -> bytes:
        """The trace's contribution as stored in ``trace_graphs`` (marshal: our own derived
        data of plain tuples, numbers and strings, decoded many times faster than JSON)."""
        return marshal.dumps((self.trace_id, self.starts, self.duration, self.nodes, self.edges))

    @classmethod
    def decoded(cls, blob: bytes) -> "TraceGraph":
        graph = cls.__new__(cls)
        graph.trace_id, graph.starts, graph.duration, graph.nodes, graph.edges = marshal.loads(blob)
        return graph


class _NodeTotals:
    __slots__ = ("account_id", "inferred", "root", "stats", "durations", "edges")

    def __init__(self):
        self.account_id = None
        self.inferred = True
        self.root = False
        self.stats = Stats()
        self.durations: dict[float, int] = {}
        self.edges: dict[tuple, Stats] = {}


class GraphBuilder:
    def __init__(self):
        self._nodes: dict[tuple, _NodeTotals] = {}

    def _totals(self, key: tuple) -> _NodeTotals:
        totals = self._nodes.get(key)
        if totals is None:
            totals = self._nodes[key] = _NodeTotals()
        return totals

    def add(self, trace: TraceGraph | TraceView) -> None:
        if isinstance(trace, TraceView):
            trace = TraceGraph(trace)
        durations = ((round(trace.duration, 3), 1),) if trace.duration is not None else ()
        for key, account_id, inferred, root, frozen in trace.nodes:
            self.add_node(key, account_id, inferred, root, frozen, durations)
        for source, target, frozen in trace.edges:
            self.add_edge(source, target, frozen)

    def add_node(self, key: tuple, account_id: str | None, inferred: bool, root: bool, frozen: tuple,
                 durations=()) -> None:
        """Count a node's statistics (frozen, see ``statistics.freeze``) and its traces'
        durations ((value, count), ...)."""
        totals = self._totals(key)
        totals.stats.merge(frozen)
        if not inferred:
            totals.inferred = False
        if account_id and not totals.account_id:
            totals.account_id = account_id
        if root:
            totals.root = True
        counts = totals.durations
        for value, count in durations:
            counts[value] = counts.get(value, 0) + count

    def add_edge(self, source: tuple, target: tuple, frozen: tuple) -> None:
        edges = self._totals(source).edges
        stats = edges.get(target)
        if stats is None:
            stats = edges[target] = Stats()
            self._totals(target)
        stats.merge(frozen)

    def services(self, window: tuple[float, float] | None = None) -> list[dict]:
        """The Service list; ``window`` (start, end) stands for every node's and edge's time
        range when given (GetServiceGraph), else each one's own first start and last end."""
        keys = sorted(self._nodes, key=lambda k: (k[0], k[1] or ""))
        refs = {key: i for i, key in enumerate(keys)}
        out = []
        for key in keys:
            totals = self._nodes[key]
            name, type_ = key
            service = {"ReferenceId": refs[key], "Name": name, "Names": [name], "Root": totals.root,
                       "State": "unknown" if totals.inferred else "active"}
            if totals.account_id:
                service["AccountId"] = totals.account_id
            if type_:
                service["Type"] = type_
            _times(service, totals.stats, window)
            edges = []
            for target, stats in sorted(totals.edges.items(), key=lambda item: refs[item[0]]):
                edge = {"ReferenceId": refs[target]}
                _times(edge, stats, window)
                edge.update({"SummaryStatistics": stats.summary(),
                             "ResponseTimeHistogram": stats.histogram_entries(), "Aliases": []})
                edges.append(edge)
            service["Edges"] = edges
            service["SummaryStatistics"] = totals.stats.summary()
            service["DurationHistogram"] = histogram(totals.durations)
            service["ResponseTimeHistogram"] = totals.stats.histogram_entries()
            out.append(service)
        return out


def _times(target: dict, stats: Stats, window) -> None:
    if window is not None:
        target["StartTime"], target["EndTime"] = window
        return
    if stats.start is not None:
        target["StartTime"] = stats.start
    if stats.end is not None:
        target["EndTime"] = stats.end
