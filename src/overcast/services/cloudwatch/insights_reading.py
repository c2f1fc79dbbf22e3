"""Running a Metrics Insights query over the stored metrics (``metric_math/insights.py`` is the
language): per period, the function over every observation of the matched metrics of a group."""

from __future__ import annotations

import math

from overcast.services.cloudwatch.metric_math import SeriesArray, TimeSeries
from overcast.services.cloudwatch.metric_math.insights import InsightsQuery
from overcast.services.cloudwatch.metric_reading import FUTURE_WINDOW

# "Metrics Insights queries can query only the most recent three hours of metric data"
# (GetMetricData reference).
QUERY_WINDOW = 3 * 3600


class _Totals:
    __slots__ = ("count", "total", "minimum", "maximum")

    def __init__(self):
        self.count, self.total, self.minimum, self.maximum = 0.0, 0.0, math.inf, -math.inf

    def add(self, count: float, total: float, minimum: float, maximum: float) -> None:
        self.count += count
        self.total += total
        self.minimum = min(self.minimum, minimum)
        self.maximum = max(self.maximum, maximum)

    def value(self, function: str) -> float:
        if function == "AVG":
            return self.total / self.count if self.count else math.nan
        return {"COUNT": self.count, "SUM": self.total, "MIN": self.minimum, "MAX": self.maximum}[function]


def run_insights(provider, scope, query: InsightsQuery, start: float, end: float, period: int) -> SeriesArray:
    """One series a group (one in all without GROUP BY), ordered and limited as asked."""
    now = provider.clock.now()
    start, end = max(start, now - QUERY_WINDOW), min(end, now + FUTURE_WINDOW + period)
    groups: dict[tuple[str, ...], dict[float, _Totals]] = {}
    for namespace, name, dimensions in provider.metric_store.list_metrics(
            scope, namespace=query.namespace, name=query.metric_name):
        if not query.matches(namespace, name, dimensions):
            continue
        buckets = groups.setdefault(query.group_of(dimensions), {})
        for aggregate in provider.metric_store.aggregates(scope, namespace, name, dimensions, start, end, period,
                                                          need_distribution=False):
            buckets.setdefault(aggregate.timestamp, _Totals()).add(
                aggregate.sample_count, aggregate.total, aggregate.minimum, aggregate.maximum)
    series = []
    for group, buckets in groups.items():
        if not buckets:
            continue
        whole = _Totals()
        for totals in buckets.values():
            whole.add(totals.count, totals.total, totals.minimum, totals.maximum)
        points = {t: totals.value(query.function) for t, totals in buckets.items()}
        label = " ".join(group) if group else query.metric_name
        series.append((whole.value(query.function), label, TimeSeries(label, points, period)))
    if query.order is not None:
        series.sort(key=lambda item: item[0], reverse=query.order == "DESC")
    else:
        series.sort(key=lambda item: item[1])
    return SeriesArray(s for _, _, s in series[:query.limit])
