"""Dead-letter redrive: a message received more than maxReceiveCount times moves to the
dead-letter queue on the next receive attempt, keeping its id, body and attributes."""

from __future__ import annotations

ATTRIBUTES = {"k": {"DataType": "String", "StringValue": "v"}, "b": {"DataType": "Binary", "BinaryValue": b"\x01"}}


def arn(sqs, url) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def source_and_dlq(sqs, queue_url, max_receives: int = 2, fifo: bool = False, **attributes):
    dlq = queue_url(fifo=fifo, **({"ContentBasedDeduplication": True} if fifo else {}))
    source = queue_url(fifo=fifo, VisibilityTimeout=10,
                       RedrivePolicy={"deadLetterTargetArn": arn(sqs, dlq), "maxReceiveCount": max_receives},
                       **({"ContentBasedDeduplication": True} if fifo else {}), **attributes)
    return source, dlq


def receive(sqs, url, **kwargs) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])


def exhaust(sqs, url, advance, times: int) -> None:
    for _ in range(times):
        assert receive(sqs, url)
        advance(11)


def test_message_is_delivered_max_receive_count_times(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url, max_receives=3)
    sqs.send_message(QueueUrl=source, MessageBody="x")
    exhaust(sqs, source, advance, 3)
    assert receive(sqs, source) == []


def test_message_moves_on_the_next_receive_attempt(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison", MessageAttributes=ATTRIBUTES)
    exhaust(sqs, source, advance, 2)
    assert receive(sqs, source) == []
    moved = receive(sqs, dlq, MessageAttributeNames=["All"])
    assert [(m["MessageId"], m["Body"]) for m in moved] == [(sent["MessageId"], "poison")]
    assert moved[0]["MessageAttributes"] == ATTRIBUTES
    assert moved[0]["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_moved_message_names_its_source(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    sqs.send_message(QueueUrl=source, MessageBody="x")
    exhaust(sqs, source, advance, 2)
    receive(sqs, source)
    got = receive(sqs, dlq, MessageSystemAttributeNames=["All"])[0]["Attributes"]
    assert got["DeadLetterQueueSourceArn"] == arn(sqs, source)


def test_moved_message_keeps_its_sent_timestamp(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    sqs.send_message(QueueUrl=source, MessageBody="x")
    first = receive(sqs, source, MessageSystemAttributeNames=["SentTimestamp"])[0]["Attributes"]["SentTimestamp"]
    advance(11)
    exhaust(sqs, source, advance, 1)
    receive(sqs, source)
    moved = receive(sqs, dlq, MessageSystemAttributeNames=["SentTimestamp"])[0]["Attributes"]["SentTimestamp"]
    assert moved == first


def test_healthy_messages_are_delivered_beside_the_moved_one(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url, max_receives=1)
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    exhaust(sqs, source, advance, 1)
    sqs.send_message(QueueUrl=source, MessageBody="fine")
    assert [m["Body"] for m in receive(sqs, source)] == ["fine"]
    assert [m["Body"] for m in receive(sqs, dlq)] == ["poison"]


def test_counts_after_the_move(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url, max_receives=1)
    sqs.send_message(QueueUrl=source, MessageBody="x")
    exhaust(sqs, source, advance, 1)
    receive(sqs, source)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    assert sqs.get_queue_attributes(QueueUrl=source, AttributeNames=names)["Attributes"] == {
        "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=names)["Attributes"] == {
        "ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_without_redrive_policy_messages_stay(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    exhaust(sqs, url, advance, 5)
    assert receive(sqs, url)


def test_fifo_messages_move_to_the_fifo_dlq_in_group_order(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url, max_receives=1, fifo=True)
    for i in range(3):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{i}", MessageGroupId="g")
    exhaust(sqs, source, advance, 1)
    assert receive(sqs, source) == []
    moved = receive(sqs, dlq, MessageSystemAttributeNames=["MessageGroupId"])
    assert [m["Body"] for m in moved] == ["m0", "m1", "m2"]
    assert {m["Attributes"]["MessageGroupId"] for m in moved} == {"g"}


def test_long_poll_on_the_dlq_wakes_for_a_moved_message(sqs, queue_url, advance, aws_client):
    import threading

    source, dlq = source_and_dlq(sqs, queue_url, max_receives=1)
    sqs.send_message(QueueUrl=source, MessageBody="x")
    exhaust(sqs, source, advance, 1)
    result = {}
    waiter = threading.Thread(target=lambda: result.update(aws_client("sqs").receive_message(QueueUrl=dlq, WaitTimeSeconds=20)))
    waiter.start()
    import time

    time.sleep(0.3)  # let the long poll start waiting (not a timing assertion)
    receive(sqs, source)
    waiter.join(30)
    assert [m["Body"] for m in result["Messages"]] == ["x"]
