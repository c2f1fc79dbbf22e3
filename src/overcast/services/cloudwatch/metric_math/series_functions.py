"""Functions over the points of one series: ABS, CEIL, FLOOR, LOG, LOG10, RATE, DIFF,
DIFF_TIME, RUNNING_SUM, PERIOD, FILL, IF and TIME_SERIES."""

from __future__ import annotations

import bisect
import math

from overcast.services.cloudwatch.metric_math.series import (
    TimeSeries, is_array, is_scalar, is_series,
)
from overcast.services.cloudwatch.metric_math.values import (
    Keyword, check_arity, map_series, unsupported,
)


def _log(base_log):
    def apply(value: float) -> float:
        if value < 0:
            return math.nan
        if value == 0:
            return -math.inf
        return base_log(value)
    return apply


ELEMENTWISE = {
    "ABS": abs,
    "CEIL": lambda v: float(math.ceil(v)),
    "FLOOR": lambda v: float(math.floor(v)),
    "LOG": _log(math.log),
    "LOG10": _log(math.log10),
}


def _elementwise(name: str):
    transform = ELEMENTWISE[name]

    def apply(ctx, arguments):
        check_arity(name, arguments, 1, 1)
        value = arguments[0]
        if is_scalar(value):
            return ctx.dropped.scalar(transform(value))
        return map_series(value, lambda s: s.derive(ctx.dropped.keep(
            {t: transform(v) for t, v in s.points.items()})), name)
    return apply


def _consecutive(name: str, step):
    """A function of each point and the one before it (the first point has none: dropped)."""
    def apply(ctx, arguments):
        check_arity(name, arguments, 1, 1)

        def transform(series: TimeSeries) -> TimeSeries:
            stamps = series.timestamps()
            points = {t: step(series.points[t], series.points[p], t - p) for p, t in zip(stamps, stamps[1:])}
            return series.derive(ctx.dropped.keep(points))
        return map_series(arguments[0], transform, name)
    return apply


def running_sum(ctx, arguments):
    check_arity("RUNNING_SUM", arguments, 1, 1)

    def transform(series: TimeSeries) -> TimeSeries:
        total, points = 0.0, {}
        for t in series.timestamps():
            total += series.points[t]
            points[t] = total
        return series.derive(points)
    return map_series(arguments[0], transform, "RUNNING_SUM")


def period(ctx, arguments):
    """PERIOD(m1): the period of the metric in seconds, a scalar (``m1/PERIOD(m1)`` is a rate)."""
    check_arity("PERIOD", arguments, 1, 1)
    value = arguments[0]
    if is_series(value):
        return float(value.period)
    if is_array(value) and value:
        return float(value[0].period)
    raise unsupported("PERIOD", arguments)


def fill(ctx, arguments):
    """FILL(m, value | REPEAT | LINEAR): a point at every period of the time range."""
    check_arity("FILL", arguments, 2, 2)
    how = arguments[1]
    if not (is_scalar(how) or is_series(how) or (isinstance(how, Keyword) and how in ("REPEAT", "LINEAR"))):
        raise unsupported("FILL", arguments)

    def transform(series: TimeSeries) -> TimeSeries:
        grid = ctx.grid(series.period)
        points = dict(series.points)
        known = series.timestamps()
        for t in grid:
            if t in points:
                continue
            value = _filled_value(how, series, known, t)
            if value is not None:
                points[t] = value
        return series.derive(points)
    return map_series(arguments[0], transform, "FILL")


def _filled_value(how, series: TimeSeries, known: list[float], t: float) -> float | None:
    if is_scalar(how):
        return float(how)
    if is_series(how):
        return how.points.get(t)
    at = bisect.bisect_left(known, t)
    before = known[at - 1] if at > 0 else None
    after = known[at] if at < len(known) else None
    if how == "REPEAT":
        # The most recent real value before the gap; leading gaps take the first real value.
        source = before if before is not None else after
        return None if source is None else series.points[source]
    if before is None or after is None:
        return None
    share = (t - before) / (after - before)
    return series.points[before] + share * (series.points[after] - series.points[before])


def if_function(ctx, arguments):
    """IF(condition, trueValue[, falseValue]): where the condition is 0 the false value (or no
    point when there is none), elsewhere the true value."""
    check_arity("IF", arguments, 2, 3)
    condition, when_true = arguments[0], arguments[1]
    when_false = arguments[2] if len(arguments) == 3 else None
    for value in arguments:
        if not (is_scalar(value) or is_series(value)):
            raise unsupported("IF", arguments)
    if is_scalar(condition):
        chosen = when_true if condition else when_false
        return chosen if chosen is not None else TimeSeries("IF", {}, ctx.period)
    points = {}
    for t, test in condition.points.items():
        chosen = when_true if test else when_false
        value = _value_at(chosen, t)
        if value is not None:
            points[t] = value
    template = next((v for v in (when_true, when_false) if is_series(v)), condition)
    return template.derive(ctx.dropped.keep(points))


def _value_at(value, t: float) -> float | None:
    if value is None:
        return None
    if is_scalar(value):
        return float(value)
    return value.points.get(t)


def time_series(ctx, arguments):
    """TIME_SERIES(scalar): the value at every period of the time range."""
    check_arity("TIME_SERIES", arguments, 1, 1)
    value = arguments[0]
    if not is_scalar(value):
        raise unsupported("TIME_SERIES", arguments)
    return TimeSeries("TIME_SERIES", {t: float(value) for t in ctx.grid(ctx.period)}, ctx.period)


FUNCTIONS = {name: _elementwise(name) for name in ELEMENTWISE} | {
    "RATE": _consecutive("RATE", lambda value, previous, elapsed: (value - previous) / elapsed),
    "DIFF": _consecutive("DIFF", lambda value, previous, elapsed: value - previous),
    "DIFF_TIME": _consecutive("DIFF_TIME", lambda value, previous, elapsed: float(elapsed)),
    "RUNNING_SUM": running_sum,
    "PERIOD": period,
    "FILL": fill,
    "IF": if_function,
    "TIME_SERIES": time_series,
}
