"""Crash durability: what Publish acknowledged is delivered after a ``kill -9`` and a restart
(the delivery queue is on disk; the worker resumes at start)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess


def client(server: ServerProcess, service: str):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=20))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def pending_deliveries(data_dir: str) -> int:
    with sqlite3.connect(os.path.join(data_dir, "sns.db")) as db:
        return db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]


def test_acknowledged_publishes_are_delivered_after_kill_9(own_server, tmp_path):
    sns, sqs = client(own_server, "sns"), client(own_server, "sqs")
    topic = sns.create_topic(Name="durable")["TopicArn"]
    urls = []
    for i in range(5):
        url = sqs.create_queue(QueueName=f"q{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        urls.append(url)
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def publish_loop(worker: int) -> None:
        publisher = client(own_server, "sns")
        batch = 0
        while not stop.is_set():
            entries = [{"Id": str(i), "Message": f"{worker}-{batch}-{i}"} for i in range(10)]
            try:
                publisher.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
            except Exception:  # noqa: BLE001 - the server died under this call: not acknowledged
                return
            with lock:
                acknowledged.update(entry["Message"] for entry in entries)
            batch += 1

    threads = [threading.Thread(target=publish_loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 1000:
        time.sleep(0.01)
    own_server.kill()  # SIGKILL, while publishers are publishing
    stop.set()
    for thread in threads:
        thread.join()
    left = pending_deliveries(str(tmp_path / "data"))
    print(f"deliveries pending at the kill: {left}")
    own_server.start()
    sqs = client(own_server, "sqs")
    for url in urls:
        bodies = set()
        empty = 0
        while not acknowledged <= bodies and empty < 3:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            empty = 0 if got else empty + 1
            for message in got:
                bodies.add(message["Body"])
            if got:
                sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(got)])
        assert acknowledged <= bodies  # nothing acknowledged is lost (what was not acknowledged may arrive too)
    assert pending_deliveries(str(tmp_path / "data")) == 0


def test_a_delivery_to_a_function_that_does_not_exist_is_not_kept(own_server, tmp_path):
    """A lambda subscription is confirmed at once; a function that is not there is a client-side
    failure (not retried, no dead-letter queue here): the delivery leaves the queue. Delivery to
    functions that exist: tests/services/awslambda/test_lambda_async_callers.py."""
    sns = client(own_server, "sns")
    topic = sns.create_topic(Name="to-a-function")["TopicArn"]
    function = "arn:aws:lambda:us-east-1:000000000000:function:handler"
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["PendingConfirmation"] == "false"
    sns.publish(TopicArn=topic, Message="for nobody")
    deadline = time.monotonic() + 10
    while pending_deliveries(str(tmp_path / "data")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pending_deliveries(str(tmp_path / "data")) == 0


def test_the_archive_survives_kill_9(own_server):
    """Archived messages are written in the commit that acknowledges Publish: a replay after a
    kill -9 and a restart finds every one, in order."""
    sns = client(own_server, "sns")
    topic = sns.create_topic(Name="archived.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true",
        "ArchivePolicy": '{"MessageRetentionPeriod": "7"}'})["TopicArn"]
    start = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["BeginningArchiveTime"]
    bodies = [f"m{i}" for i in range(20)]
    for body in bodies:
        sns.publish(TopicArn=topic, Message=body, MessageGroupId="g")
    own_server.kill()
    own_server.start()
    sns, sqs = client(own_server, "sns"), client(own_server, "sqs")
    url = sqs.create_queue(QueueName="replay.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
        "RawMessageDelivery": "true",
        "ReplayPolicy": '{"PointType": "Timestamp", "StartingPoint": "%s"}' % start})
    got: list[str] = []
    for _ in range(20):
        if len(got) >= len(bodies):
            break
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []):
            got.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert got == bodies
