"""Shared SQS fixtures: a boto3 client, a queue factory, the query client, a clock helper."""

from __future__ import annotations

import itertools
import json

import boto3
import pytest
from botocore.config import Config
from query_client import QueryClient

_names = itertools.count(1)


@pytest.fixture(scope="session")
def _shared_sqs(endpoint):
    # One client for the session: making a boto3 client costs ~80 ms, more than most tests.
    return boto3.session.Session().client(
        "sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=60),
    )


@pytest.fixture
def sqs(_shared_sqs, server):
    """A boto3 SQS client (JSON protocol, account 000000000000, us-east-1) for the test server.

    Shared by every test (do not register event handlers on it; make your own with
    ``aws_client("sqs")`` for that).
    """
    return _shared_sqs


@pytest.fixture
def queue_url(sqs):
    """``queue_url()`` -> URL of a new standard queue; ``queue_url("x.fifo", fifo=True, **attributes)``.

    Attribute values may be given as ints/bools; they are sent as SQS's strings.
    """

    def make(name: str | None = None, fifo: bool = False, tags: dict | None = None, **attributes) -> str:
        if name is None:
            name = f"q{next(_names)}" + (".fifo" if fifo else "")
        given = {key: _text(value) for key, value in attributes.items()}
        if fifo:
            given["FifoQueue"] = "true"
        kwargs = {"QueueName": name, "Attributes": given}
        if tags:
            kwargs["tags"] = tags
        return sqs.create_queue(**kwargs)["QueueUrl"]

    return make


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


@pytest.fixture
def advance(server):
    """``advance(seconds)``: move the cloud's clock forward, firing every timer that falls due."""

    def move(seconds: float) -> dict:
        return json.loads(server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode()))

    return move


@pytest.fixture
def query(endpoint):
    """A SigV4-signed query-protocol client (form POST, XML answers), as older SDKs speak."""
    return QueryClient(endpoint)
