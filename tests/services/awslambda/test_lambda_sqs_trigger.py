"""SQS event source mappings at work: the function gets AWS's SQS event, what it processed
is deleted, partial batch failures stay for the queue's redrive, FilterCriteria drop what
they do not match. The handler writes each event it gets to a file of the test's own."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from esm_helpers import sqs_polling_role
from lambda_helpers import create_python_function

HANDLER = """
import json, os, uuid

def handler(event, context):
    out = os.environ["OUT"]
    name = os.path.join(out, uuid.uuid4().hex)
    with open(name + ".tmp", "w") as f:
        json.dump(event, f)
    os.rename(name + ".tmp", name + ".json")
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                  if r["body"] == "fail"]}
"""
WAIT = 20.0  # seconds: a generous bound on a poll, a cold start and an invocation


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


def _queue(sqs, name: str, **attributes) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _events(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]


def _wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _counts(sqs, url: str) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    return (int(attributes["Attributes"]["ApproximateNumberOfMessages"]),
            int(attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"]))


def _function(lam, name: str, out: Path) -> str:
    return create_python_function(lam, name, HANDLER, Role=sqs_polling_role(lam),
                                  Environment={"Variables": {"OUT": str(out)}})["FunctionArn"]


def test_the_function_gets_the_sqs_event_and_the_message_is_deleted(lam, sqs, tmp_path):
    _function(lam, "esm-shape", tmp_path)
    url, arn = _queue(sqs, "esm-shape")
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "blue"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-shape", BatchSize=1)
    try:
        events = _wait_for(lambda: _events(tmp_path), "the invocation")
        [record] = events[0]["Records"]
        assert list(record) == ["messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                                "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"]
        assert record["messageId"] == sent["MessageId"] and record["body"] == "hello"
        assert record["md5OfBody"] == sent["MD5OfMessageBody"]
        assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
        assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
        assert record["awsRegion"] == "us-east-1" and record["receiptHandle"]
        assert record["messageAttributes"] == {
            "color": {"stringValue": "blue", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
            "raw": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}}
        attributes = record["attributes"]
        assert attributes["ApproximateReceiveCount"] == "1"
        assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(attributes)
        assert all(isinstance(value, str) for value in attributes.values())
        _wait_for(lambda: _counts(sqs, url) == (0, 0), "the message's deletion")
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_partial_batch_failures_stay_for_the_redrive(lam, sqs, tmp_path):
    _function(lam, "esm-partial", tmp_path)
    dlq_url, dlq_arn = _queue(sqs, "esm-partial-dlq")
    url, arn = _queue(sqs, "esm-partial", VisibilityTimeout=3, RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}))
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "ok"},
                                                  {"Id": "2", "MessageBody": "fail"}])
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-partial",
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    try:
        # the failed message comes back after its visibility timeout, over maxReceiveCount: the DLQ
        moved = _wait_for(lambda: sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages"),
                          "the failed message in the dead-letter queue")
        assert [m["Body"] for m in moved] == ["fail"]
        _wait_for(lambda: _counts(sqs, url) == (0, 0), "the queue to empty")
        bodies = sorted(r["body"] for event in _events(tmp_path) for r in event["Records"])
        assert bodies == ["fail", "ok"]  # each once: "ok" was deleted, "fail" moved on its second receive
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_filter_criteria_drop_what_they_do_not_match(lam, sqs, tmp_path):
    _function(lam, "esm-filter", tmp_path)
    url, arn = _queue(sqs, "esm-filter")
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="esm-filter",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]})
    try:
        for body in (json.dumps({"kind": "noise"}), "plain text", json.dumps({"kind": "order", "n": 1})):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        _wait_for(lambda: _events(tmp_path), "the invocation")
        _wait_for(lambda: _counts(sqs, url) == (0, 0), "every message's deletion")
        bodies = [r["body"] for event in _events(tmp_path) for r in event["Records"]]
        assert bodies == [json.dumps({"kind": "order", "n": 1})]
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_disabled_mapping_leaves_the_queue_alone(lam, sqs, tmp_path):
    _function(lam, "esm-disabled", tmp_path)
    url, arn = _queue(sqs, "esm-disabled")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-disabled", Enabled=False)
    sqs.send_message(QueueUrl=url, MessageBody="wait")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, VisibilityTimeout=0)["Messages"][0]["Body"] == "wait"
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    try:
        _wait_for(lambda: _events(tmp_path), "the invocation once enabled")
        _wait_for(lambda: _counts(sqs, url) == (0, 0), "the message's deletion")
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_batch_fills_up_to_batch_size_within_the_window(lam, sqs, tmp_path):
    _function(lam, "esm-window", tmp_path)
    url, arn = _queue(sqs, "esm-window")
    for start in range(0, 25, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)}
                                                      for i in range(start, min(start + 10, 25))])
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-window", BatchSize=20,
                                              MaximumBatchingWindowInSeconds=1)
    try:
        _wait_for(lambda: sum(len(e["Records"]) for e in _events(tmp_path)) == 25, "every message's invocation")
        sizes = sorted(len(event["Records"]) for event in _events(tmp_path))
        assert sizes == [5, 20]  # a full batch of 20, then what was left once the window closed
        _wait_for(lambda: _counts(sqs, url) == (0, 0), "every message's deletion")
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_fifo_queue_is_processed_in_group_order(lam, sqs, tmp_path):
    _function(lam, "esm-fifo", tmp_path)
    url, arn = _queue(sqs, "esm-fifo.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for n in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=str(n), MessageGroupId="g")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-fifo", BatchSize=1)
    try:
        _wait_for(lambda: len(_events(tmp_path)) == 4, "four invocations")
        events = sorted((p.stat().st_mtime_ns, json.loads(p.read_text())) for p in tmp_path.glob("*.json"))
        assert [event["Records"][0]["body"] for _, event in events] == ["0", "1", "2", "3"]
        assert events[0][1]["Records"][0]["attributes"]["MessageGroupId"] == "g"
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_function_error_returns_the_whole_batch_to_the_queue(lam, sqs, tmp_path):
    raising = HANDLER.split("    return")[0] + "    raise RuntimeError('no')\n"  # records the event, then fails
    create_python_function(lam, "esm-raises", raising, Role=sqs_polling_role(lam),
                           Environment={"Variables": {"OUT": str(tmp_path)}})
    dlq_url, dlq_arn = _queue(sqs, "esm-raises-dlq")
    url, arn = _queue(sqs, "esm-raises", VisibilityTimeout=3, RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}))
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}])
    lam.publish_version(FunctionName="esm-raises")
    lam.create_alias(FunctionName="esm-raises", Name="live", FunctionVersion="1")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-raises:live")
    assert mapping["FunctionArn"].endswith(":function:esm-raises:live")
    try:
        moved: list[str] = []

        def both_moved():
            moved.extend(m["Body"] for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10,
                                                                WaitTimeSeconds=1).get("Messages", []))
            return sorted(moved) == ["a", "b"]

        _wait_for(both_moved, "both messages in the dead-letter queue")
        bodies = sorted(r["body"] for event in _events(tmp_path) for r in event["Records"])
        assert bodies == ["a", "b"]  # one invocation each or together, never deleted
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
