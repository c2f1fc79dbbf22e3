"""Scheduled rules fire on the cloud clock (``POST /_overcast/clock``) and deliver AWS's
"Scheduled Event" to their own targets only: rate and cron rules, disabled rules, changed
expressions, PutRule's refusals, and the AWS CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError


def _advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _now(server) -> float:
    return float(json.loads(server.get("/_overcast/clock"))["now"])


def _queue(sqs, name: str) -> tuple[str, str]:
    """A queue EventBridge may send to (its policy lets the service principal in, for strict mode)."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement = {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                 "Resource": arn}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def _receive_all(sqs, url: str, expected: int) -> list[dict]:
    """Every message on the queue: waits for ``expected`` of them, then checks there is no more."""
    bodies: list[dict] = []
    for _ in range(20):
        if len(bodies) >= expected:
            break
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    extra = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    return bodies + [json.loads(m["Body"]) for m in extra]


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


@pytest.fixture
def events(aws_client):
    return aws_client("events")


def _scheduled_rule(events, sqs, name: str, expression: str, **extra) -> tuple[str, str]:
    url, arn = _queue(sqs, f"{name}-q")
    rule_arn = events.put_rule(Name=name, ScheduleExpression=expression, **extra)["RuleArn"]
    answer = events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    assert answer["FailedEntryCount"] == 0
    return url, rule_arn


def test_rate_rule_sends_one_scheduled_event_per_period(server, events, sqs):
    url, rule_arn = _scheduled_rule(events, sqs, "every-five", "rate(5 minutes)")
    _advance(server, 60)
    assert _receive_all(sqs, url, 0) == []  # rate counts from the rule's creation
    _advance(server, 250)
    [event] = _receive_all(sqs, url, 1)
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
                           "detail"]
    assert (event["version"], event["source"], event["detail-type"]) == ("0", "aws.events", "Scheduled Event")
    assert event["resources"] == [rule_arn] and event["detail"] == {}
    assert event["account"] == rule_arn.split(":")[4] and event["region"] == rule_arn.split(":")[3]
    fired = dt.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert abs(fired.timestamp() - _now(server)) < 60
    _advance(server, 300)
    assert len(_receive_all(sqs, url, 1)) == 1
    # a quarter of an hour with the server up: one run per period, each its own event
    _advance(server, 900)
    runs = _receive_all(sqs, url, 3)
    assert len(runs) == 3 and len({e["id"] for e in runs}) == 3
    assert sorted(e["time"] for e in runs) == [e["time"] for e in sorted(runs, key=lambda e: e["time"])]


