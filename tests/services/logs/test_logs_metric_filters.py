"""Metric filters through a real server: Put/Describe/DeleteMetricFilter with AWS's checks, and
matching log events publishing into CloudWatch, up to an alarm on the metric going to ALARM."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from logs_helpers import advance_clock, cloud_now_ms, error_of, lambda_forwarder, logs  # noqa: F401

NS = "Overcast/LogMetrics"


def transformation(**extra) -> list[dict]:
    return [{"metricName": "Errors", "metricNamespace": NS, "metricValue": "1", **extra}]


def put_events(logs, group: str, messages: list[str], at_ms: int, stream: str = "s1") -> None:
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": at_ms + i, "message": m} for i, m in enumerate(messages)])


def statistics(cw, name: str, at_ms: int, dimensions: dict | None = None, unit: str | None = None) -> list[dict]:
    start = datetime.fromtimestamp(at_ms / 1000 - 600, tz=timezone.utc)
    end = datetime.fromtimestamp(at_ms / 1000 + 600, tz=timezone.utc)
    extra = {"Unit": unit} if unit else {}
    return cw.get_metric_statistics(
        Namespace=NS, MetricName=name, StartTime=start, EndTime=end, Period=3600,
        Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        Dimensions=[{"Name": k, "Value": v} for k, v in (dimensions or {}).items()], **extra)["Datapoints"]


@pytest.fixture
def group(logs):
    logs.create_log_group(logGroupName="/app/web")
    return "/app/web"


def test_put_describe_delete(logs, group):
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR",
                           metricTransformations=transformation(defaultValue=0.0, unit="Count"))
    [found] = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert found["filterName"] == "errors" and found["filterPattern"] == "ERROR"
    assert found["logGroupName"] == group and isinstance(found["creationTime"], int)
    assert found["metricTransformations"] == [{"metricName": "Errors", "metricNamespace": NS, "metricValue": "1",
                                               "defaultValue": 0.0, "unit": "Count"}]
    # a put with the same name replaces the filter
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="FATAL",
                           metricTransformations=transformation())
    [found] = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert found["filterPattern"] == "FATAL" and "defaultValue" not in found["metricTransformations"][0]
    logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
    code, message, _ = error_of(logs.delete_metric_filter, logGroupName=group, filterName="errors")
    assert (code, message) == ("ResourceNotFoundException", "The specified metric filter does not exist.")


def test_describe_by_prefix_metric_and_pages(logs, group):
    logs.create_log_group(logGroupName="/app/api")
    for name in ("b-filter", "a-filter", "c-other"):
        logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern="x",
                               metricTransformations=[{"metricName": name.upper(), "metricNamespace": NS,
                                                       "metricValue": "1"}])
    logs.put_metric_filter(logGroupName="/app/api", filterName="api", filterPattern="x",
                           metricTransformations=transformation())
    names = [f["filterName"] for f in logs.describe_metric_filters(logGroupName=group)["metricFilters"]]
    assert names == ["a-filter", "b-filter", "c-other"]  # ASCII-sorted by name
    prefixed = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="a-")["metricFilters"]
    assert [f["filterName"] for f in prefixed] == ["a-filter"]
    everywhere = logs.describe_metric_filters()["metricFilters"]
    assert [(f["logGroupName"], f["filterName"]) for f in everywhere] == [
        ("/app/api", "api"), (group, "a-filter"), (group, "b-filter"), (group, "c-other")]
    by_metric = logs.describe_metric_filters(metricName="B-FILTER", metricNamespace=NS)["metricFilters"]
    assert [f["filterName"] for f in by_metric] == ["b-filter"]
    page = logs.describe_metric_filters(logGroupName=group, limit=2)
    assert [f["filterName"] for f in page["metricFilters"]] == ["a-filter", "b-filter"]
    rest = logs.describe_metric_filters(logGroupName=group, limit=2, nextToken=page["nextToken"])
    assert [f["filterName"] for f in rest["metricFilters"]] == ["c-other"] and "nextToken" not in rest
    paginated = logs.get_paginator("describe_metric_filters").paginate(PaginationConfig={"PageSize": 1})
    assert len([f for p in paginated for f in p["metricFilters"]]) == 4


def test_metric_name_needs_its_namespace(logs, group):
    for params in ({"metricName": "Errors"}, {"metricNamespace": NS}):
        code, message, status = error_of(logs.describe_metric_filters, **params)
        assert (code, status) == ("InvalidParameterException", 400)
        assert message == "Describe Metric Filters request must contain both MetricName and MetricNamespace"


def test_checks(logs, group):
    code, message, _ = error_of(logs.put_metric_filter, logGroupName="/missing", filterName="f",
                                filterPattern="x", metricTransformations=transformation())
    assert (code, message) == ("ResourceNotFoundException", "The specified log group does not exist.")
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern='"unclosed',
                                metricTransformations=transformation())
    # PutMetricFilter words the generic refusal as a metric filter's
    assert (code, message) == ("InvalidParameterException", "Invalid metric filter pattern")
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f*",
                                filterPattern="x", metricTransformations=transformation())
    assert code == "InvalidParameterException" and "filterName" in message
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern="x",
                                metricTransformations=transformation() * 2)
    assert code == "InvalidParameterException" and "metricTransformations" in message
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f",
                                filterPattern="{ $.level = ERROR }",
                                metricTransformations=transformation(defaultValue=0.0, dimensions={"L": "$.level"}))
    assert message == ("Invalid metric transformation: dimensions and default value are mutually exclusive "
                       "properties")
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern="ERROR",
                                metricTransformations=transformation(dimensions={"L": "$.level"}))
    assert (code, message) == ("InvalidParameterException", "The specified filter pattern does not support dimensions")
    code, _, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern="[a, b]",
                          metricTransformations=transformation(dimensions={"A": "$a", "B": "$b", "C": "$a",
                                                                           "D": "$b"}))
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern="x",
                          metricTransformations=[{"metricName": "E", "metricNamespace": NS, "metricValue": "one"}])
    assert code == "InvalidParameterException"
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []


def test_a_group_takes_100_metric_filters(logs, group):
    for i in range(100):
        logs.put_metric_filter(logGroupName=group, filterName=f"f{i:03d}", filterPattern="x",
                               metricTransformations=transformation())
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="one-more",
                                filterPattern="x", metricTransformations=transformation())
    assert (code, message) == ("LimitExceededException", "Resource limit exceeded.")
    # replacing one of the 100 is no new filter
    logs.put_metric_filter(logGroupName=group, filterName="f000", filterPattern="y",
                           metricTransformations=transformation())


def test_matching_events_are_counted_in_cloudwatch(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR",
                           metricTransformations=transformation(unit="Count"))
    now = cloud_now_ms(server)
    put_events(logs, group, ["ERROR one", "INFO two", "ERROR three", "ERROR four"], now)
    [point] = statistics(cw, "Errors", now, unit="Count")
    assert (point["Sum"], point["SampleCount"], point["Unit"]) == (3.0, 3.0, "Count")


def test_values_and_dimensions_from_json_fields(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(
        logGroupName=group, filterName="latency", filterPattern="{ $.latency > 0 }",
        metricTransformations=[{"metricName": "Latency", "metricNamespace": NS, "metricValue": "$.latency",
                                "unit": "Milliseconds", "dimensions": {"Path": "$.path"}}])
    now = cloud_now_ms(server)
    put_events(logs, group, ['{"latency": 120, "path": "/a"}', '{"latency": 30, "path": "/a"}',
                             '{"latency": 7.5, "path": "/b"}', '{"latency": 0, "path": "/a"}',
                             '{"latency": 40}', 'not json'], now)
    [a] = statistics(cw, "Latency", now, {"Path": "/a"})
    assert (a["Sum"], a["SampleCount"], a["Minimum"], a["Maximum"]) == (150.0, 2.0, 30.0, 120.0)
    [b] = statistics(cw, "Latency", now, {"Path": "/b"})
    assert (b["Sum"], b["Unit"]) == (7.5, "Milliseconds")
    assert statistics(cw, "Latency", now) == []  # an event without the dimension's field adds nothing


def test_values_from_space_delimited_fields(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(
        logGroupName=group, filterName="bytes", filterPattern="[ip, user, status=200, bytes]",
        metricTransformations=[{"metricName": "Bytes", "metricNamespace": NS, "metricValue": "$bytes",
                                "dimensions": {"Status": "$status"}}])
    now = cloud_now_ms(server)
    put_events(logs, group, ["10.0.0.1 alice 200 1000", "10.0.0.2 bob 404 5", "10.0.0.3 carol 200 24"], now)
    [point] = statistics(cw, "Bytes", now, {"Status": "200"})
    assert (point["Sum"], point["SampleCount"]) == (1024.0, 2.0)


def test_default_value_is_published_for_a_batch_without_a_match(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR",
                           metricTransformations=transformation(defaultValue=0.0))
    now = cloud_now_ms(server)
    put_events(logs, group, ["INFO all good", "DEBUG fine"], now)
    [point] = statistics(cw, "Errors", now)
    assert (point["Sum"], point["SampleCount"]) == (0.0, 1.0)


def test_a_deleted_filter_publishes_nothing(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR",
                           metricTransformations=transformation())
    logs.delete_metric_filter(logGroupName=group, filterName="errors")
    now = cloud_now_ms(server)
    put_events(logs, group, ["ERROR x"], now)
    assert statistics(cw, "Errors", now) == []


def test_an_alarm_on_a_metric_filter_goes_to_alarm(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="?ERROR ?FATAL",
                           metricTransformations=transformation())
    now = cloud_now_ms(server)
    advance_clock(server, 60 - (now / 1000) % 60 + 1)  # just after a minute starts
    cw.put_metric_alarm(AlarmName="log-errors", Namespace=NS, MetricName="Errors", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=2.0, ComparisonOperator="GreaterThanOrEqualToThreshold")
    put_events(logs, group, ["ERROR disk full", "INFO ok", "FATAL gone"], cloud_now_ms(server))
    advance_clock(server, 60)
    [alarm] = cw.describe_alarms(AlarmNames=["log-errors"])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 datapoint [2.0 (")


def test_field_selection_criteria_and_system_field_dimensions(logs, aws_client, server, group):
    cw = aws_client("cloudwatch")
    logs.put_metric_filter(logGroupName=group, filterName="elsewhere", filterPattern="ERROR",
                           fieldSelectionCriteria='@aws.region = "eu-west-1" OR @aws.account IN ["111122223333"]',
                           metricTransformations=[{"metricName": "Elsewhere", "metricNamespace": NS,
                                                   "metricValue": "1"}])
    logs.put_metric_filter(logGroupName=group, filterName="here", filterPattern="ERROR",
                           fieldSelectionCriteria='NOT (@aws.region != "us-east-1")',
                           emitSystemFieldDimensions=["@aws.account", "@aws.region"],
                           metricTransformations=[{"metricName": "Here", "metricNamespace": NS, "metricValue": "1"}])
    shown = {f["filterName"]: f for f in logs.describe_metric_filters(logGroupName=group)["metricFilters"]}
    assert shown["here"]["emitSystemFieldDimensions"] == ["@aws.account", "@aws.region"]
    assert shown["elsewhere"]["fieldSelectionCriteria"].startswith('@aws.region = "eu-west-1"')
    now = cloud_now_ms(server)
    put_events(logs, group, ["ERROR a", "ERROR b"], now)
    assert statistics(cw, "Elsewhere", now) == []  # its criteria select no event of this group
    [point] = statistics(cw, "Here", now, {"@aws.account": "000000000000", "@aws.region": "us-east-1"})
    assert point["Sum"] == 2.0
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="bad", filterPattern="x",
                                fieldSelectionCriteria='@aws.region ~ "x"', metricTransformations=transformation())
    assert code == "InvalidParameterException" and message.startswith("Invalid fieldSelectionCriteria")
    code, _, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="bad", filterPattern="x",
                          emitSystemFieldDimensions=["@source.log"], metricTransformations=transformation())
    assert code == "InvalidParameterException"


def test_log_groups_count_their_metric_filters(logs, group):
    for name in ("a", "b"):
        logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern="x",
                               metricTransformations=transformation())
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["metricFilterCount"] == 2


def test_only_standard_class_groups_have_metric_filters(logs):
    logs.create_log_group(logGroupName="/archive", logGroupClass="INFREQUENT_ACCESS")
    for call, params in ((logs.put_metric_filter, {"filterName": "f", "filterPattern": "x",
                                                   "metricTransformations": transformation()}),
                         (logs.describe_metric_filters, {}), (logs.delete_metric_filter, {"filterName": "f"})):
        code, message, status = error_of(call, logGroupName="/archive", **params)
        assert (code, message, status) == ("ValidationException",
                                           "This operation is only supported on the Standard log class.", 400)


def test_five_regular_expressions_per_group(logs, group, aws_client):
    two = "{ $.a = %ab+% && $.b = %c[0-9]% }"
    for name in ("r1", "r2"):
        logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern=two,
                               metricTransformations=transformation())
    code, message, _ = error_of(logs.put_metric_filter, logGroupName=group, filterName="r3", filterPattern=two,
                                metricTransformations=transformation())
    assert (code, message) == ("LimitExceededException", "Resource limit exceeded.")
    logs.put_metric_filter(logGroupName=group, filterName="r2", filterPattern=two,  # a replacement is no new one
                           metricTransformations=transformation())
    # subscription filters count too
    function = lambda_forwarder(aws_client("lambda"))
    logs.put_subscription_filter(logGroupName=group, filterName="s", filterPattern="%one%", destinationArn=function)
    code, _, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="s",
                          filterPattern="{ $.a = %x% && $.b = %y% }", destinationArn=function)
    assert code == "LimitExceededException"


def test_the_aws_cli_example(aws_cli, logs, group):
    # the awscli example of put-metric-filter
    aws_cli("logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "DemoFilter",
            "--filter-pattern", "ERROR", "--metric-transformations",
            "metricName=DemoMetric,metricNamespace=DemoNamespace,metricValue=1,defaultValue=0,unit=Seconds")
    listed = aws_cli("logs", "describe-metric-filters", "--log-group-name", group)["metricFilters"]
    assert [(f["filterName"], f["metricTransformations"][0]["unit"]) for f in listed] == [("DemoFilter", "Seconds")]
    aws_cli("logs", "delete-metric-filter", "--log-group-name", group, "--filter-name", "DemoFilter")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
