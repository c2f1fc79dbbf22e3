"""Helpers of the PutEvents and delivery tests: a queue a rule's target sends to, and a
receive loop that waits (bounded) for what EventBridge delivered."""

from __future__ import annotations

import itertools
import json
import time

_names = itertools.count(1)


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def allow_events(sqs, url: str, rule_arn: str) -> None:
    """The queue policy AWS needs for EventBridge to send for ``rule_arn`` (strict mode)."""
    arn = queue_arn(sqs, url)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})


def rule_to_queue(events, sqs, *, pattern: dict | None = None, bus: str = "default", target: dict | None = None,
                  queue_attributes: dict | None = None, queue_name: str | None = None) -> tuple[str, str, str]:
    """A rule (default pattern: source ``test.app``) whose one target is a new queue.
    Returns (queue url, queue arn, rule arn)."""
    n = next(_names)
    name = queue_name or f"events-target-{n}"
    url = sqs.create_queue(QueueName=name, Attributes=queue_attributes or {})["QueueUrl"]
    arn = queue_arn(sqs, url)
    rule_arn = events.put_rule(Name=f"rule-{n}", EventBusName=bus,
                               EventPattern=json.dumps(pattern or {"source": ["test.app"]}))["RuleArn"]
    allow_events(sqs, url, rule_arn)
    events.put_targets(Rule=f"rule-{n}", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn, **(target or {})}])
    return url, arn, rule_arn


def receive(sqs, url: str, count: int, *, timeout: float = 5.0, attributes: bool = False) -> list[dict]:
    """Receive (and delete) ``count`` messages, waiting up to ``timeout`` seconds in all."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    extra = {"MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"]} if attributes else {}
    while len(got) < count and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       **extra).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        got.extend(messages)
    return got


def entry(detail: dict | None = None, **fields) -> dict:
    return {"Source": "test.app", "DetailType": "Test Event", "Detail": json.dumps(detail or {"n": 1}), **fields}
