"""Strict mode, PutEvents and delivery: PutEvents' own checks come before authorization; a
target delivers only when its resource policy lets events.amazonaws.com in for the rule (a
refusal goes straight to the dead-letter queue as NO_PERMISSIONS); a bus of another account
takes forwarded events only when its policy (PutPermission) lets the rule's account put
events on it."""

from __future__ import annotations

import json
import os
import sys

import pytest
from dispatch_helpers import allow_events, entry, queue_arn, receive

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, denied, policy  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT_A}:role/forward"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-dispatch")), "--strict").start()
    yield proc
    proc.stop()


def test_put_events_checks_its_request_before_authorizing_it(strict):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="putter")
    iam.put_user_policy(UserName="putter", PolicyName="p", PolicyDocument=policy(allow("events:DescribeEventBus")))
    key = iam.create_access_key(UserName="putter")["AccessKey"]
    events = client(strict, "events", key["AccessKeyId"], key["SecretAccessKey"])
    code, status, _ = denied(events.put_events, Entries=[entry()] * 11)
    assert (code, status) == ("ValidationException", 400)
    code, status, _ = denied(events.put_events, Entries=[entry()])
    assert (code, status) == ("AccessDeniedException", 400)


def test_a_queue_whose_policy_refuses_eventbridge_gets_nothing_and_the_dlq_says_why(strict):
    events, sqs = client(strict, "events", ACCOUNT_A), client(strict, "sqs", ACCOUNT_A)
    closed = sqs.create_queue(QueueName="closed")["QueueUrl"]
    dlq = sqs.create_queue(QueueName="closed-dlq")["QueueUrl"]
    rule_arn = events.put_rule(Name="to-closed", EventPattern=json.dumps({"source": ["test.app"]}))["RuleArn"]
    allow_events(sqs, dlq, rule_arn)
    events.put_targets(Rule="to-closed", Targets=[{"Id": "q", "Arn": queue_arn(sqs, closed),
                                                   "DeadLetterConfig": {"Arn": queue_arn(sqs, dlq)}}])
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    [dead] = receive(sqs, dlq, 1, attributes=True)
    assert json.loads(dead["Body"])["id"] == event_id
    attributes = {name: value["StringValue"] for name, value in dead["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS" and attributes["RETRY_ATTEMPTS"] == "0"
    assert receive(sqs, closed, 1, timeout=1) == []
    events.remove_targets(Rule="to-closed", Ids=["q"])
    events.delete_rule(Name="to-closed")


def test_a_bus_of_another_account_takes_events_once_its_policy_allows_the_sender(strict):
    events_a = client(strict, "events", ACCOUNT_A)
    events_b, sqs_b = client(strict, "events", ACCOUNT_B), client(strict, "sqs", ACCOUNT_B)
    events_b.create_event_bus(Name="partner")
    partner = events_b.describe_event_bus(Name="partner")["Arn"]
    url = sqs_b.create_queue(QueueName="partner-inbox")["QueueUrl"]
    inbox_rule = events_b.put_rule(Name="inbox", EventBusName="partner",
                                   EventPattern=json.dumps({"source": ["test.app"]}))["RuleArn"]
    allow_events(sqs_b, url, inbox_rule)
    events_b.put_targets(Rule="inbox", EventBusName="partner", Targets=[{"Id": "q", "Arn": queue_arn(sqs_b, url)}])
    events_a.put_rule(Name="to-partner", EventPattern=json.dumps({"source": ["test.app"]}))
    events_a.put_targets(Rule="to-partner", Targets=[{"Id": "b", "Arn": partner, "RoleArn": ROLE}])
    events_a.put_events(Entries=[entry({"try": 1})])
    assert receive(sqs_b, url, 1, timeout=1.5) == []  # the partner's bus has no policy yet
    events_b.put_permission(EventBusName="partner", Action="events:PutEvents", Principal=ACCOUNT_A,
                            StatementId="a")
    event_id = events_a.put_events(Entries=[entry({"try": 2})])["Entries"][0]["EventId"]
    [message] = receive(sqs_b, url, 1)
    event = json.loads(message["Body"])
    assert event["id"] == event_id and event["account"] == ACCOUNT_A and event["detail"] == {"try": 2}
