"""The Approximate* attributes count visible, in-flight and delayed messages (needs the message engine)."""

from __future__ import annotations


def counts(sqs, url) -> dict:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return {name.replace("ApproximateNumberOfMessages", "") or "Visible": int(value) for name, value in got.items()}


def test_sent_messages_are_visible(sqs, queue_url):
    url = queue_url()
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    assert counts(sqs, url) == {"Visible": 3, "NotVisible": 0, "Delayed": 0}


def test_received_messages_are_not_visible(sqs, queue_url):
    url = queue_url()
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)
    got = counts(sqs, url)
    assert got["Visible"] + got["NotVisible"] == 3 and got["NotVisible"] >= 1


def test_delayed_messages_are_delayed_until_due(sqs, queue_url, advance):
    url = queue_url(DelaySeconds=30)
    sqs.send_message(QueueUrl=url, MessageBody="later")
    assert counts(sqs, url) == {"Visible": 0, "NotVisible": 0, "Delayed": 1}
    advance(31)
    assert counts(sqs, url) == {"Visible": 1, "NotVisible": 0, "Delayed": 0}
