"""Helpers shared by the EC2 tests."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

AMI = "ami-0123456789abcdef0"


def advance(server, seconds: float) -> None:
    """Move the cloud's clock (state transitions take a few seconds of cloud time)."""
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def launch(ec2, count: int = 1, **kwargs) -> list[str]:
    reservation = ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, **kwargs)
    return [item["InstanceId"] for item in reservation["Instances"]]


def state_of(ec2, instance_id: str) -> str:
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]["State"]["Name"]


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]
