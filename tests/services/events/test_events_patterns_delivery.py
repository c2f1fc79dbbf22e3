"""The documentation's pattern table through delivery: PutEvents on the default bus, one rule and
one SQS queue per pattern; each queue gets exactly the table's matching events, so delivery
answers what TestEventPattern answers (test_events_patterns_table.py)."""

from __future__ import annotations

import json
import time

import pytest
from dispatch_helpers import allow_events, queue_arn
from pattern_cases import _GROUPS, pattern_text

from overcast.services.events.event_patterns import compile_event_pattern

SOURCE = "app.patterns"  # PutEvents refuses "aws." sources, so the table's own events use this
CASE_FIELD = "x-case"  # which table event a delivered message is: a field no pattern names


def _deliverable_groups():
    """Groups whose patterns only name what PutEvents lets a caller set (detail-type, detail)."""
    for page, pattern, examples in _GROUPS:
        names = set(json.loads(pattern_text(pattern)))
        if names <= {"detail", "detail-type"}:
            yield page, pattern_text(pattern), examples


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


@pytest.fixture
def sqs(aws_client, server):
    return aws_client("sqs")


def test_delivery_matches_the_table(events, sqs):
    groups = list(_deliverable_groups())
    queues = []
    for number, (_page, text, _examples) in enumerate(groups):
        url = sqs.create_queue(QueueName=f"pattern-{number}")["QueueUrl"]
        rule_arn = events.put_rule(Name=f"pattern-{number}", EventPattern=text)["RuleArn"]
        allow_events(sqs, url, rule_arn)  # the queue policy strict mode's delivery needs
        events.put_targets(Rule=f"pattern-{number}", Targets=[{"Id": "q", "Arn": queue_arn(sqs, url)}])
        queues.append(url)
    entries, sent = [], []
    for number, (_page, _text, examples) in enumerate(groups):
        for case, (event, expected) in enumerate(examples):
            detail = dict(event["detail"], **{CASE_FIELD: f"{number}-{case}"})
            entries.append({"Source": SOURCE, "DetailType": event["detail-type"], "Detail": json.dumps(detail)})
            sent.append({**event, "source": SOURCE, "detail": detail})
    for start in range(0, len(entries), 10):
        assert events.put_events(Entries=entries[start:start + 10])["FailedEntryCount"] == 0
    for number, ((page, text, examples), url) in enumerate(zip(groups, queues)):
        # Every sent event this pattern matches arrives (other groups' too); only the group's own
        # events are the table's cases.
        pattern = compile_event_pattern(text)
        due = sum(pattern.matches(event) for event in sent)
        got = _drain(sqs, url, due)
        own = {json.loads(body)["detail"][CASE_FIELD] for body in got} & {
            f"{number}-{case}" for case in range(len(examples))}
        wanted = {f"{number}-{case}" for case, (_event, expected) in enumerate(examples) if expected}
        assert own == wanted, (page, text)
        assert len(got) == due, (page, text)


def _drain(sqs, url: str, due: int, timeout: float = 10.0) -> list[str]:
    bodies: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0 if len(bodies) >= due else 1)
        messages = response.get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            bodies.append(message["Body"])
        if len(bodies) >= due and not messages:
            break
    return bodies
