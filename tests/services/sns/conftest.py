"""Shared SNS fixtures: boto3 SNS and SQS clients, a topic and queue factory, and a helper
that waits for what SNS delivered to a queue."""

from __future__ import annotations

import itertools
import json

import boto3
import pytest
from botocore.config import Config

_names = itertools.count(1)


def _client(endpoint: str, service: str):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))


@pytest.fixture(scope="session")
def _shared_sns(endpoint):
    return _client(endpoint, "sns")


@pytest.fixture(scope="session")
def _shared_sqs(endpoint):
    return _client(endpoint, "sqs")


@pytest.fixture
def sns(_shared_sns, server):
    """A boto3 SNS client (account 000000000000, us-east-1) for the session server."""
    return _shared_sns


@pytest.fixture
def sqs(_shared_sqs, server):
    return _shared_sqs


@pytest.fixture
def topic(sns):
    """``topic()`` -> ARN of a new standard topic; ``topic("x.fifo", FifoTopic="true", ...)``."""

    def make(name: str | None = None, **attributes) -> str:
        name = name or f"topic-{next(_names)}"
        return sns.create_topic(Name=name, Attributes={k: str(v) for k, v in attributes.items()})["TopicArn"]

    return make


@pytest.fixture
def queue(sqs):
    """``queue()`` -> (url, arn) of a new queue whose policy lets SNS send to it;
    ``queue("x.fifo", FifoQueue="true")``."""

    def make(name: str | None = None, **attributes):
        name = name or f"queue-{next(_names)}"
        url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # what AWS asks of a queue SNS delivers to (strict mode checks it as AWS does)
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": arn}]})})
        return url, arn

    return make


@pytest.fixture
def receive(sqs):
    """``receive(url, count)`` -> the first ``count`` messages SNS delivered to the queue
    (long polls until they are there; deletes them)."""

    def get(url: str, count: int = 1, attributes: bool = False) -> list[dict]:
        got: list[dict] = []
        for _ in range(20):
            if len(got) >= count:
                break
            kwargs = {"MessageAttributeNames": ["All"], "AttributeNames": ["All"]} if attributes else {}
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **kwargs)
            for message in answer.get("Messages", []):
                got.append(message)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return got

    return get
