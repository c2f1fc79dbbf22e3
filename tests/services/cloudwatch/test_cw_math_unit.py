"""Metric math on its own: the parser, the operators with timestamp alignment, every function,
SEARCH's language and the anomaly band model (through a fake request context)."""

from __future__ import annotations

import math

import pytest

from overcast.services.cloudwatch.metric_math import (
    DroppedPoints, ExpressionError, SeriesArray, TimeSeries, evaluate, parse,
)
from overcast.services.cloudwatch.metric_math.anomaly_band import expected_band
from overcast.services.cloudwatch.metric_math.search import parse_search, search_label

T0 = 1_700_000_000 - 1_700_000_000 % 3600


class FakeContext:
    def __init__(self, series: dict[str, TimeSeries], start=T0, end=T0 + 600, period=60):
        self.series = series
        self.start, self.end, self.period = start, end, period
        self.dropped = DroppedPoints()
        self.searched = []

    def lookup(self, query_id):
        if query_id not in self.series:
            raise ExpressionError(f"Unrecognized metric id: {query_id}")
        return self.series[query_id]

    def metric_ids(self):
        return list(self.series)

    def search(self, expression, statistic, period):
        self.searched.append((expression, statistic, period))
        return SeriesArray([TimeSeries("found", {T0: 1.0}, period)])

    def anomaly_band(self, series, deviations):
        lower, upper = expected_band(series.timestamps(), series.points, deviations)
        return SeriesArray([series.derive(lower, "lower"), series.derive(upper, "upper")])

    def grid(self, period):
        return [float(t) for t in range(int(self.start), int(self.end), period)]


def series(*values, start=T0, period=60, label="m"):
    return TimeSeries(label, {start + i * period: float(v) for i, v in enumerate(values) if v is not None}, period)


def run(expression, ctx):
    return evaluate(parse(expression), ctx)


def points(value):
    return [value.points[t] for t in sorted(value.points)]


@pytest.mark.parametrize("text", ["", "   ", "m1 +", "(m1", "m1 m2", "SUM(", "1 $ 2", "m1,", "'open", "[m1"])
def test_malformed_expressions_are_invalid_syntax(text):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.message_for("e1") == "Error in expression 'e1': Invalid syntax"


def test_precedence_power_and_unary_minus():
    ctx = FakeContext({})
    assert run("1 + 2 * 3", ctx) == 7
    assert run("(1 + 2) * 3", ctx) == 9
    assert run("2 ^ 3 ^ 2", ctx) == 512
    assert run("-2 ^ 2", ctx) == -4
    assert run("10 - 4 - 3", ctx) == 3
    assert run("1e-36 * 0", ctx) == 0


def test_series_arithmetic_aligns_timestamps_and_broadcasts_scalars():
    m1 = series(1, 2, 3, 4)
    m2 = series(None, 10, None, 20)
    ctx = FakeContext({"m1": m1, "m2": m2})
    total = run("m1 + m2", ctx)
    assert total.points == {T0 + 60: 12.0, T0 + 180: 24.0}
    assert points(run("m1 * 2 + 1", ctx)) == [3, 5, 7, 9]
    assert points(run("100 / m1", ctx)) == [100, 50, 100 / 3, 25]


def test_division_by_zero_drops_the_point_and_is_noted():
    ctx = FakeContext({"m1": series(1, 0, 2), "m2": series(0, 0, 1)})
    result = run("m1 / m2", ctx)
    assert result.points == {T0 + 120: 2.0}
    assert ctx.dropped.any


def test_comparison_and_logic_give_ones_and_zeros():
    ctx = FakeContext({"m1": series(1, 5, 9)})
    assert points(run("m1 > 4", ctx)) == [0, 1, 1]
    assert points(run("m1 > 4 AND m1 < 8", ctx)) == [0, 1, 0]
    assert points(run("m1 < 2 || m1 >= 9", ctx)) == [1, 0, 1]
    assert points(run("NOT (m1 == 5)", ctx)) == [1, 0, 1]


def test_aggregates_of_a_series_are_scalars_and_of_an_array_a_series():
    m1, m2 = series(1, 2, 3), series(3, None, 5)
    ctx = FakeContext({"m1": m1, "m2": m2})
    assert run("SUM(m1)", ctx) == 6
    assert run("AVG(m1)", ctx) == 2
    assert run("MIN(m1)", ctx) == 1 and run("MAX(m1)", ctx) == 3
    assert run("STDDEV(m1)", ctx) == pytest.approx(math.sqrt(2 / 3))
    assert points(run("SUM([m1, m2])", ctx)) == [4, 2, 8]
    assert points(run("AVG(METRICS())", ctx)) == [2, 2, 4]
    assert points(run("MAX(METRICS('m2'))", ctx)) == [3, 5]
    assert points(run("m1 - AVG(m1)", ctx)) == [-1, 0, 1]


def test_metrics_filter_keeps_ids_containing_the_text():
    ctx = FakeContext({"errors_a": series(1), "errors_b": series(2), "calls": series(3)})
    assert [points(s) for s in run('METRICS("errors")', ctx)] == [[1], [2]]
    assert len(run("METRICS()", ctx)) == 3


