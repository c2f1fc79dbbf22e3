"""SendMessage: what is accepted, what is refused, and what comes back."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def receive_one(sqs, url, **kwargs) -> dict:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, **kwargs).get("Messages", [])
    assert len(messages) == 1
    return messages[0]


def test_send_returns_message_id_and_body_md5(sqs, queue_url):
    url = queue_url()
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert len(sent["MessageId"]) == 36
    assert "SequenceNumber" not in sent


def test_sent_message_is_received_with_same_id_and_body(sqs, queue_url):
    url = queue_url()
    sent = sqs.send_message(QueueUrl=url, MessageBody="round trip")
    got = receive_one(sqs, url)
    assert (got["MessageId"], got["Body"], got["MD5OfBody"]) == (sent["MessageId"], "round trip", sent["MD5OfMessageBody"])


def test_each_message_gets_its_own_id(sqs, queue_url):
    url = queue_url()
    ids = {sqs.send_message(QueueUrl=url, MessageBody="same")["MessageId"] for _ in range(5)}
    assert len(ids) == 5


def test_unicode_body_round_trips(sqs, queue_url):
    url = queue_url()
    body = "héllo wörld ✓ 𝄞 \t\n\r end"
    sqs.send_message(QueueUrl=url, MessageBody=body)
    assert receive_one(sqs, url)["Body"] == body


@pytest.mark.parametrize("bad", ["\x00", "a\x08b", "\x1f", "\ufffe", "\uffff"])
def test_body_with_disallowed_character_is_invalid_message_contents(sqs, queue_url, bad):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody=bad)
    assert error_code(excinfo) == "InvalidMessageContents"


def test_empty_body_is_missing_parameter(sqs, queue_url):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert error_code(excinfo) == "MissingParameter"


def test_body_of_exactly_one_mib_is_accepted(sqs, queue_url):
    url = queue_url()
    body = "x" * 1_048_576
    sqs.send_message(QueueUrl=url, MessageBody=body)
    assert receive_one(sqs, url)["Body"] == body


def test_body_over_one_mib_is_refused(sqs, queue_url):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1_048_577)
    assert error_code(excinfo) == "InvalidParameterValue"
    assert "1048576 bytes" in excinfo.value.response["Error"]["Message"]


def test_size_limit_counts_utf8_bytes(sqs, queue_url):
    url = queue_url(MaximumMessageSize=1024)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="é" * 513)  # 1,026 bytes in UTF-8
    assert error_code(excinfo) == "InvalidParameterValue"


def test_queue_maximum_message_size_counts_attributes_too(sqs, queue_url):
    url = queue_url(MaximumMessageSize=1024)
    body = "x" * 1000
    sqs.send_message(QueueUrl=url, MessageBody=body)  # fits alone
    with pytest.raises(ClientError) as excinfo:
        # name (4) + type (6) + value (20) bytes on top of the 1,000-byte body
        sqs.send_message(QueueUrl=url, MessageBody=body,
                         MessageAttributes={"attr": {"DataType": "String", "StringValue": "v" * 20}})
    assert error_code(excinfo) == "InvalidParameterValue"


def test_message_exactly_at_queue_limit_with_attributes_is_accepted(sqs, queue_url):
    url = queue_url(MaximumMessageSize=1024)
    attributes = {"attr": {"DataType": "String", "StringValue": "v" * 14}}  # 4 + 6 + 14 = 24 bytes
    sent = sqs.send_message(QueueUrl=url, MessageBody="x" * 1000, MessageAttributes=attributes)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert (got["MessageId"], got["Body"], got["MessageAttributes"]) == (sent["MessageId"], "x" * 1000, attributes)


def test_queue_default_delay_hides_message(sqs, queue_url, advance):
    url = queue_url(DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="later")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    advance(61)
    assert receive_one(sqs, url)["Body"] == "later"


def test_per_message_delay_overrides_queue_default(sqs, queue_url, advance):
    url = queue_url(DelaySeconds=600)
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=5)
    advance(6)
    assert receive_one(sqs, url)["Body"] == "soon"


def test_per_message_delay_zero_makes_message_visible_at_once(sqs, queue_url):
    url = queue_url(DelaySeconds=600)
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
    assert receive_one(sqs, url)["Body"] == "now"


def test_delayed_message_is_not_visible_before_its_delay(sqs, queue_url, advance):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="wait", DelaySeconds=30)
    advance(29)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


@pytest.mark.parametrize("delay", [-1, 901])
def test_delay_out_of_range_is_invalid(sqs, queue_url, delay):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=delay)
    assert error_code(excinfo) == "InvalidParameterValue"


def test_send_to_missing_queue_is_queue_does_not_exist(sqs, endpoint):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=f"{endpoint}/000000000000/nowhere", MessageBody="x")
    assert error_code(excinfo) == "AWS.SimpleQueueService.NonExistentQueue"


def test_message_deduplication_id_is_refused_on_standard_queue(sqs, queue_url):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_code(excinfo) == "InvalidParameterValue"


def test_message_group_id_on_standard_queue_is_returned(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="tenant", MessageGroupId="tenant-1")
    got = receive_one(sqs, url, MessageSystemAttributeNames=["MessageGroupId"])
    assert got["Attributes"] == {"MessageGroupId": "tenant-1"}


def test_sender_id_and_sent_timestamp(sqs, queue_url, server):
    import json

    url = queue_url()
    now_ms = int(json.loads(server.get("/_overcast/clock"))["now"] * 1000)
    sqs.send_message(QueueUrl=url, MessageBody="who")
    got = receive_one(sqs, url, MessageSystemAttributeNames=["SenderId", "SentTimestamp"])
    assert got["Attributes"]["SenderId"] == "000000000000"
    assert now_ms <= int(got["Attributes"]["SentTimestamp"]) <= now_ms + 60_000


def test_send_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    answer = query.call("SendMessage", {"QueueUrl": url, "MessageBody": "from an old sdk",
                                        "MessageAttribute.1.Name": "k",
                                        "MessageAttribute.1.Value.DataType": "String",
                                        "MessageAttribute.1.Value.StringValue": "v"})
    assert answer.status == 200, answer.body
    assert answer.text("MD5OfMessageBody") == hashlib.md5(b"from an old sdk").hexdigest()
    got = receive_one(sqs, url, MessageAttributeNames=["All"])
    assert got["MessageId"] == answer.text("MessageId")
    assert got["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}


def test_invalid_contents_over_query_protocol(query, queue_url):
    url = queue_url()
    answer = query.call("SendMessage", {"QueueUrl": url, "MessageBody": "bad \x01 char"})
    assert answer.status == 400
    assert answer.error_code == "InvalidMessageContents"


def test_send_with_the_cli(aws_cli, queue_url, sqs):
    url = queue_url()
    sent = aws_cli("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from the cli").hexdigest()
    assert receive_one(sqs, url)["Body"] == "from the cli"
