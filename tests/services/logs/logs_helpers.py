"""Helpers shared by the Logs tests (other concerns keep their own helper modules): the error
of a call, the cloud clock, a group with events."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["Error"].get("Message", ""), err["ResponseMetadata"]["HTTPStatusCode"]


def advance_clock(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def cloud_now_ms(server) -> int:
    """The cloud clock's current time in epoch milliseconds (the Logs API's unit)."""
    return int(float(json.loads(server.get("/_overcast/clock"))["now"]) * 1000)


@pytest.fixture
def logs(aws_client):
    return aws_client("logs")


@pytest.fixture
def unchecked_logs(aws_client):
    """A Logs client that sends what it is given (botocore's own checks off), to see the
    server's answers to what the model forbids."""
    from botocore.config import Config

    return aws_client("logs", config=Config(parameter_validation=False))


def lambda_forwarder(lam, name: str = "forwarder") -> str:
    """A real function ``name`` whose policy lets Logs invoke it (Logs tries a subscription's
    function before accepting the filter); its ARN."""
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "awslambda"))
    from lambda_helpers import create_python_function

    arn = create_python_function(lam, name, "def handler(event, context):\n    return None\n")["FunctionArn"]
    lam.add_permission(FunctionName=name, StatementId="logs", Action="lambda:InvokeFunction",
                       Principal="logs.amazonaws.com", SourceAccount=arn.split(":")[4])
    return arn
