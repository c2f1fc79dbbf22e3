"""Delivery of PutEvents' events to an SQS target, through a real server: the envelope AWS
builds, FIFO queues, trace headers, and events that match no rule or no bus."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from dispatch_helpers import entry, receive, rule_to_queue


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


@pytest.fixture
def sqs(aws_client, server):
    return aws_client("sqs")


def test_an_event_reaches_the_queue_as_aws_builds_the_envelope(events, sqs):
    url, _, _ = rule_to_queue(events, sqs)
    answer = events.put_events(Entries=[entry({"order": 7, "items": ["a"]}, Resources=["arn:aws:s3:::b"])])
    assert answer["FailedEntryCount"] == 0
    event_id = answer["Entries"][0]["EventId"]
    [message] = receive(sqs, url, 1)
    body = message["Body"]
    event = json.loads(body)
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
                           "detail"]
    assert event["version"] == "0" and event["id"] == event_id
    assert event["detail-type"] == "Test Event" and event["source"] == "test.app"
    assert event["account"] == "000000000000" and event["region"] == "us-east-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])
    assert event["resources"] == ["arn:aws:s3:::b"] and event["detail"] == {"order": 7, "items": ["a"]}
    assert ", " not in body and ": " not in body  # compact JSON, as AWS sends it


def test_the_given_time_is_the_event_time(events, sqs):
    url, _, _ = rule_to_queue(events, sqs)
    events.put_events(Entries=[entry(Time=datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=timezone.utc))])
    [message] = receive(sqs, url, 1)
    assert json.loads(message["Body"])["time"] == "2024-05-06T07:08:09Z"


def test_only_matching_events_are_delivered_and_each_once_per_rule(events, sqs):
    url, _, _ = rule_to_queue(events, sqs, pattern={"source": ["test.app"], "detail": {"kind": ["wanted"]}})
    answer = events.put_events(Entries=[entry({"kind": "wanted", "n": i}) for i in range(3)]
                               + [entry({"kind": "other"}), entry({"kind": "wanted"}, Source="other.app")])
    assert answer["FailedEntryCount"] == 0
    got = receive(sqs, url, 4, timeout=3)
    assert sorted(json.loads(m["Body"])["detail"]["n"] for m in got) == [0, 1, 2]


def test_events_on_a_custom_bus_reach_its_rules_only(events, sqs):
    events.create_event_bus(Name="orders")
    custom, _, _ = rule_to_queue(events, sqs, bus="orders")
    default, _, _ = rule_to_queue(events, sqs)
    events.put_events(Entries=[entry({"to": "orders"}, EventBusName="orders")])
    [message] = receive(sqs, custom, 1)
    assert json.loads(message["Body"])["detail"] == {"to": "orders"}
    assert receive(sqs, default, 1, timeout=1.5) == []


def test_an_event_for_a_bus_that_does_not_exist_gets_an_id_and_goes_nowhere(events, sqs):
    url, _, _ = rule_to_queue(events, sqs)
    answer = events.put_events(Entries=[entry(EventBusName="no-such-bus"), entry({"n": 2})])
    assert answer["FailedEntryCount"] == 0 and all("EventId" in e for e in answer["Entries"])
    [message] = receive(sqs, url, 1)
    assert json.loads(message["Body"])["detail"] == {"n": 2}
    assert receive(sqs, url, 1, timeout=1.5) == []


def test_a_disabled_rule_delivers_nothing(events, sqs):
    url, _, rule_arn = rule_to_queue(events, sqs)
    events.disable_rule(Name=rule_arn.rsplit("/", 1)[1])
    events.put_events(Entries=[entry()])
    assert receive(sqs, url, 1, timeout=1.5) == []


def test_a_fifo_queue_gets_the_group_and_the_event_id_as_deduplication_id(events, sqs):
    url, _, _ = rule_to_queue(events, sqs, queue_name="events-target.fifo", queue_attributes={"FifoQueue": "true"},
                              target={"SqsParameters": {"MessageGroupId": "orders"}})
    ids = [e["EventId"] for e in events.put_events(Entries=[entry({"n": i}) for i in range(5)])["Entries"]]
    got = receive(sqs, url, 5, attributes=True)
    assert [json.loads(m["Body"])["detail"]["n"] for m in got] == [0, 1, 2, 3, 4]
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"orders"}
    assert [m["Attributes"]["MessageDeduplicationId"] for m in got] == ids


def test_a_standard_queue_gets_the_message_group_as_a_fair_queue_tenant(events, sqs):
    url, _, _ = rule_to_queue(events, sqs, target={"SqsParameters": {"MessageGroupId": "tenant-a"}})
    events.put_events(Entries=[entry()])
    [message] = receive(sqs, url, 1, attributes=True)
    assert message["Attributes"]["MessageGroupId"] == "tenant-a"
    assert "MessageDeduplicationId" not in message["Attributes"]


def test_the_trace_header_goes_on_as_the_aws_trace_header(events, sqs):
    url, _, _ = rule_to_queue(events, sqs)
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    events.put_events(Entries=[entry(TraceHeader=header)])
    [message] = receive(sqs, url, 1, attributes=True)
    assert message["Attributes"]["AWSTraceHeader"] == header


def test_each_target_of_a_rule_gets_the_event(events, sqs):
    url, _, rule_arn = rule_to_queue(events, sqs)
    second = sqs.create_queue(QueueName="events-second")["QueueUrl"]
    from dispatch_helpers import allow_events, queue_arn

    allow_events(sqs, second, rule_arn)
    events.put_targets(Rule=rule_arn.rsplit("/", 1)[1], Targets=[{"Id": "second", "Arn": queue_arn(sqs, second)}])
    events.put_events(Entries=[entry()])
    assert len(receive(sqs, url, 1)) == 1
    assert len(receive(sqs, second, 1)) == 1
