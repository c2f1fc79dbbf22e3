"""Shared helpers for the IAM tests."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def trust_policy(service: str = "ec2.amazonaws.com") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def allow(action: str = "s3:*", resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}]})


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"].get("Message", ""), \
        response["ResponseMetadata"]["HTTPStatusCode"]