def test_cron_rule_fires_at_its_times(server, events, sqs):
    url, _ = _scheduled_rule(events, sqs, "ten-past", "cron(0/10 * * * ? *)")
    now = _now(server)
    next_run = (int(now) // 600 + 1) * 600
    _advance(server, next_run - now - 1)
    assert _receive_all(sqs, url, 0) == []
    _advance(server, 2)
    [event] = _receive_all(sqs, url, 1)
    assert event["time"] == dt.datetime.fromtimestamp(next_run, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _advance(server, 1200)
    times = sorted(e["time"] for e in _receive_all(sqs, url, 2))
    assert times == [dt.datetime.fromtimestamp(next_run + step, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                     for step in (600, 1200)]


def test_scheduled_event_reaches_only_its_own_rules_targets(server, events, sqs):
    url, _ = _scheduled_rule(events, sqs, "scheduled", "rate(1 minute)")
    other_url, other_arn = _queue(sqs, "pattern-q")
    events.put_rule(Name="catch-aws-events", EventPattern=json.dumps({"source": ["aws.events"]}))
    events.put_targets(Rule="catch-aws-events", Targets=[{"Id": "q", "Arn": other_arn}])
    _advance(server, 61)
    assert len(_receive_all(sqs, url, 1)) == 1
    assert _receive_all(sqs, other_url, 0) == []


def test_disabled_rule_is_silent_and_enabling_rearms_it(server, events, sqs):
    url, _ = _scheduled_rule(events, sqs, "paused", "rate(5 minutes)", State="DISABLED")
    _advance(server, 900)
    assert _receive_all(sqs, url, 0) == []
    events.enable_rule(Name="paused")
    _advance(server, 301)
    assert len(_receive_all(sqs, url, 1)) == 1
    events.disable_rule(Name="paused")
    _advance(server, 900)
    assert _receive_all(sqs, url, 0) == []


def test_changing_the_expression_rearms_the_rule(server, events, sqs):
    url, _ = _scheduled_rule(events, sqs, "changing", "rate(5 minutes)")
    _advance(server, 120)
    events.put_rule(Name="changing", ScheduleExpression="rate(10 minutes)")
    _advance(server, 300)
    assert _receive_all(sqs, url, 0) == []  # the old 5-minute run is gone
    _advance(server, 301)
    assert len(_receive_all(sqs, url, 1)) == 1
    # an update that keeps the expression does not restart the count
    events.put_rule(Name="changing", ScheduleExpression="rate(10 minutes)", Description="same schedule")
    _advance(server, 600)
    assert len(_receive_all(sqs, url, 1)) == 1


def test_dropping_the_expression_stops_the_schedule(server, events, sqs):
    url, _ = _scheduled_rule(events, sqs, "was-scheduled", "rate(1 minute)")
    events.put_rule(Name="was-scheduled", EventPattern=json.dumps({"source": ["my.app"]}))
    assert "ScheduleExpression" not in events.describe_rule(Name="was-scheduled")
    _advance(server, 300)
    assert _receive_all(sqs, url, 0) == []
    events.put_events(Entries=[{"Source": "my.app", "DetailType": "ping", "Detail": "{}"}])
    [event] = _receive_all(sqs, url, 1)
    assert event["detail-type"] == "ping"


def test_rule_with_a_pattern_and_a_schedule_gets_both(server, events, sqs):
    url, rule_arn = _scheduled_rule(events, sqs, "both", "rate(1 hour)",
                                    EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_events(Entries=[{"Source": "my.app", "DetailType": "ping", "Detail": "{}"}])
    [matched] = _receive_all(sqs, url, 1)
    assert matched["detail-type"] == "ping"
    _advance(server, 3601)
    [scheduled] = _receive_all(sqs, url, 1)
    assert (scheduled["detail-type"], scheduled["resources"]) == ("Scheduled Event", [rule_arn])


def test_deleted_rule_does_not_fire(server, events, sqs):
    url, _ = _scheduled_rule(events, sqs, "doomed", "rate(1 minute)")
    events.remove_targets(Rule="doomed", Ids=["q"])
    events.delete_rule(Name="doomed")
    _advance(server, 300)
    assert _receive_all(sqs, url, 0) == []
    # a new rule of the same name starts its own schedule, from its own creation
    _scheduled_rule(events, sqs, "doomed", "rate(5 minutes)")
    _advance(server, 240)
    assert _receive_all(sqs, url, 0) == []
    _advance(server, 61)
    assert len(_receive_all(sqs, url, 1)) == 1


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "cron(0 12 * * *)", "cron(0 12 * * * *)",
    "cron(*/60 * * * ? *)", "at(2030-01-01T00:00:00)", "every 5 minutes",
])
def test_put_rule_refuses_an_invalid_expression(events, expression):
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="bad", ScheduleExpression=expression)
    error = caught.value.response
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Parameter ScheduleExpression is not valid."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "bad" not in [r["Name"] for r in events.list_rules()["Rules"]]


def test_schedule_expression_only_on_the_default_bus(events):
    events.create_event_bus(Name="custom")
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="nightly", EventBusName="custom", ScheduleExpression="rate(1 day)")
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("ValidationException",
                                                 "ScheduleExpression is supported only on the default event bus.")


def test_cli_put_rule_with_a_schedule(server, aws_cli, aws_client):
    sqs = aws_client("sqs")
    url, arn = _queue(sqs, "cli-q")
    aws_cli("events", "put-rule", "--name", "cli-daily", "--schedule-expression", "cron(15 10 ? * 6L 2022-2199)")
    rule = aws_cli("events", "describe-rule", "--name", "cli-daily")
    assert rule["ScheduleExpression"] == "cron(15 10 ? * 6L 2022-2199)" and rule["State"] == "ENABLED"
    aws_cli("events", "put-rule", "--name", "cli-rate", "--schedule-expression", "rate(1 hour)")
    aws_cli("events", "put-targets", "--rule", "cli-rate", "--targets", json.dumps([{"Id": "q", "Arn": arn}]))
    _advance(server, 3601)
    [event] = _receive_all(sqs, url, 1)
    assert event["resources"] == [rule["Arn"].replace("cli-daily", "cli-rate")]
    failed = aws_cli("events", "put-rule", "--name", "cli-bad", "--schedule-expression", "rate(1 hours)", check=False)
    assert failed.returncode != 0
    assert "ValidationException" in failed.stderr and "Parameter ScheduleExpression is not valid." in failed.stderr
