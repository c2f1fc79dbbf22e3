"""Several concurrent consumers (threads, each with its own boto3 client) drain one queue:
no message is delivered twice while its visibility timeout holds, and FIFO groups are
consumed strictly in order, one run at a time."""

from __future__ import annotations

import threading
from collections import defaultdict

CONSUMERS = 6


def consume(aws_client, url: str, log: list, lock: threading.Lock, idle_rounds: int = 2) -> None:
    """Receive, record, delete, until the queue stays empty for a few short long polls."""
    sqs = aws_client("sqs")
    idle = 0
    while idle < idle_rounds:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  MessageSystemAttributeNames=["MessageGroupId"]).get("Messages", [])
        if not got:
            idle += 1
            continue
        idle = 0
        with lock:
            log.extend(got)  # recorded before the delete frees the next of a FIFO group
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])


def run_consumers(aws_client, url: str) -> list[dict]:
    log: list[dict] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=consume, args=(aws_client, url, log, lock)) for _ in range(CONSUMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive()
    return log


def send_all(sqs, url: str, bodies: list[tuple[str, str | None]]) -> None:
    for start in range(0, len(bodies), 10):
        entries = []
        for i, (body, group) in enumerate(bodies[start:start + 10]):
            entry = {"Id": f"e{i}", "MessageBody": body}
            if group is not None:
                entry["MessageGroupId"] = group
            entries.append(entry)
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")


def test_concurrent_consumers_get_each_message_once(sqs, queue_url, aws_client):
    url = queue_url(VisibilityTimeout=300)
    send_all(sqs, url, [(f"m{i}", None) for i in range(600)])
    log = run_consumers(aws_client, url)
    bodies = [m["Body"] for m in log]
    assert len(bodies) == len(set(bodies)) == 600


def test_concurrent_consumers_keep_fifo_groups_in_order(sqs, queue_url, aws_client):
    url = queue_url(fifo=True, ContentBasedDeduplication=True, VisibilityTimeout=300)
    groups = [f"g{g}" for g in range(8)]
    send_all(sqs, url, [(f"{group}:{i:03d}", group) for i in range(50) for group in groups])
    log = run_consumers(aws_client, url)
    by_group = defaultdict(list)
    for message in log:
        by_group[message["Attributes"]["MessageGroupId"]].append(message["Body"])
    assert sorted(by_group) == groups
    for group, bodies in by_group.items():
        assert bodies == [f"{group}:{i:03d}" for i in range(50)], f"group {group} out of order"
