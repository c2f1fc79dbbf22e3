"""Shared helpers for the IAM tests."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
IAM_NS = "{https://iam.amazonaws.com/doc/2010-05-08/}"


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


def signed_query(endpoint: str, params: dict) -> requests.Response:
    """POST a raw query-protocol IAM request (``Action=...&Version=2010-05-08``), SigV4-signed with
    the default root keys; the ``requests`` response (XML in IAM_NS)."""
    body = urlencode({"Version": "2010-05-08", **params})
    request = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "iam", "us-east-1").add_auth(request)
    return requests.post(endpoint + "/", data=body.encode(), headers=dict(request.headers.items()), timeout=30)
