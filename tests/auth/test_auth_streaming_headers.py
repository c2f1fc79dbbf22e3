"""The streaming-upload headers of a SigV4 S3 request, judged as S3 judges them on a strict
server: a STREAMING payload without ``x-amz-decoded-content-length`` fails its signature
check (S3 has no error of its own for it), an unreadable decoded length is
MissingContentLength, an unknown ``x-amz-content-sha256`` is InvalidArgument; authentication
errors carry S3's extra members."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from serverproc import ServerProcess

from strict_helpers import ACCOUNT_A, client

BUCKET = "streaming-headers"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-streaming-headers")), "--strict").start()
    client(proc, "s3").create_bucket(Bucket=BUCKET)
    yield proc
    proc.stop()


class _FixedPayloadAuth(S3SigV4Auth):
    """SigV4 with the ``x-amz-content-sha256`` value the test names."""

    def __init__(self, payload: str, secret: str = "test"):
        super().__init__(Credentials(ACCOUNT_A, secret), "s3", "us-east-1")
        self._payload = payload

    def payload(self, request):
        return self._payload


def _put(server, key: str, payload_hash: str, body: bytes, headers: dict[str, str], secret: str = "test"):
    request = AWSRequest(method="PUT", url=f"{server.endpoint}/{BUCKET}/{key}", data=body, headers=headers)
    _FixedPayloadAuth(payload_hash, secret).add_auth(request)
    return requests.put(request.url, data=body, headers=dict(request.headers.items()), timeout=30)


def _error(response) -> dict:
    return {child.tag: child.text for child in ET.fromstring(response.content)}


UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
CHUNKED = b"5\r\nhello\r\n0\r\n\r\n"


def test_streaming_without_decoded_length_fails_its_signature(strict_server):
    response = _put(strict_server, "no-length", UNSIGNED_TRAILER, CHUNKED, {"Content-Encoding": "aws-chunked"})
    assert response.status_code == 403, response.text
    error = _error(response)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["AWSAccessKeyId"] == ACCOUNT_A
    assert error["StringToSign"].startswith("AWS4-HMAC-SHA256\n")
    assert error["SignatureProvided"] and error["CanonicalRequest"].startswith("PUT\n/streaming-headers/no-length")


def test_streaming_with_decoded_length_lands(strict_server):
    response = _put(strict_server, "ok", UNSIGNED_TRAILER, CHUNKED,
                    {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "5"})
    assert response.status_code == 200, response.text
    assert client(strict_server, "s3").get_object(Bucket=BUCKET, Key="ok")["Body"].read() == b"hello"


def test_unreadable_decoded_length_is_missing_content_length(strict_server):
    response = _put(strict_server, "bad-length", UNSIGNED_TRAILER, CHUNKED,
                    {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "abc"})
    assert response.status_code == 411, response.text
    error = _error(response)
    assert (error["Code"], error["Message"]) == (
        "MissingContentLength", "You must provide the Content-Length HTTP header.")


def test_unknown_content_sha256_is_invalid_argument(strict_server):
    response = _put(strict_server, "bogus", "STREAMING-BOGUS", CHUNKED, {"x-amz-decoded-content-length": "5"})
    assert response.status_code == 400, response.text
    error = _error(response)
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == (
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or "
        "a valid sha256 value.")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("x-amz-content-sha256", "STREAMING-BOGUS")


def test_wrong_secret_carries_s3_members(strict_server):
    response = _put(strict_server, "wrong", "UNSIGNED-PAYLOAD", b"x", {}, secret="not-the-secret")
    assert response.status_code == 403
    error = _error(response)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"] == ("The request signature we calculated does not match the signature you provided. "
                                "Check your key and signing method.")
    for member in ("AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest",
                   "CanonicalRequestBytes", "RequestId", "HostId"):
        assert member in error, member


def test_malformed_presigned_url_gets_s3_envelope(strict_server):
    query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test"
    response = requests.get(f"{strict_server.endpoint}/{BUCKET}/key?{query}", timeout=30)
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "Error"  # S3's envelope, not the query protocol's ErrorResponse
    error = _error(response)
    assert error["Code"] == "AuthorizationQueryParametersError"
    assert error["Message"] == ("Query-string authentication version 4 requires the X-Amz-Algorithm, "
                                "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                                "X-Amz-Expires parameters.")
    assert "RequestId" in error and "HostId" in error
