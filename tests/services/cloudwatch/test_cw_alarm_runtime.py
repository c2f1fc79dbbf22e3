"""Alarms evaluated on the cloud clock: every TreatMissingData mode, M out of N, the
StateReason AWS writes, history, SetAlarmState and its return to the computed state."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from cw_helpers import NAMESPACE, advance_clock, cloud_now, cw  # noqa: F401


def minute_start(server) -> float:
    """Move the clock to just after a minute boundary and return that boundary."""
    now = cloud_now(server)
    advance_clock(server, 60 - now % 60 + 1)
    return cloud_now(server) // 60 * 60


def put_value(cw, value: float, at: float, name: str = "Load") -> None:
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": name, "Value": value, "Timestamp": datetime.fromtimestamp(at, tz=timezone.utc)}])


def put_alarm(cw, name="high-load", **extra):
    params = dict(AlarmName=name, Namespace=NAMESPACE, MetricName="Load", Statistic="Maximum", Period=60,
                  EvaluationPeriods=1, Threshold=3.0, ComparisonOperator="GreaterThanThreshold")
    params.update(extra)
    cw.put_metric_alarm(**params)


def state_of(cw, name="high-load") -> dict:
    [alarm] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm


def test_a_new_alarm_is_unchecked_then_alarms_on_a_breaching_datapoint(cw, server):
    start = minute_start(server)
    put_alarm(cw)
    alarm = state_of(cw)
    assert (alarm["StateValue"], alarm["StateReason"]) == ("INSUFFICIENT_DATA", "Unchecked: Initial alarm creation")
    put_value(cw, 5.0, start + 5)
    advance_clock(server, 60)
    alarm = state_of(cw)
    stamp = datetime.fromtimestamp(start, tz=timezone.utc).strftime("%d/%m/%y %H:%M:%S")
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"] == f"Threshold Crossed: 1 datapoint [5.0 ({stamp})] was greater than the threshold (3.0)."
    data = json.loads(alarm["StateReasonData"])
    assert data["recentDatapoints"] == [5.0] and data["statistic"] == "Maximum" and data["threshold"] == 3.0
    history = cw.describe_alarm_history(AlarmName="high-load", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == ["Alarm updated from INSUFFICIENT_DATA to ALARM"]
    assert json.loads(history[0]["HistoryData"])["newState"]["stateValue"] == "ALARM"


@pytest.mark.parametrize("treatment,state,reason", [
    ("breaching", "ALARM", "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
                           "treated as [Breaching]."),
    ("notBreaching", "OK", "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
                           "treated as [NonBreaching]."),
    ("ignore", "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation"),
    ("missing", "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation"),
])
def test_an_alarm_without_data_follows_its_treatment(cw, server, treatment, state, reason):
    minute_start(server)
    put_alarm(cw, TreatMissingData=treatment)
    advance_clock(server, 60)
    alarm = state_of(cw)
    assert (alarm["StateValue"], alarm["StateReason"]) == (state, reason)
    assert alarm["TreatMissingData"] == treatment


@pytest.mark.parametrize("treatment,after", [("missing", "INSUFFICIENT_DATA"), ("ignore", "ALARM"),
                                             ("breaching", "ALARM"), ("notBreaching", "OK")])
def test_when_data_stops_the_last_datapoint_counts_for_the_evaluation_range(cw, server, treatment, after):
    start = minute_start(server)
    put_alarm(cw, TreatMissingData=treatment)
    put_value(cw, 5.0, start + 1)
    advance_clock(server, 60)
    assert state_of(cw)["StateValue"] == "ALARM"
    # the range of a 1-period alarm is 3 periods: the datapoint is still evaluated twice more
    advance_clock(server, 120)
    assert state_of(cw)["StateValue"] == "ALARM"
    advance_clock(server, 60)
    alarm = state_of(cw)
    assert alarm["StateValue"] == after
    if after == "INSUFFICIENT_DATA":
        assert alarm["StateReason"] == "Insufficient Data: 1 datapoint was unknown."


def test_m_out_of_n_with_the_reason_aws_writes(cw, server):
    start = minute_start(server)
    put_alarm(cw, EvaluationPeriods=3, DatapointsToAlarm=2)
    for i, value in enumerate([5.0, 1.0, 5.0]):
        put_value(cw, value, start + 60 * i + 1)
    advance_clock(server, 120)
    # one breaching datapoint of the two received: with "missing", both must breach
    assert state_of(cw)["StateValue"] == "OK"
    advance_clock(server, 60)
    alarm = state_of(cw)
    fmt = "%d/%m/%y %H:%M:%S"
    first = datetime.fromtimestamp(start, tz=timezone.utc).strftime(fmt)
    third = datetime.fromtimestamp(start + 120, tz=timezone.utc).strftime(fmt)
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"] == (
        f"Threshold Crossed: 2 out of the last 3 datapoints [5.0 ({third}), 5.0 ({first})] were greater than the "
        f"threshold (3.0) (minimum 2 datapoints for OK -> ALARM transition).")


def test_set_alarm_state_then_the_next_evaluation_returns_to_the_computed_state(cw, server):
    start = minute_start(server)
    put_alarm(cw)
    put_value(cw, 1.0, start + 1)
    advance_clock(server, 60)
    assert state_of(cw)["StateValue"] == "OK"
    cw.set_alarm_state(AlarmName="high-load", StateValue="ALARM", StateReason="testing the pager",
                       StateReasonData='{"why": "test"}')
    alarm = state_of(cw)
    assert (alarm["StateValue"], alarm["StateReason"], alarm["StateReasonData"]) == (
        "ALARM", "testing the pager", '{"why": "test"}')
    advance_clock(server, 60)
    assert state_of(cw)["StateValue"] == "OK"
    summaries = [h["HistorySummary"] for h in cw.describe_alarm_history(
        AlarmName="high-load", HistoryItemType="StateUpdate", ScanBy="TimestampAscending")["AlarmHistoryItems"]]
    assert summaries == ["Alarm updated from INSUFFICIENT_DATA to OK", "Alarm updated from OK to ALARM",
                         "Alarm updated from ALARM to OK"]


def test_high_resolution_alarm_evaluates_every_ten_seconds(cw, server):
    now = cloud_now(server)
    advance_clock(server, 10 - now % 10 + 1)
    start = cloud_now(server) // 10 * 10
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Load", "Value": 9.0, "StorageResolution": 1,
         "Timestamp": datetime.fromtimestamp(start + 2, tz=timezone.utc)}])
    put_alarm(cw, Period=10)
    advance_clock(server, 10)
    assert state_of(cw)["StateValue"] == "ALARM"


def test_metric_math_alarm(cw, server):
    start = minute_start(server)
    put_value(cw, 2.0, start + 1)
    cw.put_metric_alarm(AlarmName="doubled", EvaluationPeriods=1, Threshold=3.0,
                        ComparisonOperator="GreaterThanThreshold", Metrics=[
                            {"Id": "m1", "ReturnData": False, "MetricStat": {
                                "Metric": {"Namespace": NAMESPACE, "MetricName": "Load"}, "Period": 60, "Stat": "Sum"}},
                            {"Id": "e1", "Expression": "m1 * 2", "Label": "twice"}])
    advance_clock(server, 60)
    [alarm] = cw.describe_alarms(AlarmNames=["doubled"])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM"
    assert "[4.0 (" in alarm["StateReason"]
    assert [m["Id"] for m in alarm["Metrics"]] == ["m1", "e1"]
    assert "statistic" not in json.loads(alarm["StateReasonData"])


def test_anomaly_band_alarm(cw, server):
    start = minute_start(server)
    history = [{"MetricName": "Load", "Value": 10.0 + (i % 3), "Timestamp": datetime.fromtimestamp(
        start - 60 * i + 1, tz=timezone.utc)} for i in range(1, 120)]
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=history)
    put_value(cw, 100.0, start + 1)
    cw.put_metric_alarm(AlarmName="unusual", EvaluationPeriods=1, DatapointsToAlarm=1, ThresholdMetricId="band",
                        ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold", Metrics=[
                            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": "Load"},
                                                        "Period": 60, "Stat": "Average"}},
                            {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}])
    advance_clock(server, 60)
    [alarm] = cw.describe_alarms(AlarmNames=["unusual"])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Thresholds Crossed: 1 out of the last 1 datapoints [100.0 (")
    assert "was less than the lower thresholds [" in alarm["StateReason"]
    data = json.loads(alarm["StateReasonData"])
    assert data["recentDatapoints"] == [100.0]
    assert data["recentLowerThresholds"][0] < data["recentUpperThresholds"][0] < 100.0
    assert alarm["ThresholdMetricId"] == "band"


def test_dynamodb_alarms_always_ignore_missing_data(cw, server):
    minute_start(server)
    cw.put_metric_alarm(AlarmName="ddb", Namespace="AWS/DynamoDB", MetricName="ThrottledRequests",
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="breaching")
    advance_clock(server, 60)
    [alarm] = cw.describe_alarms(AlarmNames=["ddb"])["MetricAlarms"]
    assert (alarm["StateValue"], alarm["TreatMissingData"]) == ("INSUFFICIENT_DATA", "breaching")


def test_history_between_dates(cw, server):
    put_alarm(cw)
    before = cloud_now(server)
    advance_clock(server, 3600)
    cw.set_alarm_state(AlarmName="high-load", StateValue="ALARM", StateReason="later")
    items = cw.describe_alarm_history(AlarmName="high-load", StartDate=before + 1800)["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == ["StateUpdate"]
    items = cw.describe_alarm_history(AlarmName="high-load", EndDate=before + 1800)["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == ["ConfigurationUpdate"]