def test_rate_diff_diff_time_and_period():
    ctx = FakeContext({"m1": TimeSeries("m", {T0: 10.0, T0 + 60: 70.0, T0 + 180: 100.0}, 60)})
    assert run("RATE(m1)", ctx).points == {T0 + 60: 1.0, T0 + 180: 0.25}
    assert run("DIFF(m1)", ctx).points == {T0 + 60: 60.0, T0 + 180: 30.0}
    assert run("DIFF_TIME(m1)", ctx).points == {T0 + 60: 60.0, T0 + 180: 120.0}
    assert run("PERIOD(m1)", ctx) == 60
    assert points(run("m1 / PERIOD(m1)", ctx)) == [10 / 60, 70 / 60, 100 / 60]


def test_fill_with_a_value_repeat_and_linear():
    ctx = FakeContext({"m1": TimeSeries("m", {T0 + 60: 10.0, T0 + 240: 40.0}, 60)}, end=T0 + 360)
    assert points(run("FILL(m1, 0)", ctx)) == [0, 10, 0, 0, 40, 0]
    assert points(run("FILL(m1, REPEAT)", ctx)) == [10, 10, 10, 10, 40, 40]
    linear = run("FILL(m1, LINEAR)", ctx)
    assert linear.points == {T0 + 60: 10, T0 + 120: 20, T0 + 180: 30, T0 + 240: 40}


def test_if_with_and_without_a_false_value():
    ctx = FakeContext({"m1": series(1, 5, 9), "m2": series(100, 200, 300)})
    assert points(run("IF(m1 > 4, m2, 0)", ctx)) == [0, 200, 300]
    assert run("IF(m1 > 4, m2)", ctx).points == {T0 + 60: 200.0, T0 + 120: 300.0}
    assert run("IF(1, 2, 3)", ctx) == 2


def test_abs_ceil_floor_and_log():
    ctx = FakeContext({"m1": series(-1.5, 2.25)})
    assert points(run("ABS(m1)", ctx)) == [1.5, 2.25]
    assert points(run("CEIL(m1)", ctx)) == [-1, 3]
    assert points(run("FLOOR(m1)", ctx)) == [-2, 2]
    assert points(run("LOG10(ABS(m1) * 0 + 100)", ctx)) == [2, 2]
    assert run("LOG(m1)", ctx).points == {T0 + 60: math.log(2.25)}
    assert ctx.dropped.any


def test_first_last_sort_time_series_and_running_sum():
    ctx = FakeContext({"a": series(1, 1), "b": series(5, 5), "c": series(3, 3)}, end=T0 + 180)
    assert points(run("FIRST(SORT(METRICS(), AVG, DESC))", ctx)) == [5, 5]
    assert points(run("LAST(SORT(METRICS(), MAX, DESC))", ctx)) == [1, 1]
    assert [points(s) for s in run("SORT(METRICS(), SUM, ASC, 2)", ctx)] == [[1, 1], [3, 3]]
    assert points(run("TIME_SERIES(7)", ctx)) == [7, 7, 7]
    assert points(run("RUNNING_SUM(b)", ctx)) == [5, 10]


def test_search_is_handed_to_the_context():
    ctx = FakeContext({})
    found = run("SEARCH('{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"', 'Average', 300)", ctx)
    assert ctx.searched == [('{AWS/EC2,InstanceId} MetricName="CPUUtilization"', "Average", 300)]
    assert len(found) == 1
    run("SEARCH('{AWS/EC2,InstanceId}', 'Sum')", ctx)
    assert ctx.searched[-1] == ("{AWS/EC2,InstanceId}", "Sum", 60)   # the expression's period
    for bad in ("SEARCH('{AWS/EC2}', 'Average', 7)", "SEARCH('{AWS/EC2}', 'Average', 1e999)",
                "SEARCH('{AWS/EC2}', 'Average', 0/0)"):
        with pytest.raises(ExpressionError):
            run(bad, ctx)
    with pytest.raises(ExpressionError):
        run("SORT(METRICS(), AVG, DESC, 1e999)", ctx)


def test_unknown_ids_functions_and_wrong_types_are_expression_errors():
    ctx = FakeContext({"m1": series(1)})
    with pytest.raises(ExpressionError, match="m9"):
        run("m1 + m9", ctx)
    with pytest.raises(ExpressionError, match="NOPE"):
        run("NOPE(m1)", ctx)
    with pytest.raises(ExpressionError) as caught:
        run("ANOMALY_DETECTION_BAND(METRICS(), 2)", ctx)
    assert caught.value.detail == ("Unsupported operand type(s) for ANOMALY_DETECTION_BAND: "
                                   "'[Array[TimeSeries], Scalar]'")
    with pytest.raises(ExpressionError):
        run("ABS(m1, m1)", ctx)
    with pytest.raises(ExpressionError):
        run("METRICS() + METRICS()", ctx)


def test_search_expression_language():
    ec2 = ("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"})
    ec2_two = ("AWS/EC2", "CPUUtilization", {"InstanceId": "i-2", "Type": "t3"})
    disk = ("AWS/EC2", "DiskReadOps", {"InstanceId": "i-1"})
    app = ("MyApp", "Latency", {})
    schema = parse_search('{AWS/EC2,InstanceId} MetricName="CPUUtilization"')
    assert [m for m in (ec2, ec2_two, disk, app) if schema.matches(m)] == [ec2]
    words = parse_search("cpu OR latency")
    assert [m for m in (ec2, ec2_two, disk, app) if words.matches(m)] == [ec2, ec2_two, app]
    negated = parse_search("{AWS/EC2,InstanceId} NOT InstanceId=\"i-1\"")
    assert not negated.matches(ec2) and not negated.matches(disk)
    grouped = parse_search("Namespace=AWS/EC2 AND (Disk OR t3)")
    assert [m for m in (ec2, ec2_two, disk, app) if grouped.matches(m)] == [ec2_two, disk]
    assert parse_search("{MyApp}").matches(app)
    assert search_label(ec2) == "i-1 CPUUtilization"
    for bad in ("", "(cpu", "{}", "a = ", "cpu )"):
        with pytest.raises(ExpressionError):
            parse_search(bad)


