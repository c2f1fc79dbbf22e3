"""FIFO partial groups: only an in-flight first message blocks a group; otherwise a receive
takes the group's visible messages in order, up to (not including) its first one in flight."""

from __future__ import annotations


def fifo(queue_url, **attributes) -> str:
    return queue_url(fifo=True, ContentBasedDeduplication=True, **attributes)


def send(sqs, url, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=body.split("-")[0])


def receive(sqs, url, count: int = 10) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count).get("Messages", [])


def bodies(messages: list[dict]) -> list[str]:
    return [m["Body"] for m in messages]


def make_visible(sqs, url, message: dict) -> None:
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)


def test_a_visible_head_delivers_up_to_the_first_message_in_flight(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g1-m2", "g2-m1")
    first, _ = receive(sqs, url, 2)
    make_visible(sqs, url, first)
    assert bodies(receive(sqs, url, 3)) == ["g2-m1", "g1-m1"]


def test_an_in_flight_head_blocks_its_visible_followers(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g1-m2")
    _, second = receive(sqs, url, 2)
    make_visible(sqs, url, second)
    assert receive(sqs, url) == []


def test_after_deleting_the_head_its_visible_follower_comes_before_one_in_flight(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g1-m2", "g1-m3")
    first, second, _ = receive(sqs, url, 3)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    make_visible(sqs, url, second)
    assert bodies(receive(sqs, url)) == ["g1-m2"]


def test_a_partly_deleted_group_stays_blocked_by_its_next_message_in_flight(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g2-m1", "g1-m2", "g2-m2", "g1-m3", "g3-m1")
    first, _ = receive(sqs, url, 2)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert bodies(receive(sqs, url)) == ["g2-m1", "g2-m2", "g3-m1"]


def test_visible_messages_after_the_gap_wait_for_their_turn(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g1-m2", "g1-m3")
    first, _, third = receive(sqs, url, 3)
    make_visible(sqs, url, first)
    make_visible(sqs, url, third)
    assert bodies(receive(sqs, url)) == ["g1-m1"]
