"""One metric's statistic over a time range, as a metric math time series."""

from __future__ import annotations

import math

from overcast.services.cloudwatch.metric_math import TimeSeries
from overcast.services.cloudwatch.metric_store import Aggregate
from overcast.services.cloudwatch.retention import HOUR, RETENTION, align_start
from overcast.services.cloudwatch.statistics import BASIC, statistic_value


# PutMetricData takes timestamps up to two hours ahead.
FUTURE_WINDOW = 2 * HOUR


def dimensions_of(metric: dict) -> dict[str, str]:
    """A Metric structure's Dimensions list as a mapping."""
    return {d["Name"]: d["Value"] for d in metric.get("Dimensions") or ()}


def read_series(provider, scope, namespace: str, name: str, dimensions: dict[str, str], stat: str,
                period: int, start: float, end: float, unit: str | None, label: str) -> TimeSeries:
    """The values of ``stat`` per period between start and end (exclusive). Periods with data in
    several units (PutMetricData without a Unit filter) are read as one, as GetMetricData does."""
    start, end = bounded_range(start, end, period, provider.clock.now())
    if start >= end:
        return TimeSeries(label, {}, period, _source(scope, namespace, name, dimensions, stat, unit))
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
    return TimeSeries(label, points, period, _source(scope, namespace, name, dimensions, stat, unit))


def _source(scope, namespace, name, dimensions, stat, unit) -> dict:
    """Where a series was read from (its dynamic label properties, its anomaly band)."""
    return {"Namespace": namespace, "MetricName": name, "Dimensions": dimensions, "Stat": stat, "Unit": unit,
            "AccountId": scope[0], "Region": scope[1]}


def bounded_range(start: float, end: float, period: int, now: float) -> tuple[float, float]:
    """The part of [start, end) that can hold data, so a request for centuries is not walked
    period by period: nothing is kept past 455 days (3 hours below a minute), nothing is put
    more than 2 hours ahead. The start moves by whole periods and whole hours, so the periods
    keep the boundaries the full range would give them."""
    oldest = now - (RETENTION[1] if period < 60 else RETENTION[3600]) - period
    first = align_start(start, period, now)
    if first < oldest:
        step = math.lcm(period, HOUR)
        start = first + ((oldest - first) // step) * step
    return start, min(end, now + FUTURE_WINDOW + period)


def _merged(a: Aggregate, b: Aggregate) -> Aggregate:
    counts: dict[float, float] = {}
    for value, count in (*a.distribution, *b.distribution):
        counts[value] = counts.get(value, 0.0) + count
    distribution = sorted(counts.items()) if a.distribution and b.distribution else []
    return Aggregate(a.timestamp, a.sample_count + b.sample_count, a.total + b.total,
                     min(a.minimum, b.minimum), max(a.maximum, b.maximum), a.unit, distribution)
