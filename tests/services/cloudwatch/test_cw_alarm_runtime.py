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
