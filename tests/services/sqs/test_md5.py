"""MD5OfMessageBody / MD5OfMessageAttributes / MD5OfMessageSystemAttributes, checked against the
algorithm the SQS Developer Guide describes (written out again here, independently)."""

from __future__ import annotations

import hashlib
import struct

import pytest

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def reference_md5(attributes: dict) -> str:
    """Sorted by name; per attribute: length-prefixed name, type, then 1/2 and the value."""
    digest = hashlib.md5()

    def put(raw: bytes) -> None:
        digest.update(struct.pack(">I", len(raw)))
        digest.update(raw)

    for name in sorted(attributes):
        value = attributes[name]
        put(name.encode())
        put(value["DataType"].encode())
        if "StringValue" in value:
            digest.update(b"\x01")
            put(value["StringValue"].encode())
        else:
            digest.update(b"\x02")
            put(value["BinaryValue"])
    return digest.hexdigest()


ATTRIBUTES = {
    "zeta": {"DataType": "String", "StringValue": "last by name"},
    "alpha": {"DataType": "Number", "StringValue": "-12.5e3"},
    "blob": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
    "custom": {"DataType": "String.json", "StringValue": '{"ü": 1}'},
    "image": {"DataType": "Binary.png", "BinaryValue": b"\x89PNG"},
}


def test_body_md5_of_unicode_body(sqs, queue_url):
    body = "żółć ✓ 𝄞"
    sent = sqs.send_message(QueueUrl=queue_url(), MessageBody=body)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()


def test_attribute_md5_on_send(sqs, queue_url):
    sent = sqs.send_message(QueueUrl=queue_url(), MessageBody="x", MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageAttributes"] == reference_md5(ATTRIBUTES)


def test_attribute_md5_on_receive_matches_send(sqs, queue_url):
    url = queue_url()
    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageAttributes"] == ATTRIBUTES
    assert got["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_attribute_md5_on_receive_covers_only_returned_attributes(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["alpha", "zeta"])["Messages"][0]
    chosen = {name: ATTRIBUTES[name] for name in ("alpha", "zeta")}
    assert got["MessageAttributes"] == chosen
    assert got["MD5OfMessageAttributes"] == reference_md5(chosen)


def test_no_attribute_md5_without_attributes(sqs, queue_url):
    sent = sqs.send_message(QueueUrl=queue_url(), MessageBody="x")
    assert "MD5OfMessageAttributes" not in sent
    assert "MD5OfMessageSystemAttributes" not in sent


def test_system_attribute_md5(sqs, queue_url):
    system = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
    sent = sqs.send_message(QueueUrl=queue_url(), MessageBody="x", MessageSystemAttributes=system)
    assert sent["MD5OfMessageSystemAttributes"] == reference_md5(system)


@pytest.mark.parametrize("count", [1, 3])
def test_batch_entries_carry_their_own_md5s(sqs, queue_url, count):
    url = queue_url()
    entries = [{"Id": f"e{i}", "MessageBody": f"body {i}",
                "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(i)}}} for i in range(count)]
    answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    by_id = {entry["Id"]: entry for entry in answer["Successful"]}
    for entry in entries:
        assert by_id[entry["Id"]]["MD5OfMessageBody"] == hashlib.md5(entry["MessageBody"].encode()).hexdigest()
        assert by_id[entry["Id"]]["MD5OfMessageAttributes"] == reference_md5(entry["MessageAttributes"])
