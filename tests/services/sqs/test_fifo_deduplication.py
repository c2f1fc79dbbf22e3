"""FIFO deduplication: within 5 minutes a repeated MessageDeduplicationId (or body, with
ContentBasedDeduplication) is accepted but not delivered again."""

from __future__ import annotations


def bodies(sqs, url) -> list[str]:
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def test_same_deduplication_id_is_delivered_once(sqs, queue_url):
    url = queue_url(fifo=True)
    first = sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d")
    second = sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="d")
    assert second["MessageId"] == first["MessageId"]
    assert second["SequenceNumber"] == first["SequenceNumber"]
    assert bodies(sqs, url) == ["one"]


def test_deduplication_holds_after_the_message_is_deleted(sqs, queue_url):
    url = queue_url(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d")
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    sqs.send_message(QueueUrl=url, MessageBody="again", MessageGroupId="g", MessageDeduplicationId="d")
    assert bodies(sqs, url) == []


def test_deduplication_ends_after_five_minutes(sqs, queue_url, advance):
    url = queue_url(fifo=True, VisibilityTimeout=3600)
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d")
    advance(299)
    sqs.send_message(QueueUrl=url, MessageBody="dup", MessageGroupId="g", MessageDeduplicationId="d")
    advance(2)
    sqs.send_message(QueueUrl=url, MessageBody="fresh", MessageGroupId="g", MessageDeduplicationId="d")
    assert bodies(sqs, url) == ["one", "fresh"]


def test_content_based_deduplication_uses_the_body(sqs, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    for body in ("same", "same", "other"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    assert bodies(sqs, url) == ["same", "other"]


def test_content_based_deduplication_ignores_attributes(sqs, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    for value in ("a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g",
                         MessageAttributes={"k": {"DataType": "String", "StringValue": value}})
    assert bodies(sqs, url) == ["same"]


def test_content_based_id_is_the_sha256_of_the_body(sqs, queue_url):
    import hashlib

    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    sqs.send_message(QueueUrl=url, MessageBody="hash me", MessageGroupId="g")
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["MessageDeduplicationId"])
    assert got["Messages"][0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"hash me").hexdigest()


def test_explicit_id_overrides_content_based(sqs, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g", MessageDeduplicationId="one")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g", MessageDeduplicationId="two")
    assert bodies(sqs, url) == ["same", "same"]


def test_queue_scope_deduplicates_across_groups(sqs, queue_url):
    url = queue_url(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g1", MessageDeduplicationId="d")
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g2", MessageDeduplicationId="d")
    assert bodies(sqs, url) == ["a"]


def test_message_group_scope_deduplicates_within_a_group_only(sqs, queue_url):
    url = queue_url(fifo=True, DeduplicationScope="messageGroup")
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g1", MessageDeduplicationId="d")
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g2", MessageDeduplicationId="d")
    sqs.send_message(QueueUrl=url, MessageBody="c", MessageGroupId="g2", MessageDeduplicationId="d")
    assert sorted(bodies(sqs, url)) == ["a", "b"]


def test_duplicates_inside_one_batch(sqs, queue_url):
    url = queue_url(fifo=True)
    entries = [{"Id": f"e{i}", "MessageBody": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": "same"}
               for i in range(3)]
    answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert len(answer["Successful"]) == 3
    assert len({e["MessageId"] for e in answer["Successful"]}) == 1
    assert bodies(sqs, url) == ["m0"]


def test_deduplication_ids_free_their_storage_after_the_interval(sqs, queue_url, advance, server):
    import os
    import sqlite3

    url = queue_url(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d")
    advance(301)
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g", MessageDeduplicationId="d")
    advance(400)  # both intervals over, periodic sweeps ran
    with sqlite3.connect(os.path.join(server.data_dir, "sqs.db")) as db:
        assert db.execute("SELECT COUNT(*) FROM sqs_deduplication").fetchone()[0] == 0
