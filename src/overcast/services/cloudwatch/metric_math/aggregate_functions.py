"""Functions that reduce: SUM, AVG, MIN, MAX, STDDEV (of a series: a scalar; of an array: one
series, point by point over the series that have a value there), METRIC_COUNT, FIRST, LAST,
SORT and REMOVE_EMPTY."""

from __future__ import annotations

import math
import statistics

from overcast.services.cloudwatch.metric_math.series import (
    SeriesArray, TimeSeries, is_array, is_scalar, is_series,
)
from overcast.services.cloudwatch.metric_math.values import Keyword, check_arity, unsupported

REDUCERS = {
    "SUM": math.fsum,
    "AVG": statistics.fmean,
    "MIN": min,
    "MAX": max,
    "STDDEV": statistics.pstdev,
}


def reduce_values(function: str, values: list[float]) -> float:
    """The reducer over ``values``; NaN (dropped later) when there is nothing to reduce."""
    return REDUCERS[function](values) if values else math.nan


def aggregate(function: str, ctx, arguments):
    check_arity(function, arguments, 1, 1)
    value = arguments[0]
    if is_scalar(value):
        return value
    if is_series(value):
        return ctx.dropped.scalar(reduce_values(function, list(value.points.values())))
    if is_array(value):
        if not value:
            return TimeSeries(function, {}, ctx.period)
        stamps = set().union(*(s.points.keys() for s in value))
        points = {t: reduce_values(function, [s.points[t] for s in value if t in s.points]) for t in stamps}
        return TimeSeries(value[0].label, ctx.dropped.keep(points), value[0].period)
    raise unsupported(function, arguments)


def metric_count(ctx, arguments):
    check_arity("METRIC_COUNT", arguments, 1, 1)
    if is_array(arguments[0]):
        return float(len(arguments[0]))
    if is_series(arguments[0]):
        return 1.0
    raise unsupported("METRIC_COUNT", arguments)


def _pick(function: str, index: int):
    def pick(ctx, arguments):
        check_arity(function, arguments, 1, 1)
        value = arguments[0]
        if is_series(value):
            return value
        if is_array(value):
            if not value:
                return TimeSeries(function, {}, ctx.period)
            return value[index]
        raise unsupported(function, arguments)
    return pick


first = _pick("FIRST", 0)
last = _pick("LAST", -1)


def sort(ctx, arguments):
    """SORT(array, SUM|AVG|MIN|MAX|STDDEV, ASC|DESC[, limit])."""
    check_arity("SORT", arguments, 3, 4)
    value, by, order = arguments[0], arguments[1], arguments[2]
    if is_series(value):
        value = SeriesArray([value])
    if not (is_array(value) and isinstance(by, Keyword) and by in REDUCERS
            and isinstance(order, Keyword) and order in ("ASC", "DESC")):
        raise unsupported("SORT", arguments)
    ranked = sorted(value, key=lambda s: _rank(by, s), reverse=order == "DESC")
    if len(arguments) == 4:
        limit = arguments[3]
        if not is_scalar(limit) or not math.isfinite(limit) or limit < 0:
            raise unsupported("SORT", arguments)
        ranked = ranked[:int(limit)]
    return SeriesArray(ranked)


def _rank(by: str, series: TimeSeries) -> float:
    value = reduce_values(by, list(series.points.values()))
    return -math.inf if math.isnan(value) else value


def remove_empty(ctx, arguments):
    check_arity("REMOVE_EMPTY", arguments, 1, 1)
    value = arguments[0]
    if is_series(value):
        value = SeriesArray([value])
    if not is_array(value):
        raise unsupported("REMOVE_EMPTY", arguments)
    return SeriesArray(s for s in value if s.points)


def _reducer(name: str):
    return lambda ctx, arguments: aggregate(name, ctx, arguments)


FUNCTIONS = {name: _reducer(name) for name in REDUCERS} | {
    "METRIC_COUNT": metric_count,
    "FIRST": first,
    "LAST": last,
    "SORT": sort,
    "REMOVE_EMPTY": remove_empty,
}
