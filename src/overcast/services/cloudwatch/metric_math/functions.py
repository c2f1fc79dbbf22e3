"""The function table of metric math, and the functions that reach outside the expression:
METRICS() (the request's metrics), SEARCH (stored metrics) and ANOMALY_DETECTION_BAND."""

from __future__ import annotations

import math

from overcast.services.cloudwatch.metric_math import aggregate_functions, series_functions, time_functions
from overcast.services.cloudwatch.metric_math.errors import ExpressionError
from overcast.services.cloudwatch.metric_math.series import SeriesArray, is_scalar, is_series
from overcast.services.cloudwatch.metric_math.values import Keyword, check_arity, unsupported


def metrics(ctx, arguments):
    """METRICS() every metric of the request; METRICS("text") those whose Id contains text."""
    check_arity("METRICS", arguments, 0, 1)
    if arguments and (not isinstance(arguments[0], str) or isinstance(arguments[0], Keyword)):
        raise unsupported("METRICS", arguments)
    wanted = arguments[0] if arguments else ""
    return SeriesArray(ctx.lookup(i) for i in ctx.metric_ids() if wanted in i)


def search(ctx, arguments):
    """SEARCH('{Namespace,Dim} MetricName="x"', 'Statistic'[, period]): without a period, the
    expression's own (its query's Period, else the request's metrics')."""
    check_arity("SEARCH", arguments, 2, 3)
    expression, statistic = arguments[0], arguments[1]
    period = arguments[2] if len(arguments) == 3 else ctx.period
    if not (isinstance(expression, str) and isinstance(statistic, str) and is_scalar(period)) \
            or isinstance(expression, Keyword) or isinstance(statistic, Keyword):
        raise unsupported("SEARCH", arguments)
    if not math.isfinite(period) or period <= 0 or int(period) != period or (period < 60 and period not in (1, 5, 10, 20, 30)) \
            or (period >= 60 and period % 60):
        raise ExpressionError("Invalid period for SEARCH: the period must be 1, 5, 10, 20, 30 "
                              "or a multiple of 60")
    return ctx.search(expression, statistic, int(period))


def anomaly_detection_band(ctx, arguments):
    """ANOMALY_DETECTION_BAND(m1[, deviations]): the band of expected values (default width 2)."""
    check_arity("ANOMALY_DETECTION_BAND", arguments, 1, 2)
    series = arguments[0]
    deviations = arguments[1] if len(arguments) == 2 else 2.0
    if not is_series(series) or not is_scalar(deviations):
        raise unsupported("ANOMALY_DETECTION_BAND", arguments)
    return ctx.anomaly_band(series, float(deviations))


FUNCTIONS = aggregate_functions.FUNCTIONS | series_functions.FUNCTIONS | time_functions.FUNCTIONS | {
    "METRICS": metrics,
    "SEARCH": search,
    "ANOMALY_DETECTION_BAND": anomaly_detection_band,
}
