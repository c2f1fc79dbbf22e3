"""The X-Amzn-Trace-Id request header becomes each sent message's AWSTraceHeader system
attribute (the X-Ray SDKs send it that way); an AWSTraceHeader given in the message wins."""

from __future__ import annotations

import pytest

HEADER_TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
MESSAGE_TRACE = "Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=0"


@pytest.fixture
def traced(aws_client):
    """An SQS client that sends X-Amzn-Trace-Id on every request, as an X-Ray-instrumented SDK does."""
    client = aws_client("sqs")

    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = HEADER_TRACE

    client.meta.events.register("before-sign.sqs.*", add_header)
    return client


def received_trace(sqs, url) -> list:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
    return [m.get("Attributes", {}).get("AWSTraceHeader") for m in got.get("Messages", [])]


def test_header_becomes_the_trace_attribute(traced, sqs, queue_url):
    url = queue_url()
    traced.send_message(QueueUrl=url, MessageBody="x")
    assert received_trace(sqs, url) == [HEADER_TRACE]


def test_header_applies_to_every_message_of_a_batch(traced, sqs, queue_url):
    url = queue_url()
    traced.send_message_batch(QueueUrl=url, Entries=[{"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(3)])
    assert received_trace(sqs, url) == [HEADER_TRACE] * 3


def test_trace_attribute_of_the_message_wins_over_the_header(traced, sqs, queue_url):
    url = queue_url()
    traced.send_message(QueueUrl=url, MessageBody="x", MessageSystemAttributes={
        "AWSTraceHeader": {"DataType": "String", "StringValue": MESSAGE_TRACE}})
    assert received_trace(sqs, url) == [MESSAGE_TRACE]


def test_header_is_not_digested_as_a_system_attribute(traced, queue_url):
    answer = traced.send_message(QueueUrl=queue_url(), MessageBody="x")
    assert "MD5OfMessageSystemAttributes" not in answer


def test_without_header_there_is_no_trace_attribute(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert received_trace(sqs, url) == [None]


def test_header_on_a_fifo_queue(traced, sqs, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    traced.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert received_trace(sqs, url) == [HEADER_TRACE]


def test_header_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    answer = query.call("SendMessage", {"QueueUrl": url, "MessageBody": "x"},
                        headers={"X-Amzn-Trace-Id": HEADER_TRACE})
    assert answer.status == 200, answer.body
    assert received_trace(sqs, url) == [HEADER_TRACE]
