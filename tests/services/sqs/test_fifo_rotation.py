"""FIFO group rotation: which group a receive serves first.

Groups take turns by the place of their first message: one never received keeps its place
in send order; one that came back from flight (timeout ran out, or visibility changed)
goes to the back. A receive takes all a group can give, in order, before the next group.
"""

from __future__ import annotations


def fifo(queue_url, **attributes) -> str:
    return queue_url(fifo=True, ContentBasedDeduplication=True, **attributes)


def send(sqs, url, *bodies: str) -> None:
    """Send bodies named "<group>-<n>" to their group, in the order given."""
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=body.split("-")[0])


def receive(sqs, url, count: int = 10, **kwargs) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **kwargs).get("Messages", [])


def bodies(messages: list[dict]) -> list[str]:
    return [m["Body"] for m in messages]


def test_one_receive_takes_a_whole_group_before_the_next(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g2-m1", "g1-m2", "g1-m3")
    assert bodies(receive(sqs, url)) == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]


def test_groups_returned_by_timeout_go_behind_a_group_never_served(sqs, queue_url, advance):
    url = fifo(queue_url, VisibilityTimeout=10)
    send(sqs, url, "g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1", "g3-m1")
    assert bodies(receive(sqs, url, 2)) == ["g1-m1", "g1-m2"]
    assert bodies(receive(sqs, url, 1)) == ["g2-m1"]
    advance(11)
    assert bodies(receive(sqs, url)) == ["g3-m1", "g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1"]


def test_groups_returned_at_once_come_back_in_the_order_they_were_served(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g2-m1", "g2-m2", "g3-m1", "g1-m2")
    assert bodies(receive(sqs, url, 3, VisibilityTimeout=0)) == ["g1-m1", "g1-m2", "g2-m1"]
    assert bodies(receive(sqs, url, VisibilityTimeout=0)) == ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"]


def test_a_group_made_visible_again_goes_to_the_back(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g2-m1")
    handle = receive(sqs, url, 1)[0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert bodies(receive(sqs, url)) == ["g2-m1", "g1-m1"]


def test_a_group_released_by_deletes_keeps_the_place_of_its_next_message(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g2-m1", "g1-m2", "g2-m2", "g1-m3", "g1-m4", "g3-m1")
    for message in receive(sqs, url, 2):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert bodies(receive(sqs, url)) == ["g2-m1", "g2-m2", "g1-m3", "g1-m4", "g3-m1"]


def test_a_group_sent_after_another_came_back_waits_behind_it(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1")
    receive(sqs, url, VisibilityTimeout=0)
    send(sqs, url, "g2-m1")
    assert bodies(receive(sqs, url)) == ["g1-m1", "g2-m1"]


def test_rotation_over_query_protocol(query, sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g1-m2", "g2-m1")
    receive(sqs, url, 1, VisibilityTimeout=0)
    answer = query.call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": "10"})
    assert answer.status == 200, answer.body
    assert answer.texts("Body") == ["g2-m1", "g1-m1", "g1-m2"]


def test_rotation_holds_after_the_clock_went_back(sqs, queue_url, advance, server):
    advance(86_400)
    sqs.send_message(QueueUrl=queue_url(), MessageBody="numbered a day ahead")
    server.post("/_overcast/reset")  # back to real time; sequence numbers keep increasing
    url = fifo(queue_url)
    send(sqs, url, "g1-m1", "g2-m1")
    receive(sqs, url, 1, VisibilityTimeout=0)
    assert bodies(receive(sqs, url)) == ["g2-m1", "g1-m1"]