def test_anomaly_band_follows_daily_seasonality_and_skips_excluded_ranges():
    day = 86400
    history = {}
    for d in range(5):
        history[T0 - (d + 1) * day] = 100.0 + d          # the same hour of previous days
        history[T0 - (d + 1) * day + 3600] = 5.0          # another hour: not this hour's pattern
    lower, upper = expected_band([T0], history, 2)
    assert lower[T0] < 102 < upper[T0] and upper[T0] < 110
    lower, upper = expected_band([T0], history, 2, excluded=[(T0 - 6 * day, T0)])
    assert lower == {} and upper == {}
    # No history before the point: the queried range stands in.
    lower, upper = expected_band([T0, T0 + 60], {T0: 10.0, T0 + 60: 20.0}, 1)
    assert lower[T0] == pytest.approx(10) and upper[T0] == pytest.approx(20)


def test_time_functions_and_datapoint_count():
    start = 1_704_067_200 + 13 * 3600 + 5 * 60   # 2024-01-01 (a Monday) 13:05 UTC
    ctx = FakeContext({"m1": series(1, 2, start=start), "m2": series(None, 7, start=start)})
    assert points(run("HOUR(m1)", ctx)) == [13, 13]
    assert points(run("MINUTE(m1)", ctx)) == [5, 6]
    assert points(run("DAY(m1)", ctx)) == [1, 1]
    assert points(run("DATE(m1)", ctx)) == [1, 1]
    assert points(run("MONTH(m1)", ctx)) == [1, 1] and points(run("YEAR(m1)", ctx)) == [2024, 2024]
    assert points(run("EPOCH(m1)", ctx)) == [start, start + 60]
    assert run("DATAPOINT_COUNT(m2)", ctx) == 1
    assert points(run("DATAPOINT_COUNT(METRICS())", ctx)) == [1, 2]


def test_metrics_insights_language():
    from overcast.services.cloudwatch.metric_math.insights import is_insights, parse_insights

    query = parse_insights('select avg(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId) '
                           "WHERE InstanceId != 'i-3' AND (Team = 'a' OR Team = 'b') "
                           "GROUP BY InstanceId ORDER BY AVG() DESC LIMIT 2")
    assert (query.function, query.metric_name, query.namespace) == ("AVG", "CPUUtilization", "AWS/EC2")
    assert query.schema_dimensions == {"InstanceId"} and query.group_by == ("InstanceId",)
    assert (query.order, query.limit) == ("DESC", 2)
    assert query.matches("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"}) is False   # no Team
    loose = parse_insights("SELECT SUM(Hits) FROM MyApp WHERE Api = 'get'")
    assert loose.matches("MyApp", "Hits", {"Api": "get", "Stage": "x"})
    assert not loose.matches("MyApp", "Hits", {"Api": "put"})
    assert is_insights("  select MAX(x) FROM y") and not is_insights("SELECTED + 1")
    for bad in ("SELECT", "SELECT MEDIAN(x) FROM y", "SELECT AVG(x) y", "SELECT AVG(x) FROM y WHERE a = b",
                "SELECT AVG(x) FROM y LIMIT 0", "SELECT AVG(x) FROM y ORDER BY SUM()", "SELECT AVG(x) FROM y z"):
        with pytest.raises(ExpressionError):
            parse_insights(bad)


def test_long_chains_evaluate_and_absurd_depth_is_refused():
    ctx = FakeContext({})
    assert run("1" + "+1" * 300, ctx) == 301
    with pytest.raises(ExpressionError, match="nested more than 400 levels"):
        parse("1" + "+1" * 1000)


def test_deeply_nested_search_and_insights_are_expression_errors():
    from overcast.services.cloudwatch.metric_math.insights import parse_insights

    with pytest.raises(ExpressionError):
        parse_search("(" * 600 + "cpu" + ")" * 600)
    with pytest.raises(ExpressionError):
        parse_insights("SELECT AVG(x) FROM y WHERE " + "(" * 600 + "a = 'b'" + ")" * 600)
