"""Message move tasks across a real crash: the server killed with SIGKILL and restarted on its
data dir. A running task resumes where its last commit left it; no message is lost or doubled."""

from __future__ import annotations

import itertools
import json

import boto3
import pytest
from botocore.config import Config
from move_task_helpers import arn, dead_letter, depth, drain, latest_task, source_and_dlq
from serverproc import ServerProcess

_names = itertools.count(1)


def client(server: ServerProcess):
    return boto3.session.Session().client(
        "sqs", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


@pytest.fixture
def advance(own_server):
    return lambda seconds: own_server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


@pytest.fixture
def queue_url(own_server):
    sqs = client(own_server)

    def make(fifo: bool = False, **attributes) -> str:
        given = {k: v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict) else str(v).lower()
                 if isinstance(v, bool) else str(v) for k, v in attributes.items()}
        if fifo:
            given["FifoQueue"] = "true"
        name = f"r{next(_names)}" + (".fifo" if fifo else "")
        return sqs.create_queue(QueueName=name, Attributes=given)["QueueUrl"]

    return make


def restart(server: ServerProcess):
    server.kill()
    server.start()
    return client(server)


def test_running_task_resumes_after_kill_9(own_server, queue_url, advance):
    sqs = client(own_server)
    source, dlq = source_and_dlq(sqs, queue_url)
    # 60 messages at 1 a second: the cloud clock also runs with wall time, so the task must
    # outlast a slow restart on a loaded machine (10 were all moved before one finished)
    ids = dead_letter(sqs, advance, source, 60)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)
    advance(2)
    sqs = restart(own_server)
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["Status"] == "RUNNING"
    assert task["ApproximateNumberOfMessagesMoved"] == depth(sqs, source)  # moves and count commit together
    advance(70)
    task = latest_task(sqs, arn(sqs, dlq))
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 60)
    assert sorted(m["MessageId"] for m in drain(sqs, source)) == sorted(ids)
    assert depth(sqs, dlq) == 0


def test_cancelled_task_stays_cancelled_after_kill_9(own_server, queue_url, advance):
    sqs = client(own_server)
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 5)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    sqs = restart(own_server)
    advance(20)
    task = latest_task(sqs, arn(sqs, dlq))
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("CANCELLED", moved)
    assert depth(sqs, dlq) == 5 - moved
