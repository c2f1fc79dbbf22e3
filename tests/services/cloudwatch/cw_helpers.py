"""Helpers shared by the CloudWatch tests (each helper may append its own): a client, the
error of a call, the cloud clock."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

NAMESPACE = "Overcast/Test"


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["Error"].get("Message", ""), err["ResponseMetadata"]["HTTPStatusCode"]


def advance_clock(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def cloud_now(server) -> float:
    """The cloud clock's current time (epoch seconds)."""
    return float(json.loads(server.get("/_overcast/clock"))["now"])


@pytest.fixture
def cw(aws_client):
    return aws_client("cloudwatch")
