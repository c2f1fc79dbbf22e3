"""Shared pieces of the strict-mode authorization tests: a ``--strict`` server per module and
clients signed as a given account's root, an IAM user or a role session."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"


def client(server, service, key=ACCOUNT_A, secret="test", token=None, unsigned=False, **kwargs):
    config = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30,
                    s3={"addressing_style": "path"}, **({"signature_version": UNSIGNED} if unsigned else {}))
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, aws_session_token=token, config=config, **kwargs)


def denied(call, *args, **kwargs) -> tuple[str, int, str]:
    """(code, status, message) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"].get("Message", "")


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}
