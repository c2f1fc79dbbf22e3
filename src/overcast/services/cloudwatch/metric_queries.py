"""Running a list of MetricDataQuery structures: GetMetricData's engine, and the alarms' on
metric math and anomaly bands.

Queries are evaluated lazily in dependency order (an expression asks for the queries it names),
each once. A query whose value is an array (SEARCH, METRICS(), ANOMALY_DETECTION_BAND) gives
one result per series, all with the query's Id; a band gives its lower bound, then its upper
bound. An expression whose value is a scalar gives that value at every period of the range.
Non-finite points are dropped with CloudWatch's ``ArithmeticError`` message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from overcast.errors import AwsError
from overcast.services.cloudwatch.dynamic_labels import offset_of, render
from overcast.services.cloudwatch.insights_reading import run_insights
from overcast.services.cloudwatch.metric_math import (
    DroppedPoints, ExpressionError, SeriesArray, TimeSeries, evaluate, parse,
)
from overcast.services.cloudwatch.metric_math.anomaly_band import TRAINING_WINDOW, expected_band
from overcast.services.cloudwatch.metric_math.insights import is_insights, parse_insights
from overcast.services.cloudwatch.metric_math.search import parse_search, search_label
from overcast.services.cloudwatch.metric_math.series import is_array, is_scalar
from overcast.services.cloudwatch.metric_reading import dimensions_of, read_series
from overcast.services.cloudwatch.retention import align_start
from overcast.services.cloudwatch.statistics import BASIC, check_extended_statistic

ARITHMETIC_ERROR = {
    "Code": "ArithmeticError",
    "Value": "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)",
}
# A SEARCH returns at most this many time series (AWS's limit on one search expression).
SEARCH_RESULTS_LIMIT = 500
DEFAULT_PERIOD = 60
# The datapoints one GetMetricData call returns at most (API reference).
MAX_POINTS = 100_800


@dataclass
class QueryResult:
    id: str
    label: str
    timestamps: list[float]
    values: list[float]
    status_code: str = "Complete"       # "Complete" | "PartialData" | "InternalError" | "Forbidden"
    messages: list[dict] = field(default_factory=list)


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def run_queries(provider, scope, queries: list[dict], start: float, end: float,
                scan_by: str = "TimestampDescending", label_timezone: str | None = None) -> list[QueryResult]:
    """The results of the queries that return data, in request order, their dynamic labels
    filled (times in ``label_timezone``, ``+HHMM``). Raises ValidationError (``Error in
    expression '<Id>': ...``) for an expression CloudWatch would refuse."""
    descending = scan_by == "TimestampDescending"
    run = _Run(provider, scope, queries, start, end, offset_of(label_timezone), descending)
    results: list[QueryResult] = []
    for query in queries:
        if query.get("ReturnData", True) is False:
            continue
        results.extend(run.results_of(query, descending))
    return results


class _Run:
    def __init__(self, provider, scope, queries, start, end, zone, descending):
        self.provider, self.scope, self.zone, self.descending = provider, scope, zone, descending
        self.queries = {q["Id"]: q for q in queries}
        self.start, self.end = float(start), float(end)
        self.now = provider.cloud.clock.now()
        self.values: dict[str, object] = {}
        self.dropped: dict[str, DroppedPoints] = {}
        self.evaluating: list[str] = []
        self.default_period = min((int(q["MetricStat"]["Period"]) for q in queries if "MetricStat" in q),
                                  default=DEFAULT_PERIOD)

    # -- values -----------------------------------------------------------------------------
    def value_of(self, query_id: str):
        if query_id in self.values:
            return self.values[query_id]
        query = self.queries.get(query_id)
        if query is None:
            raise ExpressionError(f"Unrecognized metric id: {query_id}")
        if query_id in self.evaluating:
            raise ExpressionError(f"Circular dependency on {query_id}")
        self.evaluating.append(query_id)
        try:
            if "MetricStat" in query:
                value = self._metric(query)
            else:
                value = self._expression(query)
        finally:
            self.evaluating.pop()
        self.values[query_id] = value
        return value

    def _metric(self, query: dict) -> TimeSeries:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        label = query.get("Label") or metric["MetricName"]
        return read_series(self.provider, self.scope, metric["Namespace"], metric["MetricName"],
                           dimensions_of(metric), stat["Stat"], int(stat["Period"]), self.start, self.end,
                           stat.get("Unit"), label)

    def _expression(self, query: dict):
        query_id = query["Id"]
        if is_insights(query["Expression"]):
            try:
                parsed = parse_insights(query["Expression"])
            except ExpressionError as error:
                raise validation_error(error.message_for(query_id)) from None
            found = run_insights(self.provider, self.scope, parsed, self.start, self.end,
                                 int(query.get("Period") or self.default_period))
            return found if parsed.group_by else (found[0] if found else TimeSeries(
                parsed.metric_name, {}, int(query.get("Period") or self.default_period)))
        try:
            tree = parse(query["Expression"])
            context = _ExpressionContext(self, int(query.get("Period") or self.default_period))
            value = evaluate(tree, context)
        except ExpressionError as error:
            raise validation_error(error.message_for(query_id)) from None
        self.dropped[query_id] = context.dropped
        return value

    # -- results ----------------------------------------------------------------------------
    def results_of(self, query: dict, descending: bool) -> list[QueryResult]:
        value = self.value_of(query["Id"])
        own_label = query.get("Label")
        if is_scalar(value):
            period = int(query.get("Period") or self.default_period)
            value = TimeSeries(own_label or query["Id"], {t: value for t in self.grid(period)}, period)
        if is_array(value):
            series_list = [(s, f"{own_label} {s.label}" if own_label else s.label, s.label) for s in value]
        else:
            default = query["MetricStat"]["Metric"]["MetricName"] if "MetricStat" in query else query["Id"]
            series_list = [(value, own_label or default, default)]
        dropped = self.dropped.get(query["Id"]) or DroppedPoints()
        series_list = [(series.derive(dropped.keep(series.points)), label, default)
                       for series, label, default in series_list]
        messages = [dict(ARITHMETIC_ERROR)] if dropped.any else []
        out = []
        for series, label, default in series_list:
            stamps = sorted((t for t in series.points if self.start_of(series.period) <= t < self.end),
                            reverse=descending)
            values = [series.points[t] for t in stamps]
            label = render(label, default, stamps, values, series.source, series.period, self.zone)
            out.append(QueryResult(query["Id"], label, stamps, values, "Complete", list(messages)))
        return out

    # -- time ---------------------------------------------------------------------------------
    def start_of(self, period: int) -> float:
        return float(align_start(self.start, period, self.now))

    def grid(self, period: int) -> list[float]:
        """The period starts of the range; never more than one call can return (100,800), the
        newest when scanning newest first, else the oldest."""
        first = align_start(self.start, period, self.now)
        count = max(0, int((self.end - first + period - 1) // period))
        skip = max(0, count - MAX_POINTS) if self.descending else 0
        return [float(first + i * period) for i in range(skip, min(count, skip + MAX_POINTS))]


class _ExpressionContext:
    """What one expression sees of its request (``metric_math.context.EvaluationContext``)."""

    def __init__(self, run: _Run, period: int):
        self.run = run
        self.start, self.end, self.period = run.start, run.end, period
        self.dropped = DroppedPoints()

    def lookup(self, query_id: str):
        return self.run.value_of(query_id)

    def metric_ids(self) -> list[str]:
        return [i for i, q in self.run.queries.items() if "MetricStat" in q]

    def grid(self, period: int) -> list[float]:
        return self.run.grid(period)

    def search(self, expression: str, statistic: str, period: int) -> SeriesArray:
        if statistic not in BASIC and not check_extended_statistic(statistic):
            raise ExpressionError(f"Invalid statistic for SEARCH: {statistic}")
        parsed = parse_search(expression)
        namespace = parsed.schema.namespace if parsed.schema else None
        found = [m for m in self.run.provider.metric_store.list_metrics(self.run.scope, namespace=namespace)
                 if parsed.matches(m)][:SEARCH_RESULTS_LIMIT]
        return SeriesArray(read_series(self.run.provider, self.run.scope, ns, name, dims, statistic, period,
                                       self.run.start, self.run.end, None, search_label((ns, name, dims)))
                           for ns, name, dims in found)

    def anomaly_band(self, series: TimeSeries, deviations: float) -> SeriesArray:
        history = series.points
        excluded: list[tuple[float, float]] = []
        source = series.source
        if source is not None and series.points:
            first = min(series.points)
            history = read_series(self.run.provider, self.run.scope, source["Namespace"], source["MetricName"],
                                  source["Dimensions"], source["Stat"], series.period, first - TRAINING_WINDOW,
                                  max(series.points) + series.period, source["Unit"], series.label).points
            excluded = self._excluded_ranges(source)
        lower, upper = expected_band(series.timestamps(), history, deviations, excluded)
        return SeriesArray([TimeSeries("Lower Bound", lower, series.period, source),
                            TimeSeries("Upper Bound", upper, series.period, source)])

    def _excluded_ranges(self, source: dict) -> list[tuple[float, float]]:
        lookup = getattr(self.run.provider, "anomaly_detector_config", None)
        config = lookup(self.run.scope, source["Namespace"], source["MetricName"], source["Dimensions"],
                        source["Stat"]) if lookup else None
        ranges = ((config or {}).get("Configuration") or {}).get("ExcludedTimeRanges") or ()
        return [(_epoch(r["StartTime"]), _epoch(r["EndTime"])) for r in ranges]


def _epoch(value) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)
