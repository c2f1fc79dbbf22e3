"""GetTimeSeriesServiceStatistics: the statistics of the selected services or edges, per
period of the requested range.

``EntitySelectorExpression`` selects with ``service()``/``id()`` (ServiceSummaryStatistics of
the matching nodes' own documents) or ``edge()`` (EdgeSummaryStatistics of the matching
calls); without one, every edge's calls are counted, as X-Ray returns edge statistics then.
"""

from __future__ import annotations

from overcast.services.xray.filters import ast
from overcast.services.xray.filters.evaluator import selected
from overcast.services.xray.statistics import Stats
from overcast.services.xray.trace_view import TraceView


def _selectors(tree) -> tuple[list, list]:
    """(service selectors, edge selectors) named anywhere in the expression."""
    services, edges = [], []

    def visit(node):
        if isinstance(node, (ast.And, ast.Or)):
            for item in node.items:
                visit(item)
        elif isinstance(node, ast.Not):
            visit(node.item)
        elif isinstance(node, ast.ServiceFn):
            services.append(node.selector)
        elif isinstance(node, ast.EdgeFn):
            edges.append((node.source, node.target))

    visit(tree)
    return services, edges


def time_series(views: list[TraceView], tree, period: int, start: float, end: float) -> list[dict]:
    services, edges = _selectors(tree) if tree is not None else ([], None)
    buckets: dict[int, Stats] = {}

    def count(doc: dict) -> None:
        at = doc.get("start_time")
        if not isinstance(at, (int, float)) or not start <= at <= end:
            return
        bucket = int(at // period * period)
        stats = buckets.get(bucket)
        if stats is None:
            stats = buckets[bucket] = Stats()
        stats.add(doc)

    for view in views:
        if services:
            for node in view.nodes.values():
                if any(selected(s, node) for s in services):
                    for doc in node.entities:
                        count(doc)
        if edges is None or edges:
            for edge in view.edges.values():
                if edges is None or any(selected(a, edge.source) and selected(b, edge.target) for a, b in edges):
                    for doc in edge.entities:
                        count(doc)
    key = "ServiceSummaryStatistics" if services else "EdgeSummaryStatistics"
    return [{"Timestamp": float(bucket), key: stats.summary(), "ResponseTimeHistogram": stats.histogram_entries()}
            for bucket, stats in sorted(buckets.items())]
