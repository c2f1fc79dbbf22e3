"""The alarm operations through boto3 and the AWS CLI: what is stored and shown, AWS's checks
and error texts, DescribeAlarms' filters and pages, history, deletion, anomaly detectors."""

from __future__ import annotations

import json

import pytest

from cw_helpers import NAMESPACE, cw, error_of  # noqa: F401

TOPIC = "arn:aws:sns:us-east-1:000000000000:pager"


def put(cw, name="cpu-high", **extra):
    params = dict(AlarmName=name, Namespace=NAMESPACE, MetricName="CPU", Statistic="Average", Period=300,
                  EvaluationPeriods=2, Threshold=70.0, ComparisonOperator="GreaterThanThreshold")
    params.update(extra)
    cw.put_metric_alarm(**params)


def test_put_metric_alarm_is_shown_as_stored(cw):
    put(cw, AlarmDescription="cpu above 70", Dimensions=[{"Name": "InstanceId", "Value": "i-1"}], Unit="Percent",
        DatapointsToAlarm=1, TreatMissingData="breaching", AlarmActions=[TOPIC], OKActions=[TOPIC])
    [alarm] = cw.describe_alarms()["MetricAlarms"]
    assert alarm["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:cpu-high"
    assert {k: alarm[k] for k in ("AlarmName", "AlarmDescription", "Namespace", "MetricName", "Statistic", "Period",
                                  "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
                                  "TreatMissingData", "Unit", "AlarmActions", "OKActions",
                                  "InsufficientDataActions", "ActionsEnabled", "Dimensions")} == {
        "AlarmName": "cpu-high", "AlarmDescription": "cpu above 70", "Namespace": NAMESPACE, "MetricName": "CPU",
        "Statistic": "Average", "Period": 300, "EvaluationPeriods": 2, "DatapointsToAlarm": 1, "Threshold": 70.0,
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "breaching", "Unit": "Percent",
        "AlarmActions": [TOPIC], "OKActions": [TOPIC], "InsufficientDataActions": [], "ActionsEnabled": True,
        "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]}
    assert (alarm["StateValue"], alarm["StateReason"]) == ("INSUFFICIENT_DATA", "Unchecked: Initial alarm creation")
    [created] = cw.describe_alarm_history(AlarmName="cpu-high")["AlarmHistoryItems"]
    assert created["HistoryItemType"] == "ConfigurationUpdate"
    assert created["HistorySummary"] == 'Alarm "cpu-high" created'
    assert json.loads(created["HistoryData"])["type"] == "Create"


@pytest.mark.parametrize("extra,code,message", [
    (dict(DatapointsToAlarm=3), "ValidationError", "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
    (dict(Period=45), "ValidationError", "The parameter Period must be 10, 20, 30 or a multiple of 60."),
    (dict(ExtendedStatistic="p99"), "InvalidParameterCombination",
     "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both."),
    (dict(TreatMissingData="sometimes"), "ValidationError",
     "Option sometimes is not supported. Supported options for parameter TreatMissingData are breaching, "
     "notBreaching, ignore, and missing."),
    (dict(EvaluateLowSampleCountPercentile="maybe"), "ValidationError",
     "Option maybe is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate "
     "and ignore."),
    (dict(AlarmActions=["arn:aws:sqs:us-east-1:000000000000:q"]), "ValidationError",
     "Invalid arn syntax: arn:aws:sqs:us-east-1:000000000000:q"),
    (dict(AlarmActions=["arn:aws:automate:eu-west-1:ec2:stop"]), "ValidationError",
     "Invalid region eu-west-1 specified. Only us-east-1 is supported."),
    (dict(AlarmActions=[TOPIC] * 6), "InvalidParameterValue",
     "The collection AlarmActions must not have a size greater than 5."),
    (dict(ComparisonOperator="GreaterThanUpperThreshold"), "ValidationError",
     "ComparisonOperators for ranges require ThresholdMetricId to be set"),
])
def test_put_metric_alarm_checks(cw, extra, code, message):
    assert error_of(put, cw, **extra) == (code, message, 400)
    assert cw.describe_alarms()["MetricAlarms"] == []


def test_an_unknown_action_kind_is_refused_never_dropped(cw):
    lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:handler"
    put(cw, AlarmActions=[TOPIC, lambda_arn, "arn:aws:automate:us-east-1:ec2:recover"])
    assert cw.describe_alarms()["MetricAlarms"][0]["AlarmActions"] == [
        TOPIC, lambda_arn, "arn:aws:automate:us-east-1:ec2:recover"]
    code, message, _ = error_of(put, cw, AlarmActions=["arn:aws:s3:::bucket"])
    assert (code, message) == ("ValidationError", "Invalid arn syntax: arn:aws:s3:::bucket")


def test_metric_math_alarm_needs_exactly_one_returned_series(cw):
    metrics = [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": "CPU"}, "Period": 60,
                                           "Stat": "Sum"}},
               {"Id": "e1", "Expression": "m1 * 2"}]
    code, message, _ = error_of(cw.put_metric_alarm, AlarmName="math", EvaluationPeriods=1, Threshold=1.0,
                                ComparisonOperator="GreaterThanThreshold", Metrics=metrics)
    assert (code, message) == ("ValidationError", "Exactly one element of the metrics list should return data.")
    metrics[0]["ReturnData"] = False
    cw.put_metric_alarm(AlarmName="math", EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator="GreaterThanThreshold", Metrics=metrics)
    code, message, _ = error_of(cw.put_metric_alarm, AlarmName="math", EvaluationPeriods=1, Threshold=1.0,
                                ComparisonOperator="GreaterThanThreshold", Metrics=metrics, MetricName="CPU")
    assert code == "InvalidParameterCombination"


def test_describe_alarms_filters_and_pages(cw):
    for i in range(5):
        put(cw, name=f"web-{i}", AlarmActions=[TOPIC] if i % 2 else [])
    put(cw, name="db-0")
    put(cw, name="Web-upper")  # prefixes match case-sensitively
    cw.set_alarm_state(AlarmName="web-1", StateValue="ALARM", StateReason="drill")
    assert [a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix="web-")["MetricAlarms"]] == [
        f"web-{i}" for i in range(5)]
    assert [a["AlarmName"] for a in cw.describe_alarms(StateValue="ALARM")["MetricAlarms"]] == ["web-1"]
    assert [a["AlarmName"] for a in cw.describe_alarms(ActionPrefix="arn:aws:sns:")["MetricAlarms"]] == [
        "web-1", "web-3"]
    assert [a["AlarmName"] for a in cw.describe_alarms(AlarmNames=["db-0", "nope"])["MetricAlarms"]] == ["db-0"]
    assert cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["MetricAlarms"] == []
    seen, token = [], None
    while True:
        page = cw.describe_alarms(MaxRecords=2, **({"NextToken": token} if token else {}))
        seen += [a["AlarmName"] for a in page["MetricAlarms"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ["Web-upper", "db-0"] + [f"web-{i}" for i in range(5)]
    assert error_of(cw.describe_alarms, NextToken="bogus")[0] == "InvalidNextToken"
    assert error_of(cw.describe_alarms, AlarmNames=["a"], AlarmNamePrefix="a")[0] == "InvalidParameterCombination"


def test_describe_alarms_for_metric(cw):
    put(cw, name="a", Dimensions=[{"Name": "InstanceId", "Value": "i-1"}])
    put(cw, name="b", Dimensions=[{"Name": "InstanceId", "Value": "i-2"}])
    found = cw.describe_alarms_for_metric(Namespace=NAMESPACE, MetricName="CPU",
                                          Dimensions=[{"Name": "InstanceId", "Value": "i-2"}])["MetricAlarms"]
    assert [a["AlarmName"] for a in found] == ["b"]
    assert cw.describe_alarms_for_metric(Namespace=NAMESPACE, MetricName="CPU")["MetricAlarms"] == []


def test_history_pages_and_scan_order(cw):
    put(cw)
    for state in ("ALARM", "OK", "ALARM"):
        cw.set_alarm_state(AlarmName="cpu-high", StateValue=state, StateReason=f"to {state}")
    items = cw.describe_alarm_history(AlarmName="cpu-high", ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == ["ConfigurationUpdate"] + ["StateUpdate"] * 3
    first = cw.describe_alarm_history(AlarmName="cpu-high", MaxRecords=3)
    assert [i["HistorySummary"] for i in first["AlarmHistoryItems"]] == [
        "Alarm updated from OK to ALARM", "Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"]
    rest = cw.describe_alarm_history(AlarmName="cpu-high", MaxRecords=3, NextToken=first["NextToken"])
    assert [i["HistoryItemType"] for i in rest["AlarmHistoryItems"]] == ["ConfigurationUpdate"]
    assert "NextToken" not in rest


def test_set_alarm_state_checks(cw):
    assert error_of(cw.set_alarm_state, AlarmName="ghost", StateValue="OK", StateReason="x")[0] == "ResourceNotFound"
    put(cw)
    assert error_of(cw.set_alarm_state, AlarmName="cpu-high", StateValue="OK", StateReason="x",
                    StateReasonData="{not json") == ("InvalidFormat", "Data was not syntactically valid JSON", 400)


def test_composite_alarm_checks(cw):
    put(cw, name="child")
    code, message, _ = error_of(cw.put_composite_alarm, AlarmName="c", AlarmRule="()")
    assert (code, message) == ("ValidationError", "Error in AlarmRule [Unsupported token ')' at char 1]")
    code, message, _ = error_of(cw.put_composite_alarm, AlarmName="c", AlarmRule="ALARM(child) OR ALARM(ghost)")
    assert (code, message) == ("ValidationError",
                               "Could not save the composite alarm as alarms [ghost] in the alarm rule do not exist")
    assert error_of(cw.put_composite_alarm, AlarmName="c", AlarmRule="ALARM(child)",
                    AlarmActions=["arn:aws:automate:us-east-1:ec2:stop"])[0] == "ValidationError"
    cw.put_composite_alarm(AlarmName="c", AlarmRule="ALARM(child)")
    code, message, _ = error_of(cw.delete_alarms, AlarmNames=["child"])
    assert code == "ValidationError" and "referenced by composite" in message
    cw.delete_alarms(AlarmNames=["c", "child", "never-existed"])
    left = cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    assert (left["MetricAlarms"], left["CompositeAlarms"]) == ([], [])


def test_a_composite_rule_may_not_lead_back_to_itself(cw):
    put(cw, name="m")
    cw.put_composite_alarm(AlarmName="a", AlarmRule="ALARM(m)")
    cw.put_composite_alarm(AlarmName="b", AlarmRule="ALARM(a)")
    code, message, _ = error_of(cw.put_composite_alarm, AlarmName="a", AlarmRule="ALARM(b)")
    assert code == "ValidationError" and "cycle" in message


def test_anomaly_detectors(cw):
    cw.put_anomaly_detector(SingleMetricAnomalyDetector={"Namespace": NAMESPACE, "MetricName": "CPU", "Stat": "Average",
                                                         "Dimensions": [{"Name": "Host", "Value": "a"}]},
                            Configuration={"ExcludedTimeRanges": [{"StartTime": 1_700_000_000, "EndTime": 1_700_003_600}],
                                           "MetricTimezone": "UTC"})
    cw.put_anomaly_detector(Namespace=NAMESPACE, MetricName="Disk", Stat="Maximum")
    detectors = cw.describe_anomaly_detectors(Namespace=NAMESPACE)["AnomalyDetectors"]
    assert sorted(d["MetricName"] for d in detectors) == ["CPU", "Disk"]
    cpu = next(d for d in detectors if d["MetricName"] == "CPU")
    assert cpu["StateValue"] == "PENDING_TRAINING"
    assert cpu["Configuration"]["MetricTimezone"] == "UTC"
    assert len(cpu["Configuration"]["ExcludedTimeRanges"]) == 1
    assert cpu["SingleMetricAnomalyDetector"]["Dimensions"] == [{"Name": "Host", "Value": "a"}]
    assert [d["MetricName"] for d in cw.describe_anomaly_detectors(MetricName="Disk")["AnomalyDetectors"]] == ["Disk"]
    cw.delete_anomaly_detector(Namespace=NAMESPACE, MetricName="Disk", Stat="Maximum")
    assert error_of(cw.delete_anomaly_detector, Namespace=NAMESPACE, MetricName="Disk",
                    Stat="Maximum")[:3:2] == ("ResourceNotFoundException", 404)
    assert error_of(cw.put_anomaly_detector, Namespace=NAMESPACE, MetricName="CPU", Stat="Average",
                    SingleMetricAnomalyDetector={"Namespace": NAMESPACE, "MetricName": "CPU",
                                                 "Stat": "Average"})[0] == "InvalidParameterCombination"


def test_the_cli_examples(aws_cli, cw):
    """The awscli examples (each CLI run costs seconds: the others go through boto3 here)."""
    aws_cli("cloudwatch", "put-metric-alarm", "--alarm-name", "cpu-mon", "--alarm-description",
            "Alarm when CPU exceeds 70 percent", "--metric-name", "CPUUtilization", "--namespace", "AWS/EC2",
            "--statistic", "Average", "--period", "300", "--threshold", "70", "--comparison-operator",
            "GreaterThanThreshold", "--dimensions", "Name=InstanceId,Value=i-12345678", "--evaluation-periods", "2",
            "--alarm-actions", "arn:aws:sns:us-east-1:111122223333:MyTopic", "--unit", "Percent",
            # (not in the example) so an evaluation falling between the CLI calls keeps the state set
            "--treat-missing-data", "ignore")
    put(cw, name="MemUsageTooHigh")
    aws_cli("cloudwatch", "put-composite-alarm", "--alarm-name", "ProdAlarm", "--alarm-rule",
            "ALARM(cpu-mon) AND ALARM(MemUsageTooHigh)", "--alarm-actions",
            "arn:aws:sns:us-east-1:123456789012:demo", "--actions-enabled")
    aws_cli("cloudwatch", "set-alarm-state", "--alarm-name", "cpu-mon", "--state-value", "ALARM", "--state-reason",
            "testing purposes")
    out = aws_cli("cloudwatch", "describe-alarms", "--alarm-types", "MetricAlarm", "CompositeAlarm")
    assert [(a["AlarmName"], a["StateValue"]) for a in out["MetricAlarms"]] == [
        ("MemUsageTooHigh", "INSUFFICIENT_DATA"), ("cpu-mon", "ALARM")]
    assert out["CompositeAlarms"][0]["AlarmRule"] == "ALARM(cpu-mon) AND ALARM(MemUsageTooHigh)"
    history = aws_cli("cloudwatch", "describe-alarm-history", "--alarm-name", "cpu-mon", "--history-item-type",
                      "StateUpdate")["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"


def test_tags_given_at_creation_and_dropped_with_the_alarm(cw):
    put(cw, Tags=[{"Key": "team", "Value": "ops"}])
    arn = cw.describe_alarms()["MetricAlarms"][0]["AlarmArn"]
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert error_of(put, cw, name="bad-tags", Tags=[{"Key": "aws:x", "Value": "y"}])[0] == "InvalidParameterValue"
    assert cw.describe_alarms(AlarmNames=["bad-tags"])["MetricAlarms"] == []
    cw.delete_alarms(AlarmNames=["cpu-high"])
    assert error_of(cw.list_tags_for_resource, ResourceARN=arn)[0] == "ResourceNotFoundException"
    put(cw)
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == []


def test_history_without_a_name_is_of_one_alarm_type(cw):
    put(cw, name="metric")
    cw.put_composite_alarm(AlarmName="composite", AlarmRule="ALARM(metric)")
    names = {i["AlarmName"] for i in cw.describe_alarm_history()["AlarmHistoryItems"]}
    assert names == {"metric"}
    names = {i["AlarmName"] for i in cw.describe_alarm_history(AlarmTypes=["CompositeAlarm"])["AlarmHistoryItems"]}
    assert names == {"composite"}
    types = {i["AlarmType"] for i in cw.describe_alarm_history(AlarmName="composite")["AlarmHistoryItems"]}
    assert types == {"CompositeAlarm"}
