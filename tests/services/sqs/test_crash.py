"""Crash durability, for real: a server process killed with SIGKILL and restarted on its data dir.

An acknowledged send is never lost nor doubled; a message in flight at the crash comes back
after its visibility timeout; delays, deletes and FIFO deduplication carry on across the restart.
"""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess


def client(server: ServerProcess):
    return boto3.session.Session().client(
        "sqs", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def drain(sqs, url) -> list[str]:
    """Receive and delete until the queue is empty; returns the message ids in receive order."""
    ids = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return ids
        ids.extend(m["MessageId"] for m in got)
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def restart(server: ServerProcess):
    server.kill()
    server.start()
    return client(server)


def test_every_acknowledged_send_survives_kill_9_exactly_once(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="durable")["QueueUrl"]
    acknowledged: list[str] = []
    enough = threading.Event()

    def send_loop() -> None:
        sender = client(own_server)
        for i in range(5000):  # bounded: the kill comes long before the end
            try:
                acknowledged.append(sender.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"])
            except Exception:  # noqa: BLE001 - the server died under us: stop
                return
            if len(acknowledged) >= 300:
                enough.set()

    sender = threading.Thread(target=send_loop)
    sender.start()
    assert enough.wait(60)
    own_server.kill()  # mid-loop: sends are in flight
    sender.join(30)
    sqs = restart(own_server)

    received = drain(sqs, url)
    assert len(received) == len(set(received)), "a message was delivered twice"
    assert set(acknowledged) <= set(received)
    assert len(received) <= len(acknowledged) + 1  # at most the one send cut off mid-answer


def test_acknowledged_batch_survives_kill_9(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="batched")["QueueUrl"]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(10)])
    sqs = restart(own_server)
    assert sorted(drain(sqs, url)) == sorted(e["MessageId"] for e in sent["Successful"])


def test_message_in_flight_at_the_crash_returns_after_its_timeout(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="inflight", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="held")
    sqs.receive_message(QueueUrl=url)
    sqs = restart(own_server)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    advance(own_server, 301)
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in got] == [("held", "2")]


def test_receipt_handle_still_deletes_after_restart(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="handles", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs = restart(own_server)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    advance(own_server, 301)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_delay_continues_after_restart(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
    sqs = restart(own_server)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    advance(own_server, 601)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["later"]


def test_acknowledged_delete_survives_kill_9(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="deleted", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="gone")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    sqs = restart(own_server)
    advance(own_server, 5)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_fifo_deduplication_and_sequence_survive_kill_9(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="exactly.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d")
    sqs = restart(own_server)
    again = sqs.send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d")
    later = sqs.send_message(QueueUrl=url, MessageBody="next", MessageGroupId="g", MessageDeduplicationId="e")
    assert again["MessageId"] == first["MessageId"]
    assert later["SequenceNumber"] > first["SequenceNumber"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["once", "next"]


def test_fifo_group_in_flight_at_the_crash_stays_locked(own_server):
    sqs = client(own_server)
    url = sqs.create_queue(QueueName="locked.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "300"})["QueueUrl"]
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    sqs.receive_message(QueueUrl=url)
    sqs = restart(own_server)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    advance(own_server, 301)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["first", "second"]
