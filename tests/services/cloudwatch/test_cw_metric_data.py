"""GetMetricData through boto3 and the AWS CLI: metrics and expressions, ordering, labels,
pagination and AWS's validation errors."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from cw_helpers import NAMESPACE, cloud_now, cw, error_of, metric_stat, minute_start, put_series  # noqa: F401


def _at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


@pytest.fixture
def base(cw, server):
    """Requests (Sum per minute: 1, 2, 3, 4) and Errors (0, 1, None, 2) over four minutes."""
    start = minute_start(cloud_now(server), 6)
    put_series(cw, "Requests", [1, 2, 3, 4], start)
    put_series(cw, "Errors", [0, 1, None, 2], start)
    return start


def _get(cw, queries, start, **kwargs):
    return cw.get_metric_data(MetricDataQueries=queries, StartTime=_at(start), EndTime=_at(start + 600), **kwargs)


def test_a_metric_newest_first_labelled_with_its_name(cw, base):
    out = _get(cw, [{"Id": "m1", "MetricStat": metric_stat("Requests")}], base)
    [result] = out["MetricDataResults"]
    assert result["Id"] == "m1" and result["Label"] == "Requests" and result["StatusCode"] == "Complete"
    assert result["Values"] == [4.0, 3.0, 2.0, 1.0]
    assert result["Timestamps"] == [_at(base + 60 * i) for i in (3, 2, 1, 0)]
    assert out["Messages"] == [] and "NextToken" not in out


def test_scan_by_ascending_and_a_labelled_expression_over_aligned_timestamps(cw, base):
    queries = [
        {"Id": "requests", "MetricStat": metric_stat("Requests"), "ReturnData": False},
        {"Id": "errors", "MetricStat": metric_stat("Errors"), "ReturnData": False},
        {"Id": "rate", "Expression": "100 * errors / requests", "Label": "Error rate"},
    ]
    out = _get(cw, queries, base, ScanBy="TimestampAscending")
    [result] = out["MetricDataResults"]
    assert result["Label"] == "Error rate"
    assert result["Timestamps"] == [_at(base), _at(base + 60), _at(base + 180)]
    assert result["Values"] == [0.0, 50.0, 50.0]


def test_an_expression_without_label_is_labelled_with_its_id(cw, base):
    out = _get(cw, [{"Id": "m1", "MetricStat": metric_stat("Requests")}, {"Id": "e1", "Expression": "m1 * 2"}], base)
    assert [(r["Id"], r["Label"]) for r in out["MetricDataResults"]] == [("m1", "Requests"), ("e1", "e1")]
    assert out["MetricDataResults"][1]["Values"] == [8.0, 6.0, 4.0, 2.0]


def test_functions_over_the_request_metrics(cw, base):
    queries = [
        {"Id": "m1", "MetricStat": metric_stat("Requests"), "ReturnData": False},
        {"Id": "m2", "MetricStat": metric_stat("Errors"), "ReturnData": False},
        {"Id": "total", "Expression": "SUM(METRICS())"},
        {"Id": "filled", "Expression": "FILL(m2, REPEAT)"},
        {"Id": "rate", "Expression": "RATE(m1)"},
        {"Id": "avg", "Expression": "AVG(m1)"},
        {"Id": "big", "Expression": "IF(m1 > 2, m1, 0)"},
    ]
    out = _get(cw, queries, base, ScanBy="TimestampAscending")
    values = {r["Id"]: r["Values"] for r in out["MetricDataResults"]}
    assert values["total"] == [1.0, 3.0, 3.0, 6.0]
    assert values["filled"][:4] == [0.0, 1.0, 1.0, 2.0]
    assert values["rate"] == [1 / 60, 1 / 60, 1 / 60]
    assert set(values["avg"]) == {2.5} and len(values["avg"]) == 10     # a scalar: every period of the range
    assert values["big"] == [0.0, 0.0, 3.0, 4.0]


def test_division_by_zero_drops_points_with_the_arithmetic_error_message(cw, base):
    queries = [{"Id": "m1", "MetricStat": metric_stat("Errors"), "ReturnData": False},
               {"Id": "e1", "Expression": "1 / m1"}]
    [result] = _get(cw, queries, base, ScanBy="TimestampAscending")["MetricDataResults"]
    assert result["Values"] == [1.0, 0.5]
    assert result["StatusCode"] == "Complete"
    assert result["Messages"] == [{"Code": "ArithmeticError", "Value": "One or more data-points have been dropped "
                                   "due to non-numeric values (NaN, -Infinite, +Infinite)"}]


def test_search_over_stored_metrics_gives_one_result_per_series(cw, server):
    start = minute_start(cloud_now(server), 5)
    put_series(cw, "Latency", [10, 20], start, dimensions={"Api": "get"})
    put_series(cw, "Latency", [30], start, dimensions={"Api": "put"})
    put_series(cw, "Latency", [99], start, dimensions={"Api": "get", "Stage": "beta"})
    put_series(cw, "Other", [5], start, dimensions={"Api": "get"})
    query = {"Id": "s", "Expression": f"SEARCH('{{{NAMESPACE},Api}} MetricName=\"Latency\"', 'Maximum', 60)"}
    results = _get(cw, [query], start, ScanBy="TimestampAscending")["MetricDataResults"]
    assert sorted((r["Id"], r["Label"], tuple(r["Values"])) for r in results) == [
        ("s", "get Latency", (10.0, 20.0)), ("s", "put Latency", (30.0,))]
    labelled = _get(cw, [{**query, "Label": "p"}, {"Id": "top", "Expression": "MAX(s)"}], start)
    assert sorted(r["Label"] for r in labelled["MetricDataResults"]) == ["p get Latency", "p put Latency", "top"]
    assert labelled["MetricDataResults"][-1]["Values"] == [20.0, 30.0]


def test_anomaly_detection_band_gives_lower_then_upper_bound(cw, server):
    start = minute_start(cloud_now(server), 12)
    put_series(cw, "Load", [10, 12, 11, 13, 9, 10, 12, 11, 10, 12], start)
    queries = [{"Id": "m1", "MetricStat": metric_stat("Load", "Average")},
               {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}]
    results = _get(cw, queries, start, ScanBy="TimestampAscending")["MetricDataResults"]
    lower, upper = [r for r in results if r["Id"] == "band"]
    assert len(lower["Values"]) == len(upper["Values"]) == 10
    assert all(lo < hi for lo, hi in zip(lower["Values"], upper["Values"]))
    assert lower["Values"][-1] < 12 < upper["Values"][-1]


def test_dynamic_labels(cw, server):
    start = minute_start(cloud_now(server), 5)
    put_series(cw, "Latency", [10, 30], start, dimensions={"Api": "get"})
    query = {"Id": "m1", "MetricStat": metric_stat("Latency", "Average", dimensions={"Api": "get"}),
             "Label": "${PROP('Dim.Api')} ${PROP('MetricName')} ${PROP('Stat')} avg ${AVG} max ${MAX} "
                      "n ${DATAPOINT_COUNT} ${LABEL} last at ${LAST_TIME} in ${PROP('Region')}"}
    [result] = _get(cw, [query], start, LabelOptions={"Timezone": "+0130"})["MetricDataResults"]
    last = datetime.fromtimestamp(start + 60, tz=timezone.utc).astimezone(
        datetime.strptime("+0130", "%z").tzinfo).strftime("%Y-%m-%dT%H:%M:%S%z")
    assert result["Label"] == f"get Latency Average avg 20 max 30 n 2 Latency last at {last} in us-east-1"


def test_pagination_with_max_datapoints(cw, base):
    queries = [{"Id": "m1", "MetricStat": metric_stat("Requests")}, {"Id": "m2", "MetricStat": metric_stat("Errors")}]
    first = _get(cw, queries, base, MaxDatapoints=3)
    assert [(r["Id"], r["Values"], r["StatusCode"]) for r in first["MetricDataResults"]] == [
        ("m1", [4.0, 3.0, 2.0], "PartialData")]
    second = _get(cw, queries, base, MaxDatapoints=3, NextToken=first["NextToken"])
    assert [(r["Id"], r["Values"], r["StatusCode"]) for r in second["MetricDataResults"]] == [
        ("m1", [1.0], "Complete"), ("m2", [2.0, 1.0], "PartialData")]
    third = _get(cw, queries, base, MaxDatapoints=3, NextToken=second["NextToken"])
    assert [(r["Id"], r["Values"]) for r in third["MetricDataResults"]] == [("m2", [0.0])]
    assert "NextToken" not in third
    code, _, status = error_of(_get, cw, queries, base, NextToken="not-a-token")
    assert (code, status) == ("InvalidNextToken", 400)


def test_a_request_with_an_expression_answers_one_page(cw, base):
    queries = [{"Id": "m1", "MetricStat": metric_stat("Requests")}, {"Id": "e1", "Expression": "m1 + 1"}]
    out = _get(cw, queries, base, MaxDatapoints=6)
    assert [(r["Id"], r["Values"], r["StatusCode"]) for r in out["MetricDataResults"]] == [
        ("m1", [4.0, 3.0, 2.0, 1.0], "Complete"), ("e1", [5.0, 4.0], "PartialData")]
    assert "NextToken" not in out


def test_field_errors_are_listed_together_one_per_line(cw, base):
    queries = [{"Id": "Bad", "MetricStat": metric_stat("Requests", stat="Median")},
               {"Id": "m2"},
               {"Id": "m3", "MetricStat": metric_stat("Requests", period=45)}]
    code, message, status = error_of(_get, cw, queries, base)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "The value Bad for parameter MetricDataQueries.member.1.Id is not matching the expected pattern "
        "^[a-z][a-zA-Z0-9_]*$.\n"
        "The value Median for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.\n"
        "The parameter MetricDataQueries.member.2.MetricStat is required.\n"
        "The parameter MetricDataQueries.member.3.MetricStat.Period must be 1, 5, 10, 20, 30, 60, or any "
        "multiple of 60.\n")


@pytest.mark.parametrize("expression, detail", [
    ("m1 +", "Invalid syntax"),
    ("SUM(m1", "Invalid syntax"),
    ("m1 * nope", "Unrecognized metric id: nope"),
    ("ANOMALY_DETECTION_BAND(METRICS(), 2)",
     "Unsupported operand type(s) for ANOMALY_DETECTION_BAND: '[Array[TimeSeries], Scalar]'"),
])
def test_bad_expressions_fail_the_call(cw, base, expression, detail):
    queries = [{"Id": "m1", "MetricStat": metric_stat("Requests")}, {"Id": "e1", "Expression": expression}]
    code, message, status = error_of(_get, cw, queries, base)
    assert (code, message, status) == ("ValidationError", f"Error in expression 'e1': {detail}", 400)


def test_circular_expressions_and_bad_time_range(cw, base):
    queries = [{"Id": "e1", "Expression": "e2 + 1"}, {"Id": "e2", "Expression": "e1 * 2"}]
    code, message, _ = error_of(_get, cw, queries, base)
    assert code == "ValidationError" and message.startswith("Error in expression 'e1': Circular")
    code, message, _ = error_of(cw.get_metric_data, MetricDataQueries=[{"Id": "m1", "MetricStat": metric_stat("x")}],
                                StartTime=_at(base), EndTime=_at(base))
    assert (code, message) == ("ValidationError", "The parameter StartTime must be less than the parameter EndTime.")


def test_cli_example_shape(aws_cli, cw, server, tmp_path):
    start = minute_start(cloud_now(server), 10)
    start -= start % 300
    put_series(cw, "EBSReadOps", [600], start, dimensions={"InstanceId": "i-abcdef"})
    put_series(cw, "EBSWriteOps", [300], start, dimensions={"InstanceId": "i-abcdef"})
    queries = [{"Id": "m3", "Expression": "(m1+m2)/300", "Label": "Avg Total IOPS"}] + [
        {"Id": f"m{i}", "MetricStat": metric_stat(name, period=300, dimensions={"InstanceId": "i-abcdef"}),
         "ReturnData": False} for i, name in ((1, "EBSReadOps"), (2, "EBSWriteOps"))]
    # the CLI prints timestamps as the documentation's example shows them
    (tmp_path / "aws-config").write_text("[default]\ncli_timestamp_format = iso8601\n")
    path = tmp_path / "file.json"
    path.write_text(json.dumps(queries))
    out = aws_cli("cloudwatch", "get-metric-data", "--metric-data-queries", f"file://{path}",
                  "--start-time", _at(start).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "--end-time", _at(start + 300).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert out == {"MetricDataResults": [{"Id": "m3", "Label": "Avg Total IOPS",
                                          "Timestamps": [_at(start).isoformat()], "Values": [3.0],
                                          "StatusCode": "Complete"}], "Messages": []}


def test_the_band_leaves_out_the_detector_excluded_time_ranges(cw, server):
    start = minute_start(cloud_now(server), 12)
    put_series(cw, "Spiky", [10, 11, 10, 1000, 10, 11, 10, 11, 10, 11], start)
    queries = [{"Id": "m1", "MetricStat": metric_stat("Spiky", "Average"), "ReturnData": False},
               {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}]

    def last_upper():
        results = _get(cw, queries, start, ScanBy="TimestampAscending")["MetricDataResults"]
        return results[-1]["Values"][-1]

    assert last_upper() > 300                                  # the spike widens the band
    cw.put_anomaly_detector(
        SingleMetricAnomalyDetector={"Namespace": NAMESPACE, "MetricName": "Spiky", "Stat": "Average"},
        Configuration={"ExcludedTimeRanges": [{"StartTime": _at(start + 180), "EndTime": _at(start + 240)}]})
    assert 11 < last_upper() < 20                              # trained without it


def test_hostile_expressions_answer_aws_errors_or_finite_values(cw, base):
    deep = "(" * 1000 + "1" + ")" * 1000
    code, message, status = error_of(_get, cw, [{"Id": "e1", "Expression": deep}], base)
    assert (code, message, status) == ("ValidationError", "Error in expression 'e1': Invalid syntax", 400)
    code, message, status = error_of(_get, cw, [{"Id": "e1", "Expression": "1" + "+1" * 1000}], base)
    assert (code, status) == ("ValidationError", 400) and "nested more than" in message
    [chain] = _get(cw, [{"Id": "e1", "Expression": "1" + "+1" * 300}], base)["MetricDataResults"]
    assert set(chain["Values"]) == {301.0}
    [huge] = _get(cw, [{"Id": "e1", "Expression": "TIME_SERIES(1e999)"}], base)["MetricDataResults"]
    assert huge["Values"] == [] and huge["Messages"][0]["Code"] == "ArithmeticError"
    [power] = _get(cw, [{"Id": "e1", "Expression": "10 ^ 400 - 10 ^ 400"}], base)["MetricDataResults"]
    assert power["Values"] == []


def test_a_long_range_at_a_one_second_period_stays_bounded(cw, base):
    year = 365 * 86400
    out = cw.get_metric_data(MetricDataQueries=[{"Id": "m1", "MetricStat": metric_stat("Requests", period=1)}],
                             StartTime=_at(base - year), EndTime=_at(base + 600))
    assert out["MetricDataResults"][0]["Values"] == [4.0, 3.0, 2.0, 1.0]


def test_a_metrics_insights_query_groups_orders_and_limits(cw, server):
    start = minute_start(cloud_now(server), 5)
    for api, values in (("get", [10, 20]), ("put", [30, 50]), ("list", [1, 1])):
        put_series(cw, "Latency", values, start, dimensions={"Api": api})
    put_series(cw, "Latency", [1000], start, dimensions={"Api": "get", "Stage": "beta"})
    grouped = {"Id": "q", "Period": 60, "Expression": f'SELECT AVG(Latency) FROM SCHEMA("{NAMESPACE}", Api) '
                                                      "WHERE Api != 'list' GROUP BY Api ORDER BY AVG() DESC LIMIT 5"}
    results = _get(cw, [grouped], start, ScanBy="TimestampAscending")["MetricDataResults"]
    assert [(r["Id"], r["Label"], r["Values"]) for r in results] == [
        ("q", "put", [30.0, 50.0]), ("q", "get", [10.0, 20.0])]
    total = {"Id": "q", "Period": 60, "Expression": f'SELECT SUM(Latency) FROM "{NAMESPACE}"'}
    [result] = _get(cw, [total, {"Id": "e1", "Expression": "q * 2"}], start,
                    ScanBy="TimestampAscending")["MetricDataResults"][:1]
    assert (result["Label"], result["Values"]) == ("q", [1041.0, 71.0])
    code, message, _ = error_of(_get, cw, [total, {**total, "Id": "q2"}], start)
    assert code == "ValidationError" and "Only one Metrics Insights query" in message
    code, message, _ = error_of(_get, cw, [{"Id": "q", "Expression": "SELECT MEDIAN(x) FROM y"}], start)
    assert (code, message) == ("ValidationError", "Error in expression 'q': Invalid syntax")


@pytest.mark.parametrize("query", [
    {"Id": 5, "Expression": "1"},
    {"Id": "e1", "Expression": 7},
    {"Id": "e1", "Expression": "1", "Label": 3},
    {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "N", "MetricName": "M", "Dimensions": [{"Name": "a"}]},
                                "Period": 60, "Stat": "Sum"}},
    {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "N", "MetricName": "M"}, "Period": "sixty", "Stat": 5}},
])
def test_malformed_queries_from_a_raw_client_are_validation_errors(aws_client, base, query):
    from botocore.config import Config

    loose = aws_client("cloudwatch", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    code, _, status = error_of(loose.get_metric_data, MetricDataQueries=[query], StartTime=_at(base),
                               EndTime=_at(base + 600))
    assert status == 400 and code in ("ValidationError", "MissingParameter", "SerializationException",
                                      "InvalidParameterValue")


def test_a_range_of_centuries_answers_the_stored_points_quickly(cw, base):
    queries = [{"Id": "m1", "MetricStat": metric_stat("Requests", period=60)},
               {"Id": "q", "Period": 60, "Expression": f'SELECT SUM(Requests) FROM "{NAMESPACE}"'}]
    out = cw.get_metric_data(MetricDataQueries=queries, StartTime=datetime(1970, 1, 2, tzinfo=timezone.utc),
                             EndTime=datetime(9999, 12, 31, tzinfo=timezone.utc))
    m1, q = out["MetricDataResults"]
    assert m1["Values"] == [4.0, 3.0, 2.0, 1.0] and q["Values"] == [4.0, 3.0, 2.0, 1.0]


def test_request_level_parameters(aws_client, cw, base):
    from botocore.config import Config

    query = [{"Id": "m1", "MetricStat": metric_stat("Requests")}]
    assert error_of(_get, cw, query, base, MaxDatapoints=0) == (
        "ValidationError", "The value 0 for parameter MaxDatapoints is invalid.", 400)
    assert error_of(_get, cw, query, base, LabelOptions={"Timezone": "CET"}) == (
        "ValidationError", "The value CET for parameter LabelOptions.Timezone is invalid.", 400)
    loose = aws_client("cloudwatch", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    assert error_of(_get, loose, query, base, ScanBy="Sideways") == (
        "ValidationError", "The parameter ScanBy must be a value in the set [ TimestampDescending, "
        "TimestampAscending ].", 400)
    code, message, _ = error_of(_get, loose, [{"Id": "m1", "MetricStat": {**metric_stat("Requests"), "Unit": "Apples"}}],
                                base)
    assert code == "ValidationError" and message.startswith(
        "The parameter MetricDataQueries.member.1.MetricStat.Unit must be a value in the set [ Seconds,")


def test_at_most_500_queries(cw, base):
    queries = [{"Id": f"e{i}", "Expression": "1"} for i in range(501)]
    assert error_of(_get, cw, queries, base) == (
        "ValidationError", "The collection MetricDataQueries must not have a size greater than 500.", 400)
    assert len(_get(cw, queries[:500], base)["MetricDataResults"]) == 500


def test_ids_are_unique(cw, base):
    code, message, _ = error_of(_get, cw, [{"Id": "e1", "Expression": "1"}, {"Id": "e1", "Expression": "2"}], base)
    assert code == "ValidationError" and "e1" in message
