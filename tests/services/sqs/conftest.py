"""Shared SQS fixtures: a boto3 client, a queue factory, the query client, a clock helper."""

from __future__ import annotations

import itertools
import json

import pytest
from query_client import QueryClient

_names = itertools.count(1)


@pytest.fixture
def sqs(aws_client):
    """A boto3 SQS client (JSON protocol) for the test server."""
    return aws_client("sqs")


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
