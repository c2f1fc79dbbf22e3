"""The sum of many traces' graph contributions (``TraceGraph``), kept so that a trace can be
taken out again: the per-minute sums of the service graph summaries are updated trace by
trace as segments arrive (a trace recomputed because a late segment came is subtracted in its
old form and added in its new one), never summed again from every trace of the minute.

Everything is counted, so subtraction is exact: per node, the traces it appears in, those in
which it is a traced (not inferred) service, those it is the entry point of, its account ids,
request statistics, response-time and trace-duration histograms; per edge its traces and
statistics. A node or edge no trace holds any more disappears. The first and last times of a
node's requests cannot be subtracted, so they are not kept: a windowed service graph reports
the window's times instead (``GraphBuilder.services(window)``).
"""

from __future__ import annotations

import marshal

from overcast.services.xray.graph import GraphBuilder, TraceGraph

# Positions in a node's list and in a stats list (lists: marshal keeps them as they are).
_TRACES, _CONCRETE, _ROOTS, _ACCOUNTS, _STATS, _DURATIONS, _EDGES = range(7)
_COUNTS = 6  # ok, throttle, error_other, fault, total, total_time; then the histogram


def _new_stats() -> list:
    return [0, 0, 0, 0, 0, 0.0, {}]


def _count(counts: dict, value, delta: int) -> None:
    left = counts.get(value, 0) + delta
    if left:
        counts[value] = left
    else:
        del counts[value]


def _apply_stats(stats: list, frozen: tuple, sign: int) -> None:
    for i in range(_COUNTS):
        stats[i] += sign * frozen[i]
    for value, count in frozen[8]:
        _count(stats[_COUNTS], value, sign * count)


class GraphAggregate:
    """Nodes and edges summed over traces, with ``add``/``remove`` of one ``TraceGraph``."""

    __slots__ = ("nodes", "latest_start")

    def __init__(self, nodes: dict | None = None, latest_start: float | None = None):
        # key -> [traces, concrete, roots, {account: n}, stats, {duration: n}, {target: [traces, stats]}]
        self.nodes: dict[tuple, list] = nodes if nodes is not None else {}
        # the latest start of any segment of any trace added: an upper bound (a window
        # starting later holds none of these traces), not lowered when a trace is removed
        self.latest_start = latest_start

    def __bool__(self) -> bool:
        return bool(self.nodes)

    def add(self, trace: TraceGraph) -> None:
        self._apply(trace, 1)
        if trace.starts and (self.latest_start is None or trace.starts[-1] > self.latest_start):
            self.latest_start = trace.starts[-1]

    def remove(self, trace: TraceGraph) -> None:
        """Take out a trace added before (in the very form it was added in)."""
        self._apply(trace, -1)

    def _apply(self, trace: TraceGraph, sign: int) -> None:
        nodes = self.nodes
        duration = round(trace.duration, 3) if trace.duration is not None else None
        for key, account_id, inferred, root, frozen in trace.nodes:
            node = nodes.get(key)
            if node is None:
                node = nodes[key] = [0, 0, 0, {}, _new_stats(), {}, {}]
            node[_TRACES] += sign
            if not inferred:
                node[_CONCRETE] += sign
            if root:
                node[_ROOTS] += sign
            if account_id:
                _count(node[_ACCOUNTS], account_id, sign)
            _apply_stats(node[_STATS], frozen, sign)
            if duration is not None:
                _count(node[_DURATIONS], duration, sign)
        for source, target, frozen in trace.edges:
            edges = nodes[source][_EDGES]  # every edge's ends are nodes of the same trace
            edge = edges.get(target)
            if edge is None:
                edge = edges[target] = [0, _new_stats()]
            edge[0] += sign
            _apply_stats(edge[1], frozen, sign)
            if not edge[0]:
                del edges[target]
        if sign < 0:
            for key, *_ in trace.nodes:
                if not nodes[key][_TRACES]:
                    del nodes[key]

    def into(self, builder: GraphBuilder) -> None:
        """Add the sum to a builder, as if each trace had been added to it."""
        for key, node in self.nodes.items():
            accounts = node[_ACCOUNTS]
            builder.add_node(key, next(iter(accounts), None), node[_CONCRETE] == 0, node[_ROOTS] > 0,
                             _frozen(node[_STATS]), node[_DURATIONS].items())
        for key, node in self.nodes.items():
            for target, (_, stats) in node[_EDGES].items():
                builder.add_edge(key, target, _frozen(stats))

    def encoded(self) -> bytes:
        return marshal.dumps((self.nodes, self.latest_start))

    @classmethod
    def decoded(cls, blob: bytes) -> "GraphAggregate":
        nodes, latest_start = marshal.loads(blob)
        return cls(nodes, latest_start)


def _frozen(stats: list) -> tuple:
    """A stats list in ``statistics.freeze``'s shape (no first and last times)."""
    return (*stats[:_COUNTS], None, None, stats[_COUNTS].items())
