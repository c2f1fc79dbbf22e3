"""URLs handed out before queue URLs named their region (``http://<host>/<account>/<name>``)
keep reaching their queues, across a restart, on both wires."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from query_client import QueryClient
from serverproc import ServerProcess

ACCOUNT = "000000000000"


def make_client(endpoint: str):
    return boto3.session.Session().client(
        "sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_region_less_urls_survive_a_restart(own_server):
    sqs = make_client(own_server.endpoint)
    url = sqs.create_queue(QueueName="old-style")["QueueUrl"]
    assert url == f"{own_server.endpoint}/queue/us-east-1/{ACCOUNT}/old-style"
    sqs.send_message(QueueUrl=url, MessageBody="before")

    own_server.kill()
    own_server.start()
    sqs = make_client(own_server.endpoint)

    legacy = f"{own_server.endpoint}/{ACCOUNT}/old-style"
    got = sqs.receive_message(QueueUrl=legacy)["Messages"]
    assert [m["Body"] for m in got] == ["before"]
    answer = QueryClient(own_server.endpoint).call("SendMessage", {"MessageBody": "posted"}, url=legacy)
    assert answer.status == 200, answer.body
    assert sqs.get_queue_url(QueueName="old-style")["QueueUrl"] == url
