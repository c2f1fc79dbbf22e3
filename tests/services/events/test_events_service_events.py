"""Overcast's own services' events on the default bus, end to end: a rule with an SQS target
receives S3's ``Object Created`` (a bucket with EventBridge notifications on), CloudWatch's
``CloudWatch Alarm State Change`` (metric and composite alarms) and X-Ray's ``AWS X-Ray
Insight Update`` (a group with NotificationsEnabled)."""

from __future__ import annotations

import calendar
import json
import math
import os
import re
import sys
import time
from datetime import datetime, timezone

import pytest
from dispatch_helpers import receive, rule_to_queue

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "xray"))
from xray_helpers import traffic  # noqa: E402

ACCOUNT = "000000000000"
ISO_MILLIS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


@pytest.fixture
def sqs(aws_client, server):
    return aws_client("sqs")


def _one_event(sqs, url: str) -> dict:
    [message] = receive(sqs, url, 1, timeout=10)
    return json.loads(message["Body"])


def test_s3_object_events_reach_a_rule_on_the_default_bus(events, sqs, aws_client):
    s3 = aws_client("s3")
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["aws.s3"], "detail-type": ["Object Created"]})
    s3.create_bucket(Bucket="bridged-bucket")
    s3.put_bucket_notification_configuration(Bucket="bridged-bucket",
                                             NotificationConfiguration={"EventBridgeConfiguration": {}})
    s3.put_object(Bucket="bridged-bucket", Key="reports/a.txt", Body=b"hello")
    event = _one_event(sqs, url)
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
                           "detail"]
    assert event["source"] == "aws.s3" and event["detail-type"] == "Object Created"
    assert event["account"] == ACCOUNT and event["region"] == "us-east-1"
    assert event["resources"] == ["arn:aws:s3:::bridged-bucket"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])
    assert re.fullmatch(r"[0-9a-f-]{36}", event["id"])
    detail = event["detail"]
    assert detail["bucket"] == {"name": "bridged-bucket"} and detail["reason"] == "PutObject"
    assert detail["object"]["key"] == "reports/a.txt" and detail["object"]["size"] == 5


def test_a_metric_alarm_state_change_reaches_a_rule(events, sqs, aws_client):
    cloudwatch = aws_client("cloudwatch")
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["aws.cloudwatch"],
                                                    "detail-type": ["CloudWatch Alarm State Change"]})
    cloudwatch.put_metric_alarm(AlarmName="cpu-high", AlarmDescription="CPU too high", Namespace="AWS/EC2",
                                MetricName="CPUUtilization", Dimensions=[{"Name": "InstanceId", "Value": "i-1"}],
                                Statistic="Average", Period=300, EvaluationPeriods=1, Threshold=50,
                                ComparisonOperator="GreaterThanThreshold")
    cloudwatch.set_alarm_state(AlarmName="cpu-high", StateValue="ALARM", StateReason="testing the event")
    event = _one_event(sqs, url)
    assert event["source"] == "aws.cloudwatch" and event["detail-type"] == "CloudWatch Alarm State Change"
    assert event["resources"] == [f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:cpu-high"]
    detail = event["detail"]
    assert list(detail) == ["alarmName", "state", "previousState", "configuration"]
    assert detail["alarmName"] == "cpu-high"
    assert detail["state"]["value"] == "ALARM" and detail["state"]["reason"] == "testing the event"
    assert re.fullmatch(ISO_MILLIS, detail["state"]["timestamp"])
    assert detail["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert detail["previousState"]["reason"] == "Unchecked: Initial alarm creation"
    assert re.fullmatch(ISO_MILLIS, detail["previousState"]["timestamp"])
    assert detail["configuration"] == {
        "description": "CPU too high",
        "metrics": [{"id": "m1", "metricStat": {
            "metric": {"namespace": "AWS/EC2", "name": "CPUUtilization", "dimensions": {"InstanceId": "i-1"}},
            "period": 300, "stat": "Average"}, "returnData": True}]}
    # no event without a transition: the same state again changes nothing
    cloudwatch.set_alarm_state(AlarmName="cpu-high", StateValue="ALARM", StateReason="still")
    cloudwatch.set_alarm_state(AlarmName="cpu-high", StateValue="OK", StateReason="back to normal")
    event = _one_event(sqs, url)
    assert event["detail"]["state"]["value"] == "OK"
    assert event["detail"]["previousState"]["value"] == "ALARM"


def test_a_composite_alarm_state_change_reaches_a_rule(events, sqs, aws_client):
    cloudwatch = aws_client("cloudwatch")
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["aws.cloudwatch"],
                                                    "detail": {"alarmName": ["service-down"]}})
    cloudwatch.put_metric_alarm(AlarmName="child", Namespace="Overcast/Test", MetricName="Errors",
                                Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanOrEqualToThreshold")
    cloudwatch.put_composite_alarm(AlarmName="service-down", AlarmRule="ALARM(child)",
                                   AlarmDescription="the service is down")
    created = _one_event(sqs, url)  # a new composite alarm evaluates its rule at once: OK
    assert created["detail"]["state"]["value"] == "OK"
    assert created["detail"]["previousState"]["value"] == "INSUFFICIENT_DATA"
    cloudwatch.set_alarm_state(AlarmName="child", StateValue="ALARM", StateReason="errors")
    event = _one_event(sqs, url)
    assert event["resources"] == [f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:service-down"]
    detail = event["detail"]
    assert detail["state"]["value"] == "ALARM" and detail["previousState"]["value"] == "OK"
    assert detail["state"]["reason"].startswith(f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:child transitioned "
                                                "to ALARM at ")
    assert json.loads(detail["state"]["reasonData"])["triggeringAlarms"][0]["state"]["value"] == "ALARM"
    assert detail["configuration"] == {"description": "the service is down", "alarmRule": "ALARM(child)"}


def _now(server) -> float:
    return json.loads(server.get("/_overcast/clock"))["now"]


def test_an_xray_insight_with_notifications_reaches_a_rule(events, sqs, aws_client, server):
    xray = aws_client("xray")
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["aws.xray"],
                                                    "detail-type": ["AWS X-Ray Insight Update"]})
    group = xray.create_group(GroupName="shop", FilterExpression='service("web")',
                              InsightsConfiguration={"InsightsEnabled": True, "NotificationsEnabled": True})["Group"]
    xray.create_group(GroupName="silent", FilterExpression='service("web")',
                      InsightsConfiguration={"InsightsEnabled": True})
    first = math.floor(_now(server) / 60) * 60 + 60
    for n in range(20):  # ten healthy minutes, four bad ones, six healthy ones
        traffic(xray, first + n * 60, 10, 8 if 10 <= n < 14 else 0)
    server.post("/_overcast/clock", json.dumps({"time": first + 23 * 60}).encode())
    got = [json.loads(m["Body"]) for m in receive(sqs, url, 2, timeout=10)]
    assert [e["detail"]["State"] for e in got] == ["ACTIVE", "CLOSED"]  # opened, then closed: "shop" only
    opened, closed = got
    assert opened["source"] == "aws.xray" and opened["resources"] == [group["GroupARN"]]
    detail = closed["detail"]
    assert detail["GroupName"] == "shop" and detail["Categories"] == ["FAULT"]
    assert detail["InsightId"] == opened["detail"]["InsightId"]
    assert detail["RootCauseServiceId"]["Name"] == "web"
    assert detail["StartTime"] == (first + 10 * 60) * 1000 and detail["EndTime"] > detail["StartTime"]
    assert detail["ClientRequestImpactStatistics"]["FaultCount"] > 0
    assert set(detail["Event"]) == {"Summary", "EventTime", "ClientRequestImpactStatistics",
                                    "RootCauseServiceRequestImpactStatistics", "TopAnomalousServices"}
    assert receive(sqs, url, 1, timeout=1) == []


