"""Shared helpers of the auth tests: botocore-signed requests as our HttpRequest, a fixed clock."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from overcast.auth import Authenticator
from overcast.config import Settings
from overcast.protocols.base import HttpRequest

# 2023-11-14T22:13:20Z: every signature in these tests is made at this instant.
FIXED = 1_700_000_000
ENDPOINT = "http://127.0.0.1:4566"


class FakeClock:
    def __init__(self, now: float = FIXED):
        self.t = float(now)

    def now(self) -> float:
        return self.t

    def wall(self) -> float:  # the cloud's time and the machine's are one here
        return self.t

    def signing_offset(self, signed_at: float) -> float:  # never moved
        return 0.0


def make_auth(strict: bool = True, now: float = FIXED, **settings) -> Authenticator:
    return Authenticator(Settings(strict=strict, **settings), FakeClock(now))


def ctx(service: str = "sts", protocol: str = "query", operation: str = "GetCallerIdentity"):
    return SimpleNamespace(service=service, protocol=protocol, operation=operation)


def freeze_botocore(monkeypatch, epoch: float = FIXED) -> None:
    """Make botocore's SigV4 signers sign at ``epoch``."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moment)


def to_http(prepared_or_request) -> HttpRequest:
    """A signed botocore request as the gateway would hand it to auth."""
    request = prepared_or_request
    if isinstance(request, AWSRequest):
        request = request.prepare()
    split = urlsplit(request.url)
    headers = {}
    for name, value in request.headers.items():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        headers[name.lower()] = value
    headers.setdefault("host", split.netloc)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequest(request.method, split.path or "/", split.query, headers, body)


def credentials(key: str = "test", secret: str = "test", token: str | None = None) -> Credentials:
    return Credentials(key, secret, token)


def sts_request(body: bytes = b"Action=GetCallerIdentity&Version=2011-06-15") -> AWSRequest:
    return AWSRequest(
        "POST",
        ENDPOINT + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


def sign_sts(key="test", secret="test", token=None, region="us-east-1", body=None) -> HttpRequest:
    request = sts_request(body) if body is not None else sts_request()
    botocore.auth.SigV4Auth(credentials(key, secret, token), "sts", region).add_auth(request)
    return to_http(request)


def run(auth: Authenticator, request: HttpRequest, context=None):
    info = auth.inspect(request.method, request.query_string, request.headers)
    return auth.authenticate(info, request, context if context is not None else ctx())
