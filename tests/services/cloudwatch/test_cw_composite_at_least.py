"""Composite alarms with ``AT_LEAST(M, STATE, (alarm, ...))``: a count or a percentage of the
listed alarms in (or NOT in) a state, evaluated when the composite is saved and whenever a
child changes state; a malformed AT_LEAST is CloudWatch's "Error in AlarmRule [...]"."""

from __future__ import annotations

import pytest

from cw_helpers import NAMESPACE, cw, error_of  # noqa: F401

CHILDREN = ("web-1", "web-2", "web-3")


def _children(cw) -> None:
    for name in CHILDREN:
        cw.put_metric_alarm(AlarmName=name, Namespace=NAMESPACE, MetricName=name, Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")


def _state(cw, name: str) -> str:
    return cw.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]["StateValue"]


def _set(cw, name: str, state: str) -> None:
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def test_count_of_alarms_in_a_state(cw):
    _children(cw)
    cw.put_composite_alarm(AlarmName="two-of-three", AlarmRule='AT_LEAST(2, ALARM, (web-1, "web-2", web-3))')
    assert _state(cw, "two-of-three") == "OK"
    _set(cw, "web-1", "ALARM")
    assert _state(cw, "two-of-three") == "OK"
    _set(cw, "web-3", "ALARM")
    assert _state(cw, "two-of-three") == "ALARM"
    _set(cw, "web-1", "OK")
    assert _state(cw, "two-of-three") == "OK"
    # the listed alarms are the composite's children
    children = cw.describe_alarms(ChildrenOfAlarmName="two-of-three")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in children) == list(CHILDREN)


def test_percentage_of_alarms_not_in_a_state(cw):
    _children(cw)
    arn = cw.describe_alarms(AlarmNames=["web-2"])["MetricAlarms"][0]["AlarmArn"]
    # children start INSUFFICIENT_DATA: 3 of 3 are NOT OK
    cw.put_composite_alarm(AlarmName="most-not-ok", AlarmRule=f"AT_LEAST(60%, NOT OK, (web-1, {arn}, web-3)) "
                                                              "AND NOT ALARM(web-1)")
    assert _state(cw, "most-not-ok") == "ALARM"
    _set(cw, "web-3", "OK")  # 2 of 3 (67%) not OK
    assert _state(cw, "most-not-ok") == "ALARM"
    _set(cw, "web-2", "OK")  # 1 of 3 (33%)
    assert _state(cw, "most-not-ok") == "OK"


@pytest.mark.parametrize("rule, message", [
    ("AT_LEAST(0, ALARM, (web-1))", "Error in AlarmRule [Unsupported token '0' at char 9]"),
    ("AT_LEAST(2, RED, (web-1))", "Error in AlarmRule [Unsupported token 'RED' at char 12]"),
    ("AT_LEAST(101%, ALARM, (web-1))", "Error in AlarmRule [Unsupported token '101%' at char 9]"),
    ("AT_LEAST(1, ALARM, (web-1 web-2))", "Error in AlarmRule [Unsupported token 'web-2' at char 26, must be: ')']"),
    ("AT_LEAST(1, ALARM, (web-1)", "Error in AlarmRule [Unexpected end of expression at char 26, must be: ')']"),
])
def test_malformed_at_least(cw, rule, message):
    _children(cw)
    assert error_of(cw.put_composite_alarm, AlarmName="bad", AlarmRule=rule) == ("ValidationError", message, 400)


def test_missing_listed_alarm(cw):
    _children(cw)
    assert error_of(cw.put_composite_alarm, AlarmName="bad", AlarmRule="AT_LEAST(1, ALARM, (web-1, nope))") == (
        "ValidationError", "Could not save the composite alarm as alarms [nope] in the alarm rule do not exist", 400)
