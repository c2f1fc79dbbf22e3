"""Shared helpers of the STS tests."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"].get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


def advance_clock(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def session_client(aws_client, service: str, credentials: dict, **kwargs):
    """A client signing with STS ``Credentials``."""
    return aws_client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        **kwargs,
    )


def signed_query(endpoint: str, params: dict, key: str = "test", secret: str = "test") -> requests.Response:
    """POST a raw query-protocol STS request (``Version=2011-06-15``), SigV4-signed with ``key``."""
    body = urlencode({"Version": "2011-06-15", **params})
    request = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret), "sts", "us-east-1").add_auth(request)
    return requests.post(endpoint + "/", data=body.encode(), headers=dict(request.headers.items()), timeout=30)
