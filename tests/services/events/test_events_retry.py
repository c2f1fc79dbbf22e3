"""Retries on the cloud clock, per the target's RetryPolicy: a target that keeps failing with a
retryable error (an API destination answering 500) is tried again with a growing back-off
until MaximumRetryAttempts or MaximumEventAgeInSeconds runs out; then the dead-letter queue
gets the event with the attributes AWS adds (EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS...)."""

from __future__ import annotations

import json

import pytest
from dispatch_helpers import allow_events, entry, queue_arn, receive

from apidest_http_server import ApiServer
from overcast.services.events.delivery_retry import (DEFAULT_MAX_EVENT_AGE, DEFAULT_MAX_RETRIES, next_attempt_delay,
                                                     retry_policy)

TRUST_EVENTS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
INVOKE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "events:InvokeApiDestination", "Resource": "*"}]}


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


@pytest.fixture
def sqs(aws_client, server):
    return aws_client("sqs")


@pytest.fixture
def api():
    http = ApiServer()
    yield http
    http.close()


@pytest.fixture
def failing_target(events, sqs, aws_client, api):
    """``failing_target(**target)`` -> (rule ARN, dead-letter queue URL): a rule whose target
    is an API destination that answers 500 to every request."""

    def make(**target):
        iam = aws_client("iam")
        role = iam.create_role(RoleName="invoke", AssumeRolePolicyDocument=json.dumps(TRUST_EVENTS))["Role"]["Arn"]
        iam.put_role_policy(RoleName="invoke", PolicyName="invoke", PolicyDocument=json.dumps(INVOKE))
        connection = events.create_connection(Name="c", AuthorizationType="API_KEY", AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}})["ConnectionArn"]
        destination = events.create_api_destination(Name="d", ConnectionArn=connection,
                                                    InvocationEndpoint=api.url("/down"),
                                                    HttpMethod="POST")["ApiDestinationArn"]
        dlq = sqs.create_queue(QueueName="retry-dlq")["QueueUrl"]
        rule_arn = events.put_rule(Name="flaky", EventPattern=json.dumps({"source": ["test.app"]}))["RuleArn"]
        allow_events(sqs, dlq, rule_arn)
        answer = events.put_targets(Rule="flaky", Targets=[{
            "Id": "api", "Arn": destination, "RoleArn": role, "DeadLetterConfig": {"Arn": queue_arn(sqs, dlq)},
            **target}])
        assert answer["FailedEntryCount"] == 0, answer
        api.answer("/down", *[500] * 400)
        return rule_arn, dlq

    return make


def _advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _attributes(message: dict) -> dict:
    return {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}


def test_retries_stop_at_maximum_retry_attempts_then_dead_letter(events, sqs, server, api, failing_target,
                                                                 aws_client):
    rule_arn, dlq = failing_target(RetryPolicy={"MaximumRetryAttempts": 3})
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    api.wait_for("/down", 1)
    assert receive(sqs, dlq, 1, timeout=1) == []  # waiting for its first retry, not given up
    for attempts in (2, 3, 4):
        _advance(server, 700)  # more than the longest back-off
        api.wait_for("/down", attempts)
    [message] = receive(sqs, dlq, 1, attributes=True)
    assert json.loads(message["Body"])["id"] == event_id
    attributes = _attributes(message)
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "3"
    assert attributes["RULE_ARN"] == rule_arn and ":api-destination/d/" in attributes["TARGET_ARN"]
    assert attributes["ERROR_CODE"] and attributes["ERROR_MESSAGE"]
    assert len(api.requests_to("/down")) == 4
    _advance(server, 120)  # the minute's metrics are flushed into CloudWatch
    now = float(json.loads(server.get("/_overcast/clock"))["now"])
    cw = aws_client("cloudwatch")

    def total(name: str) -> float:
        points = cw.get_metric_statistics(Namespace="AWS/Events", MetricName=name, Statistics=["Sum"], Period=60,
                                          Dimensions=[{"Name": "RuleName", "Value": "flaky"}],
                                          StartTime=now - 3600, EndTime=now + 60)["Datapoints"]
        return sum(p["Sum"] for p in points)

    assert total("InvocationAttempts") == 4 and total("RetryInvocationAttempts") == 3
    assert total("Invocations") == 1 and total("FailedInvocations") == 1
    assert total("InvocationsSentToDlq") == 1 and total("SuccessfulInvocationAttempts") == 0


def test_retries_stop_when_the_event_is_older_than_maximum_event_age(events, sqs, server, api, failing_target):
    failing_target(RetryPolicy={"MaximumEventAgeInSeconds": 60, "MaximumRetryAttempts": 185})
    events.put_events(Entries=[entry()])
    api.wait_for("/down", 1)
    message = []
    for _ in range(20):
        _advance(server, 8)
        message = receive(sqs, sqs.get_queue_url(QueueName="retry-dlq")["QueueUrl"], 1, timeout=0.3,
                          attributes=True)
        if message:
            break
    [dead] = message
    attributes = _attributes(dead)
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    tried = len(api.requests_to("/down"))
    assert 2 <= tried < 20 and attributes["RETRY_ATTEMPTS"] == str(tried - 1)


def test_a_retry_waits_for_its_back_off_on_the_cloud_clock(events, sqs, server, api, failing_target):
    failing_target()
    api.answer("/down", 500, 500)  # two failures, then the endpoint accepts
    events.put_events(Entries=[entry()])
    api.wait_for("/down", 1)
    _advance(server, 700)
    api.wait_for("/down", 2)
    _advance(server, 700)
    api.wait_for("/down", 3)
    assert receive(sqs, sqs.get_queue_url(QueueName="retry-dlq")["QueueUrl"], 1, timeout=1) == []


def test_the_default_policy_is_awss_185_attempts_over_about_a_day():
    assert retry_policy({}) == (DEFAULT_MAX_RETRIES, DEFAULT_MAX_EVENT_AGE) == (185, 86_400)
    assert retry_policy({"RetryPolicy": {"MaximumRetryAttempts": 0}}) == (0, 86_400)
    delays = [next_attempt_delay(attempt) for attempt in range(1, 186)]
    assert 0.5 <= delays[0] <= 1.0 and delays[3] >= 4.0 and max(delays) <= 600.0
    assert 12 * 3600 < sum(delays) < 30 * 3600  # the defaults' 185 attempts span about 24 hours
