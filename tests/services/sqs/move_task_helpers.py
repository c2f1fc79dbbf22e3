"""Helpers of the message move task tests: a source queue with its dead-letter queue, and
messages dead-lettered for real (received past maxReceiveCount)."""

from __future__ import annotations

VISIBILITY = 10  # the source queue's VisibilityTimeout; advancing past it makes messages visible again


def arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def source_and_dlq(sqs, queue_url, fifo: bool = False) -> tuple[str, str]:
    """A source queue redriving to a new dead-letter queue after one receive."""
    extra = {"ContentBasedDeduplication": True} if fifo else {}
    dlq = queue_url(fifo=fifo, **extra)
    source = queue_url(fifo=fifo, VisibilityTimeout=VISIBILITY,
                       RedrivePolicy={"deadLetterTargetArn": arn(sqs, dlq), "maxReceiveCount": 1}, **extra)
    return source, dlq


def receive(sqs, url: str, **kwargs) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])


def dead_letter(sqs, advance, source: str, count: int, prefix: str = "m", **send) -> list[str]:
    """Send ``count`` messages to ``source`` and have SQS move them to its dead-letter queue:
    each is received once, its visibility runs out, the next receive moves it. Returns the ids."""
    ids = [sqs.send_message(QueueUrl=source, MessageBody=f"{prefix}{i}", **send)["MessageId"] for i in range(count)]
    received = 0
    while received < count:
        got = receive(sqs, source)
        assert got, "every message is received once"
        received += len(got)
    advance(VISIBILITY + 1)
    assert receive(sqs, source) == []  # the receive attempt that moves them all
    return ids


def depth(sqs, url: str) -> int:
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
               ["Attributes"]["ApproximateNumberOfMessages"])


def drain(sqs, url: str, **kwargs) -> list[dict]:
    """Receive and delete every visible message; returns them in receive order."""
    found = []
    while got := receive(sqs, url, **kwargs):
        found += got
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    return found


def latest_task(sqs, source_arn: str) -> dict:
    return sqs.list_message_move_tasks(SourceArn=source_arn)["Results"][0]
