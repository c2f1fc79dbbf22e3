"""FIFO group rotation, partial groups and the deduplication scope in force survive a kill -9:
they follow from what the stores keep (send order, receipts, visibility, queue attributes),
not from memory alone."""

from __future__ import annotations

from test_crash import client, own_server, restart  # noqa: F401 - own_server is a fixture


def fifo_queue(sqs) -> str:
    return sqs.create_queue(QueueName="order.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "300"})["QueueUrl"]


def send(sqs, url, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=body.split("-")[0])


def receive(sqs, url, count: int = 10) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count).get("Messages", [])


def make_visible(sqs, url, message: dict) -> None:
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)


def test_a_group_sent_back_stays_behind_after_a_restart(own_server):
    sqs = client(own_server)
    url = fifo_queue(sqs)
    send(sqs, url, "g1-m1", "g1-m2", "g2-m1")
    make_visible(sqs, url, receive(sqs, url, 1)[0])
    sqs = restart(own_server)
    assert [m["Body"] for m in receive(sqs, url)] == ["g2-m1", "g1-m1", "g1-m2"]


def test_a_partial_group_stops_at_its_message_in_flight_after_a_restart(own_server):
    sqs = client(own_server)
    url = fifo_queue(sqs)
    send(sqs, url, "g1-m1", "g1-m2", "g1-m3")
    first, _, third = receive(sqs, url, 3)
    make_visible(sqs, url, first)
    make_visible(sqs, url, third)
    sqs = restart(own_server)
    assert [m["Body"] for m in receive(sqs, url)] == ["g1-m1"]


def test_the_creation_time_deduplication_scope_holds_after_a_restart(own_server):
    sqs = client(own_server)
    url = fifo_queue(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup"})
    sqs = restart(own_server)
    for group in ("g1", "g2"):
        sqs.send_message(QueueUrl=url, MessageBody=group, MessageGroupId=group, MessageDeduplicationId="same")
    assert [m["Body"] for m in receive(sqs, url)] == ["g1"]
