"""What FIFO deduplication remembers across queue changes: PurgeQueue forgets the ids seen,
and a DeduplicationScope set after creation leaves deduplication by the creation-time scope."""

from __future__ import annotations


def bodies(sqs, url) -> list[str]:
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def send(sqs, url, body: str, group: str = "g", dedup: str = "d") -> dict:
    return sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=dedup)


def test_purge_forgets_the_deduplication_ids(sqs, queue_url):
    url = queue_url(fifo=True)
    send(sqs, url, "a")
    sqs.purge_queue(QueueUrl=url)
    send(sqs, url, "b")
    assert bodies(sqs, url) == ["b"]


def test_after_a_purge_new_ids_deduplicate_again(sqs, queue_url):
    url = queue_url(fifo=True)
    send(sqs, url, "a")
    sqs.purge_queue(QueueUrl=url)
    first = send(sqs, url, "b")
    again = send(sqs, url, "c")
    assert again["MessageId"] == first["MessageId"]
    assert bodies(sqs, url) == ["b"]


def test_scope_changed_to_message_group_still_deduplicates_across_groups(sqs, queue_url):
    url = queue_url(fifo=True)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup"})
    first = send(sqs, url, "a", group="g1")
    second = send(sqs, url, "b", group="g2")
    assert second["MessageId"] == first["MessageId"]
    assert bodies(sqs, url) == ["a"]


def test_scope_changed_to_queue_still_deduplicates_per_group(sqs, queue_url):
    url = queue_url(fifo=True, DeduplicationScope="messageGroup")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
    send(sqs, url, "a", group="g1")
    send(sqs, url, "b", group="g2")
    assert sorted(bodies(sqs, url)) == ["a", "b"]


def test_changed_scope_is_what_the_queue_reports(sqs, queue_url):
    url = queue_url(fifo=True)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert got["DeduplicationScope"] == "messageGroup"
    assert not any(name.startswith("overcast") for name in got)


def test_create_queue_again_with_the_changed_scope_is_the_same_queue(sqs, queue_url):
    url = queue_url("same.fifo", fifo=True)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup"})
    again = sqs.create_queue(QueueName="same.fifo", Attributes={"FifoQueue": "true",
                                                                "DeduplicationScope": "messageGroup"})
    assert again["QueueUrl"] == url


def test_purge_over_query_protocol_forgets_the_ids(query, sqs, queue_url):
    url = queue_url(fifo=True)
    send(sqs, url, "a")
    answer = query.call("PurgeQueue", {"QueueUrl": url})
    assert answer.status == 200, answer.body
    send(sqs, url, "b")
    assert bodies(sqs, url) == ["b"]
