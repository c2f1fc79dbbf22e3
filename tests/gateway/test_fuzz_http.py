"""Hostile HTTP at the real server: every answer is an AWS-shaped 4xx (or the 501 of an
unimplemented service), never a 500, and the server keeps serving. Bounded in count."""

from __future__ import annotations

import http.client
import os
import random
from urllib.parse import urlparse

import pytest

SEED = int(os.environ.get("OVERCAST_FUZZ_SEED", "20261126"))
COUNT = int(os.environ.get("OVERCAST_HTTP_FUZZ_COUNT", "60"))


def _auth(service: str) -> dict:
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        "X-Amz-Date": "20260101T000000Z",
    }


def _junk(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


def _header_text(data: bytes) -> str:
    """Junk that is still a legal header value (no CR, LF, NUL; no leading/trailing space)."""
    return data.decode("latin-1").translate({10: None, 13: None, 0: None}).strip() or "x"


def _cases(rng: random.Random):
    junk = lambda: _junk(rng, rng.randint(0, 400))  # noqa: E731
    yield "POST", "/", {"Content-Type": "application/x-www-form-urlencoded", **_auth("sts")}, junk()
    yield "POST", "/", {"Content-Type": "application/x-www-form-urlencoded", **_auth("sts")}, b"Action=GetCallerIdentity&%ZZ=" + junk()
    yield "POST", "/", {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage", **_auth("sqs")}, junk()
    yield "POST", "/", {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage", **_auth("sqs")}, b'{"QueueUrl": ' + junk()
    yield "POST", "/", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": _header_text(junk()), **_auth("logs")}, b"{}"
    yield "POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor", **_auth("monitoring")}, junk()
    yield "POST", "/2015-03-31/functions", {"Content-Type": "application/json", **_auth("lambda")}, junk()
    yield "PUT", "/bucket?lifecycle", {"Content-Type": "application/xml", **_auth("s3")}, b"<LifecycleConfiguration>" + junk()
    yield "POST", "/bucket?delete", {"Content-Type": "application/xml", **_auth("s3")}, b"<Delete><Object><Key>" + junk()
    yield "POST", "/", {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "AWS4-HMAC-SHA256 " + _header_text(junk())}, b"Action=GetCallerIdentity"
    yield "GET", "/" + junk().hex()[:200], {"X-Amz-Date": "garbage", **{k: v for k, v in _auth("s3").items() if k != "X-Amz-Date"}}, b""
    yield "POST", "/", {"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Date": "20260101T000000Z", "Authorization": _auth("sts")["Authorization"], "X-Big": "x" * 7000}, b"Action=GetCallerIdentity&Version=2011-06-15&" + b"A" * 300000


def _send(endpoint, method, path, headers, body):
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("round_", range(max(1, COUNT // 12)))
def test_hostile_requests_get_aws_shaped_client_errors(endpoint, round_):
    rng = random.Random(SEED + round_)
    for method, path, headers, body in _cases(rng):
        status, data = _send(endpoint, method, path, headers, body)
        assert status < 500 or (status == 501 and b"NotImplemented" in data), (method, path, status, data[:300])
        if status == 400 and data == b"Invalid HTTP request received.":
            continue  # refused by the HTTP parser itself (control bytes in a header): not HTTP
        assert data == b"" or data.lstrip()[:1] in (b"<", b"{") or data[:1] in (b"\xa2", b"\xbf", b"\xa1", b"\xa3")
    status, _ = _send(endpoint, "GET", "/_overcast/health", {}, b"")
    assert status == 200
