"""MessageRetentionPeriod: messages older than it are gone, and their storage is freed."""

from __future__ import annotations

import os
import sqlite3


def stored_rows(server) -> int:
    """Rows in the server's message table (read beside the running server; WAL allows it)."""
    with sqlite3.connect(os.path.join(server.data_dir, "sqs.db")) as db:
        return db.execute("SELECT COUNT(*) FROM sqs_messages").fetchone()[0]


def visible(sqs, url) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return attrs["Attributes"]["ApproximateNumberOfMessages"]


def test_message_within_retention_is_kept(sqs, queue_url, advance):
    url = queue_url(MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="fresh")
    advance(59)
    assert "Messages" in sqs.receive_message(QueueUrl=url)


def test_message_older_than_retention_is_gone(sqs, queue_url, advance):
    url = queue_url(MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="stale")
    advance(61)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_expired_messages_leave_the_counts(sqs, queue_url, advance):
    url = queue_url(MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="stale")
    advance(61)
    assert visible(sqs, url) == "0"


def test_in_flight_message_expires_too(sqs, queue_url, advance):
    url = queue_url(MessageRetentionPeriod=60, VisibilityTimeout=3600)
    sqs.send_message(QueueUrl=url, MessageBody="held")
    sqs.receive_message(QueueUrl=url)
    advance(61)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_retention_counts_from_the_send_not_the_delay(sqs, queue_url, advance):
    url = queue_url(MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=50)
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="young")
    advance(31)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in got] == ["young"]


def test_shorter_retention_applies_to_waiting_messages(sqs, queue_url, advance):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="old")
    advance(120)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_expired_messages_free_their_storage_without_a_receive(sqs, queue_url, advance, server):
    url = queue_url(MessageRetentionPeriod=60)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"e{i}", "MessageBody": "x" * 1000} for i in range(10)])
    visible(sqs, url)  # the queue's messages are loaded and tracked
    assert stored_rows(server) == 10
    advance(200)  # past retention and at least one periodic sweep
    assert stored_rows(server) == 0


def test_fifo_messages_expire(sqs, queue_url, advance):
    url = queue_url(fifo=True, ContentBasedDeduplication=True, MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="stale", MessageGroupId="g")
    advance(61)
    sqs.send_message(QueueUrl=url, MessageBody="fresh", MessageGroupId="g")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["fresh"]
