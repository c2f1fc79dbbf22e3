"""One metric's statistic over a time range, as a metric math time series."""

from __future__ import annotations

from overcast.services.cloudwatch.metric_math import TimeSeries
from overcast.services.cloudwatch.metric_store import Aggregate
from overcast.services.cloudwatch.retention import RETENTION
from overcast.services.cloudwatch.statistics import BASIC, statistic_value


def dimensions_of(metric: dict) -> dict[str, str]:
    """A Metric structure's Dimensions list as a mapping."""
    return {d["Name"]: d["Value"] for d in metric.get("Dimensions") or ()}


def read_series(provider, scope, namespace: str, name: str, dimensions: dict[str, str], stat: str,
                period: int, start: float, end: float, unit: str | None, label: str) -> TimeSeries:
    """The values of ``stat`` per period between start and end (exclusive). Periods with data in
    several units (PutMetricData without a Unit filter) are read as one, as GetMetricData does."""
    if period < 60:
        # sub-minute periods are served for the last three hours only (RETENTION[1]): no need
        # to walk the older periods one by one
        start = max(start, provider.clock.now() - RETENTION[1] - period)
    aggregates = provider.metric_store.aggregates(scope, namespace, name, dimensions, start, end, period,
                                                  unit, need_distribution=stat not in BASIC)
    by_period: dict[float, Aggregate] = {}
    for aggregate in aggregates:
        if aggregate.timestamp >= end:
            continue
        known = by_period.get(aggregate.timestamp)
        by_period[aggregate.timestamp] = aggregate if known is None else _merged(known, aggregate)
    points = {}
    for stamp, aggregate in by_period.items():
        value = statistic_value(aggregate, stat)
        if value is not None:
            points[stamp] = value
    source = {"Namespace": namespace, "MetricName": name, "Dimensions": dimensions, "Stat": stat, "Unit": unit}
    return TimeSeries(label, points, period, source)


def _merged(a: Aggregate, b: Aggregate) -> Aggregate:
    counts: dict[float, float] = {}
    for value, count in (*a.distribution, *b.distribution):
        counts[value] = counts.get(value, 0.0) + count
    distribution = sorted(counts.items()) if a.distribution and b.distribution else []
    return Aggregate(a.timestamp, a.sample_count + b.sample_count, a.total + b.total,
                     min(a.minimum, b.minimum), max(a.maximum, b.maximum), a.unit, distribution)
