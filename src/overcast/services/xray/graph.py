"""Service graphs: the nodes and edges of many traces merged, with their statistics.

GetServiceGraph, GetTraceGraph and GetRetrievedTracesGraph all build one ``GraphBuilder``,
feed it ``TraceView``s and read ``services()``: the Service shapes with ReferenceIds, Edges,
SummaryStatistics, ResponseTimeHistogram and DurationHistogram.
"""

from __future__ import annotations

from overcast.services.xray.statistics import Stats
from overcast.services.xray.trace_view import TraceView


class _NodeTotals:
    __slots__ = ("name", "type", "account_id", "inferred", "root", "stats", "durations", "edges")

    def __init__(self, name, type_, account_id, inferred):
        self.name, self.type, self.account_id, self.inferred = name, type_, account_id, inferred
        self.root = False
        self.stats = Stats()
        self.durations: dict[float, int] = {}
        self.edges: dict[tuple, Stats] = {}


class GraphBuilder:
    def __init__(self):
        self._nodes: dict[tuple, _NodeTotals] = {}

    def _totals(self, node) -> _NodeTotals:
        totals = self._nodes.get(node.key)
        if totals is None:
            totals = self._nodes[node.key] = _NodeTotals(node.name, node.type, node.account_id, node.inferred)
        elif not node.inferred:
            totals.inferred = False
            totals.account_id = totals.account_id or node.account_id
        return totals

    def add(self, view: TraceView) -> None:
        entry = view.entry_point()
        duration = view.duration
        for node in view.nodes.values():
            totals = self._totals(node)
            for doc in node.entities:
                totals.stats.add(doc)
            if entry is node:
                totals.root = True
            if duration is not None:
                bucket = round(duration, 3)
                totals.durations[bucket] = totals.durations.get(bucket, 0) + 1
        for edge in view.edges.values():
            source = self._totals(edge.source)
            self._totals(edge.target)
            stats = source.edges.get(edge.target.key)
            if stats is None:
                stats = source.edges[edge.target.key] = Stats()
            for doc in edge.entities:
                stats.add(doc)

    def services(self, window: tuple[float, float] | None = None) -> list[dict]:
        """The Service list; ``window`` (start, end) stands for every node's and edge's time
        range when given (GetServiceGraph), else each one's own first start and last end."""
        keys = sorted(self._nodes, key=lambda k: (k[0], k[1] or ""))
        refs = {key: i for i, key in enumerate(keys)}
        out = []
        for key in keys:
            totals = self._nodes[key]
            service = {"ReferenceId": refs[key], "Name": totals.name, "Names": [totals.name],
                       "Root": totals.root,
                       "State": "unknown" if totals.inferred else "active"}
            if totals.account_id:
                service["AccountId"] = totals.account_id
            if totals.type:
                service["Type"] = totals.type
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
            service["DurationHistogram"] = [{"Value": v, "Count": c} for v, c in sorted(totals.durations.items())]
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
