"""Queues survive restarts: a kill -9 right after the answers keeps queues, attributes and tags."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess


def make_client(endpoint: str, service: str):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_queues_attributes_and_tags_survive_kill_9(own_server):
    sqs = make_client(own_server.endpoint, "sqs")
    dlq = sqs.create_queue(QueueName="dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="kept.fifo", Attributes={
        "FifoQueue": "true", "VisibilityTimeout": "77",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})},
        tags={"team": "red"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "8"})
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    sqs.delete_queue(QueueUrl=sqs.create_queue(QueueName="dropped")["QueueUrl"])
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    own_server.kill()
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")

    assert sorted(sqs.list_queues()["QueueUrls"]) == sorted([dlq, url])
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"] == before
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "red", "env": "dev"}
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [url]


def test_purge_window_survives_restart(own_server):
    sqs = make_client(own_server.endpoint, "sqs")
    url = sqs.create_queue(QueueName="purged")["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    own_server.kill()
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)


def test_new_queue_after_restart_gets_a_fresh_key(own_server):
    """Queue keys are never reused, also across restarts (child rows of old queues stay theirs)."""
    sqs = make_client(own_server.endpoint, "sqs")
    sqs.delete_queue(QueueUrl=sqs.create_queue(QueueName="a")["QueueUrl"])
    own_server.kill()
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")
    url = sqs.create_queue(QueueName="a", Attributes={"DelaySeconds": "1"})["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {"DelaySeconds": "1"}
