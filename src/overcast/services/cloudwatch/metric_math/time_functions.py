"""Functions of the timestamps of a series (UTC): EPOCH (seconds since 1970), MINUTE (0-59),
HOUR (0-23), DAY (day of the week, 1 = Monday to 7 = Sunday), DATE (1-31), MONTH (1-12),
YEAR; and DATAPOINT_COUNT (of a series: how many points it has; of an array: per timestamp,
how many of its series have a point)."""

from __future__ import annotations

from datetime import datetime, timezone

from overcast.services.cloudwatch.metric_math.series import TimeSeries, is_array, is_series
from overcast.services.cloudwatch.metric_math.values import check_arity, map_series, unsupported

PARTS = {
    "EPOCH": lambda moment, stamp: float(stamp),
    "MINUTE": lambda moment, stamp: float(moment.minute),
    "HOUR": lambda moment, stamp: float(moment.hour),
    "DAY": lambda moment, stamp: float(moment.isoweekday()),
    "DATE": lambda moment, stamp: float(moment.day),
    "MONTH": lambda moment, stamp: float(moment.month),
    "YEAR": lambda moment, stamp: float(moment.year),
}


def _part(name: str):
    extract = PARTS[name]

    def apply(ctx, arguments):
        check_arity(name, arguments, 1, 1)
        return map_series(arguments[0], lambda s: s.derive(
            {t: extract(datetime.fromtimestamp(t, timezone.utc), t) for t in s.points}), name)
    return apply


def datapoint_count(ctx, arguments):
    check_arity("DATAPOINT_COUNT", arguments, 1, 1)
    value = arguments[0]
    if is_series(value):
        return float(len(value.points))
    if is_array(value):
        stamps = set().union(*(s.points.keys() for s in value)) if value else set()
        counts = {t: float(sum(1 for s in value if t in s.points)) for t in stamps}
        return TimeSeries("DATAPOINT_COUNT", counts, value[0].period if value else ctx.period)
    raise unsupported("DATAPOINT_COUNT", arguments)


FUNCTIONS = {name: _part(name) for name in PARTS} | {"DATAPOINT_COUNT": datapoint_count}
