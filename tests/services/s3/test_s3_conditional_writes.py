"""Conditional writes on PutObject: ``If-None-Match: *`` and ``If-Match: <etag>``, also when two
uploads race (both start before either commits)."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlparse

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def _code(error: ClientError) -> tuple[str, int]:
    return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


def test_if_none_match_creates_only_once(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="k", Body=b"second", IfNoneMatch="*")
    assert _code(caught.value) == ("PreconditionFailed", 412)
    assert caught.value.response["Error"].get("Condition") == "If-None-Match"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"


def test_if_none_match_after_delete_marker_succeeds(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"old")
    s3.delete_object(Bucket=bucket, Key="k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"new", IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"new"


def test_if_none_match_other_than_star_is_not_implemented(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="k", Body=b"y", IfNoneMatch=etag)
    assert _code(caught.value) == ("NotImplemented", 501)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_if_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    etag2 = s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfMatch=etag)["ETag"]
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="k", Body=b"v3", IfMatch=etag)  # stale
    assert _code(caught.value) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"
    # the ETag without its quotes matches too
    s3.put_object(Bucket=bucket, Key="k", Body=b"v3", IfMatch=etag2.strip('"'))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v3"


def test_if_match_on_missing_key_is_no_such_key(s3, bucket):
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch='"0123"')
    assert _code(caught.value) == ("NoSuchKey", 404)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def _signed_headers(endpoint: str, path: str, length: int, extra: dict) -> dict:
    request = AWSRequest(method="PUT", url=endpoint + path,
                         headers={"Content-Length": str(length), "x-amz-content-sha256": "UNSIGNED-PAYLOAD", **extra})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _start_put(endpoint: str, path: str, body: bytes, extra: dict) -> http.client.HTTPConnection:
    """Send the headers and the first half of the body; the server is streaming it now."""
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in _signed_headers(endpoint, path, len(body), extra).items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body[: len(body) // 2])
    return conn


@pytest.mark.open_mode_only
@pytest.mark.parametrize("header", ["If-None-Match", "If-Match"])
def test_racing_conditional_writes_only_one_wins(s3, bucket, endpoint, header):
    extra = {"If-None-Match": "*"}
    if header == "If-Match":
        extra = {"If-Match": s3.put_object(Bucket=bucket, Key="race", Body=b"base")["ETag"]}
    bodies = [b"A" * 300_000, b"B" * 300_000]
    # both uploads pass the early check (the key is still as it was) before either commits
    conns = [_start_put(endpoint, f"/{bucket}/race", body, extra) for body in bodies]
    time.sleep(0.3)  # let the server take both requests in hand
    statuses = []
    for conn, body in zip(conns, bodies):
        conn.send(body[len(body) // 2:])
        response = conn.getresponse()
        statuses.append((response.status, response.read()))
        conn.close()
    assert statuses[0][0] == 200
    assert statuses[1][0] == 412 and b"PreconditionFailed" in statuses[1][1]
    assert s3.get_object(Bucket=bucket, Key="race")["Body"].read() == bodies[0]
