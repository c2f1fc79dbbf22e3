"""Delivery to the other target kinds: SNS (topic -> queue), a CloudWatch Logs group (one
stream per event, named by its id), another bus (same region or another; the loop guard),
and the dead-letter queue of a target that does not exist (a queue, a function). Delivery to
functions that exist: tests/services/awslambda/test_lambda_async_callers.py."""

from __future__ import annotations

import json
import time

import pytest
from dispatch_helpers import allow_events, entry, queue_arn, receive, rule_to_queue

from aws_clients import STRICT


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


@pytest.fixture
def sqs(aws_client, server):
    return aws_client("sqs")


ROLE = "arn:aws:iam::000000000000:role/events-forward"  # bus targets take a RoleArn


def _rule(events, name: str, target: dict, *, bus: str = "default", pattern: dict | None = None) -> str:
    arn = events.put_rule(Name=name, EventBusName=bus,
                          EventPattern=json.dumps(pattern or {"source": ["test.app"]}))["RuleArn"]
    answer = events.put_targets(Rule=name, EventBusName=bus, Targets=[target])
    assert answer["FailedEntryCount"] == 0, answer
    return arn


def test_an_sns_topic_target_publishes_the_event(events, sqs, aws_client):
    sns = aws_client("sns")
    topic = sns.create_topic(Name="events-topic")["TopicArn"]
    url = sqs.create_queue(QueueName="from-topic")["QueueUrl"]
    arn = queue_arn(sqs, url)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    rule_arn = _rule(events, "to-topic", {"Id": "t", "Arn": topic})
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                "Action": "sns:Publish", "Resource": topic,
                                                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]}))
    event_id = events.put_events(Entries=[entry({"via": "sns"})])["Entries"][0]["EventId"]
    [message] = receive(sqs, url, 1)
    event = json.loads(message["Body"])
    assert event["id"] == event_id and event["detail"] == {"via": "sns"}


def test_a_log_group_target_writes_each_event_in_a_stream_named_by_its_id(events, aws_client):
    logs = aws_client("logs")
    logs.create_log_group(logGroupName="/aws/events/orders")
    logs.put_resource_policy(policyName="events", policyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                                "Resource": "arn:aws:logs:us-east-1:000000000000:log-group:"
                                                            "/aws/events/orders:*"}]}))
    _rule(events, "to-logs", {"Id": "l", "Arn": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/orders"})
    event_id = events.put_events(Entries=[entry({"logged": True})])["Entries"][0]["EventId"]
    deadline = time.monotonic() + 5
    found = []
    while not found and time.monotonic() < deadline:
        streams = logs.describe_log_streams(logGroupName="/aws/events/orders")["logStreams"]
        if streams:
            found = logs.get_log_events(logGroupName="/aws/events/orders", logStreamName=event_id)["events"]
        else:
            time.sleep(0.1)
    assert [s["logStreamName"] for s in streams] == [event_id]
    [logged] = found
    assert json.loads(logged["message"])["detail"] == {"logged": True}


def test_a_log_group_target_takes_timestamp_and_message_from_its_input_transformer(events, aws_client):
    logs = aws_client("logs")
    logs.create_log_group(logGroupName="/aws/events/shaped")
    logs.put_resource_policy(policyName="events-shaped", policyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                                "Resource": "*"}]}))
    _rule(events, "shaped", {
        "Id": "l", "Arn": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/shaped",
        "InputTransformer": {"InputPathsMap": {"t": "$.time", "order": "$.detail.order"},
                             "InputTemplate": '{"timestamp": <t>, "message": "order <order> placed"}'}})
    event_id = events.put_events(Entries=[entry({"order": "o-7"})])["Entries"][0]["EventId"]
    deadline, found = time.monotonic() + 5, []
    while not found and time.monotonic() < deadline:
        try:
            found = logs.get_log_events(logGroupName="/aws/events/shaped", logStreamName=event_id)["events"]
        except logs.exceptions.ResourceNotFoundException:
            time.sleep(0.1)
    [logged] = found
    assert logged["message"] == "order o-7 placed"


