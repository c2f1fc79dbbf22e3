"""EventBridge's AWS/Events metrics in CloudWatch, on the cloud clock: per rule (RuleName,
and EventBusName + RuleName) and PutEvents' own counts."""

from __future__ import annotations

import json

import pytest
from dispatch_helpers import entry, receive, rule_to_queue


def _advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _now(server) -> float:
    return float(json.loads(server.get("/_overcast/clock"))["now"])


@pytest.fixture
def clients(aws_client, server):
    return aws_client("events"), aws_client("sqs"), aws_client("cloudwatch")


def _sum(cw, name: str, dimensions: list[dict], start: float, end: float) -> float:
    points = cw.get_metric_statistics(Namespace="AWS/Events", MetricName=name, Dimensions=dimensions,
                                      StartTime=start, EndTime=end, Period=60, Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_rule_and_put_events_metrics(clients, server):
    events, sqs, cw = clients
    url, _, rule_arn = rule_to_queue(events, sqs)
    rule = rule_arn.rsplit("/", 1)[1]
    missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue"
    events.put_rule(Name="broken", EventPattern=json.dumps({"source": ["test.app"]}))
    events.put_targets(Rule="broken", Targets=[{"Id": "gone", "Arn": missing}])
    start = _now(server) - 120
    events.put_events(Entries=[entry(), entry(), entry(Source="other.app"), {"Source": "no.detail"}])
    assert len(receive(sqs, url, 2)) == 2
    _advance(server, 120)
    end = _now(server) + 60
    by_rule = [{"Name": "RuleName", "Value": rule}]
    by_bus_rule = [{"Name": "EventBusName", "Value": "default"}, {"Name": "RuleName", "Value": rule}]
    assert _sum(cw, "TriggeredRules", by_rule, start, end) == 2
    assert _sum(cw, "MatchedEvents", by_bus_rule, start, end) == 2
    assert _sum(cw, "Invocations", by_rule, start, end) == 2
    assert _sum(cw, "SuccessfulInvocationAttempts", by_rule, start, end) == 2
    assert _sum(cw, "InvocationAttempts", by_bus_rule, start, end) == 2
    assert _sum(cw, "FailedInvocations", by_rule, start, end) == 0
    broken = [{"Name": "RuleName", "Value": "broken"}]
    assert _sum(cw, "FailedInvocations", broken, start, end) == 2
    assert _sum(cw, "Invocations", [], start, end) == 4  # the account's total
    assert _sum(cw, "PutEventsEntriesCount", [], start, end) == 4
    assert _sum(cw, "PutEventsFailedEntriesCount", [], start, end) == 1
    assert _sum(cw, "PutEventsRequestSize", [], start, end) > 0
    latency = cw.get_metric_statistics(Namespace="AWS/Events", MetricName="IngestionToInvocationCompleteLatency",
                                       Dimensions=[{"Name": "EventBusName", "Value": "default"}], StartTime=start,
                                       EndTime=end, Period=60, Statistics=["SampleCount", "Maximum"])["Datapoints"]
    assert sum(p["SampleCount"] for p in latency) == 2 and all(p["Unit"] == "Milliseconds" for p in latency)
    starts = cw.get_metric_statistics(Namespace="AWS/Events", MetricName="IngestionToInvocationStartLatency",
                                      Dimensions=[], StartTime=start, EndTime=end, Period=60,
                                      Statistics=["SampleCount"])["Datapoints"]
    assert sum(p["SampleCount"] for p in starts) == 4  # two targets' first attempts for two events
