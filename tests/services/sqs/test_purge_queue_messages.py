"""PurgeQueue and DeleteQueue with messages in the queue (needs the message engine)."""

from __future__ import annotations


def counts(sqs, url) -> tuple[str, str, str]:
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (got["ApproximateNumberOfMessages"], got["ApproximateNumberOfMessagesNotVisible"],
            got["ApproximateNumberOfMessagesDelayed"])


def test_purge_deletes_visible_in_flight_and_delayed_messages(sqs, queue_url):
    url = queue_url()
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"visible {i}")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=600)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == ("0", "0", "0")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)


def test_messages_sent_after_a_purge_are_kept(sqs, queue_url, advance):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="old")
    sqs.purge_queue(QueueUrl=url)
    advance(1)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in received] == ["new"]


def test_recreated_queue_starts_empty(sqs, queue_url):
    url = queue_url("again")
    sqs.send_message(QueueUrl=url, MessageBody="left behind")
    sqs.delete_queue(QueueUrl=url)
    url = sqs.create_queue(QueueName="again")["QueueUrl"]
    assert counts(sqs, url) == ("0", "0", "0")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
