"""The subscription envelope (pure): DATA_MESSAGE split to stay deliverable, the CONTROL_MESSAGE
a Kinesis or Firehose destination is tested with, and Lambda's ``awslogs.data`` encoding."""

from __future__ import annotations

import base64
import gzip
import json

from overcast.services.logs.models import IngestedEvent
from overcast.services.logs.subscription_envelope import (MAX_MESSAGE_EVENT_BYTES, control_message, data_messages,
                                                          gzipped, lambda_event)


def events(count: int, size: int) -> list[IngestedEvent]:
    return [IngestedEvent(1_700_000_000_000 + i, 1_700_000_000_500, "x" * size, i + 1, group_id=3, stream_id=7)
            for i in range(count)]


def test_a_small_batch_is_one_data_message():
    batch = events(3, 10)
    [message] = data_messages("123456789012", "/g", "s", "f", batch)
    assert message["messageType"] == "DATA_MESSAGE" and message["policyLevel"] == "LOG_GROUP_LEVEL"
    assert (message["owner"], message["logGroup"], message["logStream"], message["subscriptionFilters"]) == (
        "123456789012", "/g", "s", ["f"])
    assert message["logEvents"][0] == {"id": batch[0].event_id, "timestamp": 1_700_000_000_000, "message": "x" * 10}
    assert len({e["id"] for e in message["logEvents"]}) == 3


def test_a_large_batch_is_split_in_order_under_the_limit():
    batch = events(50, 20_000)
    messages = data_messages("123456789012", "/g", "s", "f", batch, "ACCOUNT_LEVEL")
    assert len(messages) > 1 and all(m["policyLevel"] == "ACCOUNT_LEVEL" for m in messages)
    assert [e["id"] for m in messages for e in m["logEvents"]] == [e.event_id for e in batch]
    for message in messages:
        assert sum(len(e["message"]) for e in message["logEvents"]) <= MAX_MESSAGE_EVENT_BYTES


def test_control_message_and_lambda_encoding():
    message = control_message("kinesis", 1_700_000_000_000)
    assert message["messageType"] == "CONTROL_MESSAGE" and message["owner"] == "CloudwatchLogs"
    assert message["logEvents"] == [{"id": "", "timestamp": 1_700_000_000_000,
                                     "message": "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]
    assert control_message("firehose", 0)["logEvents"][0]["message"].endswith("destination Firehose.")
    assert json.loads(gzip.decompress(gzipped(message))) == message
    event = lambda_event(message)
    assert json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"]))) == message