def test_a_suppressed_composite_alarm_says_why_in_its_state(events, sqs, aws_client):
    cloudwatch = aws_client("cloudwatch")
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["aws.cloudwatch"],
                                                    "detail": {"state": {"value": ["ALARM"]}}})
    for name in ("worker-errors", "maintenance"):
        cloudwatch.put_metric_alarm(AlarmName=name, Namespace="Overcast/Test", MetricName=name, Statistic="Sum",
                                    Period=60, EvaluationPeriods=1, Threshold=1,
                                    ComparisonOperator="GreaterThanOrEqualToThreshold")
    cloudwatch.put_composite_alarm(AlarmName="workers-down", AlarmRule="ALARM(worker-errors)",
                                   ActionsSuppressor="maintenance", ActionsSuppressorWaitPeriod=120,
                                   ActionsSuppressorExtensionPeriod=180)
    cloudwatch.set_alarm_state(AlarmName="worker-errors", StateValue="ALARM", StateReason="errors")
    got = {e["detail"]["alarmName"]: e["detail"] for e in (json.loads(m["Body"]) for m in receive(sqs, url, 2))}
    detail = got["workers-down"]
    assert list(detail["state"])[:2] == ["actionsSuppressedBy", "actionsSuppressedReason"]
    assert detail["state"]["actionsSuppressedBy"] == "WaitPeriod"
    assert detail["state"]["actionsSuppressedReason"] == "Actions suppressed by WaitPeriod"
    assert detail["configuration"] == {"alarmRule": "ALARM(worker-errors)", "actionsSuppressor": "maintenance",
                                       "actionsSuppressorWaitPeriod": 120, "actionsSuppressorExtensionPeriod": 180}
    assert "actionsSuppressedBy" not in got["worker-errors"]["state"]


def test_an_evaluated_alarm_sends_its_threshold_reason(events, sqs, aws_client, server):
    cloudwatch = aws_client("cloudwatch")
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["aws.cloudwatch"],
                                                    "detail": {"alarmName": ["queue-deep"]}})
    cloudwatch.put_metric_alarm(AlarmName="queue-deep", Namespace="Overcast/Test", MetricName="Depth",
                                Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=5,
                                ComparisonOperator="GreaterThanThreshold")
    now = _now(server)
    cloudwatch.put_metric_data(Namespace="Overcast/Test", MetricData=[
        {"MetricName": "Depth", "Value": 10, "Timestamp": datetime.fromtimestamp(now, timezone.utc)}])
    server.post("/_overcast/clock", json.dumps({"advance": 120}).encode())
    event = _one_event(sqs, url)
    state = event["detail"]["state"]
    assert state["value"] == "ALARM" and state["reason"].startswith("Threshold Crossed: 1 datapoint [10.0 (")
    assert json.loads(state["reasonData"])["recentDatapoints"] == [10.0]
    assert event["time"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
        calendar.timegm(time.strptime(state["timestamp"][:19], "%Y-%m-%dT%H:%M:%S"))))