def test_an_event_goes_on_to_another_bus_unchanged(events, sqs):
    events.create_event_bus(Name="second")
    url, _, _ = rule_to_queue(events, sqs, bus="second")
    second_arn = events.describe_event_bus(Name="second")["Arn"]
    _rule(events, "forward", {"Id": "b", "Arn": second_arn, "RoleArn": ROLE})
    event_id = events.put_events(Entries=[entry({"hop": 1})])["Entries"][0]["EventId"]
    [message] = receive(sqs, url, 1)
    event = json.loads(message["Body"])
    assert event["id"] == event_id and event["detail"] == {"hop": 1} and event["source"] == "test.app"


def test_an_event_goes_on_to_a_bus_of_another_region(events, sqs, aws_client):
    west_events, west_sqs = aws_client("events", region="us-west-2"), aws_client("sqs", region="us-west-2")
    url, _, _ = rule_to_queue(west_events, west_sqs)
    west_bus = west_events.describe_event_bus()["Arn"]
    _rule(events, "to-west", {"Id": "w", "Arn": west_bus, "RoleArn": ROLE})
    events.put_events(Entries=[entry({"to": "west"})])
    [message] = receive(west_sqs, url, 1)
    event = json.loads(message["Body"])
    assert event["region"] == "us-east-1" and event["detail"] == {"to": "west"}


def test_an_event_never_returns_to_a_bus_it_went_through(events, sqs):
    events.create_event_bus(Name="loop")
    loop_arn = events.describe_event_bus(Name="loop")["Arn"]
    default_arn = events.describe_event_bus()["Arn"]
    _rule(events, "there", {"Id": "b", "Arn": loop_arn, "RoleArn": ROLE})
    _rule(events, "back", {"Id": "b", "Arn": default_arn, "RoleArn": ROLE}, bus="loop")
    url, _, _ = rule_to_queue(events, sqs)
    events.put_events(Entries=[entry()])
    assert len(receive(sqs, url, 1)) == 1
    assert receive(sqs, url, 1, timeout=1.5) == []


def test_a_function_that_does_not_exist_goes_straight_to_the_dead_letter_queue(events, sqs):
    dlq = sqs.create_queue(QueueName="events-dlq")["QueueUrl"]
    missing = "arn:aws:lambda:us-east-1:000000000000:function:no-such-function"
    rule_arn = _rule(events, "to-missing", {"Id": "gone", "Arn": missing,
                                            "DeadLetterConfig": {"Arn": queue_arn(sqs, dlq)}})
    allow_events(sqs, dlq, rule_arn)
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    [message] = receive(sqs, dlq, 1, attributes=True)
    assert json.loads(message["Body"])["id"] == event_id
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["TARGET_ARN"] == missing and attributes["RETRY_ATTEMPTS"] == "0"
    # strict mode asks the function's policy first: a function that is not there has none
    assert attributes["ERROR_CODE"] == ("NO_PERMISSIONS" if STRICT else "NO_RESOURCE")


def test_a_target_that_does_not_exist_goes_straight_to_the_dead_letter_queue(events, sqs):
    dlq = sqs.create_queue(QueueName="events-dlq")["QueueUrl"]
    missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue"
    rule_arn = _rule(events, "to-missing", {"Id": "gone", "Arn": missing,
                                            "DeadLetterConfig": {"Arn": queue_arn(sqs, dlq)}})
    allow_events(sqs, dlq, rule_arn)
    event_id = events.put_events(Entries=[entry({"lost": False})])["Entries"][0]["EventId"]
    [message] = receive(sqs, dlq, 1, attributes=True)
    assert json.loads(message["Body"])["id"] == event_id
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == missing
    assert attributes["ERROR_CODE"] == "NO_RESOURCE" and attributes["RETRY_ATTEMPTS"] == "0"
    assert attributes["ERROR_MESSAGE"]
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes
