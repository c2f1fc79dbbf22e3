"""Delivery to SQS: AWS's envelope (field order, layout), real signatures verified against the
certificate Overcast serves, raw delivery with attributes, filter policies, per-protocol
bodies, FIFO order and deduplication, and the dead-letter queue."""

from __future__ import annotations

import base64
import json
import urllib.request

import pytest
from sns_helpers import envelope_of
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")


def verify_signature(message: dict) -> None:
    """Verify an SNS message as AWS's documentation describes: fetch the certificate at
    SigningCertURL, rebuild the string to sign, check the RSA signature (SHA1 for
    SignatureVersion 1, SHA256 for 2). Raises InvalidSignature if it does not verify."""
    with urllib.request.urlopen(message["SigningCertURL"], timeout=10) as response:
        certificate = x509.load_pem_x509_certificate(response.read())
    keys = NOTIFICATION_KEYS if message["Type"] == "Notification" else (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    text = "".join(f"{key}\n{message[key]}\n" for key in keys if key in message)
    digest = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    certificate.public_key().verify(base64.b64decode(message["Signature"]), text.encode(), padding.PKCS1v15(),
                                    digest)


def subscribed(sns, topic_arn: str, queue_arn: str, **attributes) -> str:
    return sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                         Attributes={k: str(v) for k, v in attributes.items()})["SubscriptionArn"]


def test_envelope_shape_and_verified_signature(sns, topic, queue, receive):
    arn = topic()
    url, queue_arn = queue()
    sub = subscribed(sns, arn, queue_arn)
    answer = sns.publish(TopicArn=arn, Message="hello", Subject="greeting",
                         MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"},
                                            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    body = receive(url, 1)[0]["Body"]
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    message = json.loads(body)
    assert list(message) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                             "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert (message["MessageId"], message["TopicArn"], message["Subject"], message["Message"]) == \
        (answer["MessageId"], arn, "greeting", "hello")
    assert message["Timestamp"].endswith("Z") and len(message["Timestamp"]) == 24
    assert message["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={sub}")
    assert message["MessageAttributes"] == {"color": {"Type": "String", "Value": "blue"},
                                            "blob": {"Type": "Binary", "Value": "AAE="}}
    assert message["SignatureVersion"] == "1"
    verify_signature(message)
    tampered = dict(message, Message="hello!")
    with pytest.raises(Exception):
        verify_signature(tampered)


def test_signature_version_2_is_sha256(sns, topic, queue, receive):
    arn = topic(SignatureVersion=2)
    url, queue_arn = queue()
    subscribed(sns, arn, queue_arn)
    sns.publish(TopicArn=arn, Message="no subject")
    message = envelope_of(receive(url, 1)[0])
    assert message["SignatureVersion"] == "2" and "Subject" not in message
    verify_signature(message)


def test_raw_delivery_maps_attributes(sns, topic, queue, receive):
    arn = topic()
    url, queue_arn = queue()
    subscribed(sns, arn, queue_arn, RawMessageDelivery="true")
    sns.publish(TopicArn=arn, Message="raw body", MessageAttributes={
        "s": {"DataType": "String", "StringValue": "v"}, "n": {"DataType": "Number", "StringValue": "42"},
        "b": {"DataType": "Binary", "BinaryValue": b"\xff"},
        "list": {"DataType": "String.Array", "StringValue": '["a", 1]'}})
    message = receive(url, 1, attributes=True)[0]
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"] == {
        "s": {"DataType": "String", "StringValue": "v"}, "n": {"DataType": "Number", "StringValue": "42"},
        "b": {"DataType": "Binary", "BinaryValue": b"\xff"},
        "list": {"DataType": "String.Array", "StringValue": '["a", 1]'}}


def test_filter_policy_selects_what_a_queue_gets(sns, topic, queue, receive):
    arn = topic()
    url, queue_arn = queue()
    body_url, body_queue_arn = queue()
    subscribed(sns, arn, queue_arn, RawMessageDelivery="true", FilterPolicy=json.dumps({"color": ["blue"]}))
    subscribed(sns, arn, body_queue_arn, RawMessageDelivery="true", FilterPolicyScope="MessageBody",
               FilterPolicy=json.dumps({"kind": [{"prefix": "ord"}]}))
    for color in ("red", "blue"):
        sns.publish(TopicArn=arn, Message=json.dumps({"kind": "order", "color": color}),
                    MessageAttributes={"color": {"DataType": "String", "StringValue": color}})
    sns.publish(TopicArn=arn, Message=json.dumps({"kind": "refund"}))
    # a last message both take: what came before it is all each got (deliveries keep order)
    sns.publish(TopicArn=arn, Message=json.dumps({"kind": "order", "color": "end"}),
                MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}})
    assert sorted(json.loads(m["Body"])["color"] for m in receive(url, 2)) == ["blue", "end"]
    assert sorted(json.loads(m["Body"])["color"] for m in receive(body_url, 3)) == ["blue", "end", "red"]


def test_message_structure_gives_sqs_its_own_body(sns, topic, queue, receive):
    arn = topic()
    url, queue_arn = queue()
    raw_url, raw_queue_arn = queue()
    subscribed(sns, arn, queue_arn)
    subscribed(sns, arn, raw_queue_arn, RawMessageDelivery="true")
    sns.publish(TopicArn=arn, MessageStructure="json",
                Message=json.dumps({"default": "for everyone", "sqs": "for queues", "email": "for people"}))
    message = envelope_of(receive(url, 1)[0])
    assert message["Message"] == "for queues"
    verify_signature(message)
    assert receive(raw_url, 1)[0]["Body"] == "for queues"


def test_fifo_topic_to_fifo_queues_keeps_order_and_drops_duplicates(sns, topic, queue, sqs):
    arn = topic("orders.fifo", FifoTopic="true")
    queues = [queue(f"fan{i}.fifo", FifoQueue="true") for i in range(3)]
    for _, queue_arn in queues:
        subscribed(sns, arn, queue_arn)
    numbers = []
    for i in range(20):
        numbers.append(sns.publish(TopicArn=arn, Message=f"m{i}", MessageGroupId=f"g{i % 2}",
                                   MessageDeduplicationId=f"d{i}")["SequenceNumber"])
    sns.publish(TopicArn=arn, Message="dup", MessageGroupId="g0", MessageDeduplicationId="d0")
    for url, _ in queues:
        got = []
        for _ in range(40):
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                         AttributeNames=["MessageGroupId"])
            for message in answer.get("Messages", []):
                got.append(message)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if len(got) >= 20:
                break
        bodies = [envelope_of(m) for m in got]
        assert len(bodies) == 20
        for group in ("g0", "g1"):
            in_group = [b for b, m in zip(bodies, got) if m["Attributes"]["MessageGroupId"] == group]
            assert [b["Message"] for b in in_group] == [f"m{i}" for i in range(20) if f"g{i % 2}" == group]
        first = bodies[0]
        # FIFO notifications carry SequenceNumber and no signature fields, as AWS's do
        assert list(first) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp",
                               "UnsubscribeURL"]
        assert sorted(b["SequenceNumber"] for b in bodies) == sorted(numbers)


def test_undeliverable_messages_go_to_the_dead_letter_queue(sns, sqs, topic, queue, receive):
    arn = topic()
    url, queue_arn = queue()
    dlq_url, dlq_arn = queue()
    sub = subscribed(sns, arn, queue_arn, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
    sqs.delete_queue(QueueUrl=url)  # the subscription's queue is gone: a client-side error, not retried
    answer = sns.publish(TopicArn=arn, Message="lost?")
    dead = envelope_of(receive(dlq_url, 1)[0])
    assert (dead["MessageId"], dead["Message"]) == (answer["MessageId"], "lost?")
    assert dead["UnsubscribeURL"].endswith(sub)


def test_raw_delivery_takes_at_most_ten_attributes(sns, topic, queue, receive):
    """More than ten attributes fail a raw SQS delivery, as on AWS: to the dead-letter queue."""
    arn = topic()
    url, queue_arn = queue()
    dlq_url, dlq_arn = queue()
    subscribed(sns, arn, queue_arn, RawMessageDelivery="true",
               RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
    attributes = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    sns.publish(TopicArn=arn, Message="eleven", MessageAttributes=attributes)
    attributes.pop("a10")
    sns.publish(TopicArn=arn, Message="ten", MessageAttributes=attributes)
    assert [m["Body"] for m in receive(url, 1)] == ["ten"]
    assert [m["Body"] for m in receive(dlq_url, 1)] == ["eleven"]


def test_big_and_small_messages_all_arrive_whole(sns, topic, queue, sqs):
    """Deliveries to a queue travel in SQS batches within SQS's size limit: a mix of 200 KB and
    small messages published back to back all arrive, byte for byte."""
    arn = topic()
    url, queue_arn = queue()
    subscribed(sns, arn, queue_arn, RawMessageDelivery="true")
    sent = set()
    for i in range(12):
        body = f"{i:02d}" + ("x" * 200_000 if i % 3 == 0 else "small")
        sns.publish(TopicArn=arn, Message=body)
        sent.add(body)
    got = set()
    for _ in range(30):
        if got == sent:
            break
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []):
            got.add(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert got == sent
