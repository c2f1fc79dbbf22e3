"""S3 objects through boto3: round trips, metadata, ranges, conditionals, errors, addressing."""

from __future__ import annotations

import base64
import datetime
import hashlib
import os

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def _code(exc) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_round_trip_large_chunked(s3, bucket):
    data = os.urandom(5 * 1024 * 1024 + 17)
    put = s3.put_object(Bucket=bucket, Key="big/blob.bin", Body=data)  # aws-chunked + CRC32 trailer
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="big/blob.bin")
    body = got["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    assert got["ContentLength"] == len(data)
    assert got["ETag"] == put["ETag"]


def test_metadata_and_headers(s3, bucket):
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"hello", ContentType="text/plain",
                  Metadata={"Color": "blue", "x": "y"}, CacheControl="no-cache", ContentDisposition="inline",
                  ContentLanguage="en")
    head = s3.head_object(Bucket=bucket, Key="doc.txt")
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"]["color"] == "blue"
    assert head["CacheControl"] == "no-cache"
    assert head["ContentDisposition"] == "inline"
    assert head["ContentLength"] == 5
    got = s3.get_object(Bucket=bucket, Key="doc.txt", ResponseContentType="application/json",
                        ResponseContentDisposition="attachment")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "attachment"
    assert got["Body"].read() == b"hello"
    s3.put_object(Bucket=bucket, Key="plain", Body=b"")
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b""


def test_content_md5(s3, bucket):
    good = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
    s3.put_object(Bucket=bucket, Key="k", Body=b"abc", ContentMD5=good)
    wrong = base64.b64encode(hashlib.md5(b"xyz").digest()).decode()
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"abc", ContentMD5=wrong)
    assert _code(exc) == ("BadDigest", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"abc", ContentMD5="notbase64!")
    assert _code(exc) == ("InvalidDigest", 400)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"abc"


def test_wrong_crc32_is_refused(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="crc", Body=b"data", ChecksumCRC32="AAAAAA==")
    assert _code(exc) == ("BadDigest", 400)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="crc", Body=b"data", ChecksumAlgorithm="CRC32")
    head = s3.head_object(Bucket=bucket, Key="crc", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == put["ChecksumCRC32"]


def test_ranges(s3, bucket):
    data = bytes(range(256)) * 4
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == f"bytes 10-19/{len(data)}"
    assert got["Body"].read() == data[10:20]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")["Body"].read() == data[1000:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == data[-5:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1020-5000")["Body"].read() == data[1020:]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=5000-")
    assert _code(exc) == ("InvalidRange", 416)


def test_conditionals(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert _code(exc) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=now)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    # a date in the future is no valid If-Modified-Since: S3 ignores it
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)["Body"].read() == b"v1"
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert _code(exc) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert _code(exc) == ("412", 412)


def test_errors_and_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="missing")
    assert _code(exc) == ("NoSuchKey", 404)
    assert exc.value.response["Error"]["Key"] == "missing"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="missing")
    assert _code(exc) == ("404", 404)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
    assert _code(exc) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert _code(exc) == ("KeyTooLongError", 400)
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="k" * 1024)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="k" * 1024)["ResponseMetadata"]["HTTPStatusCode"] == 204


@pytest.mark.parametrize("key", ["a/../b", "../../etc/passwd", "ünïcødé/日本語 key", "sp ace+plus%25", "/lead//x/"])
def test_odd_keys(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_overwrite(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"first")
    s3.put_object(Bucket=bucket, Key="o", Body=b"second!", ContentType="text/x")
    got = s3.get_object(Bucket=bucket, Key="o")
    assert got["Body"].read() == b"second!"
    assert got["ContentType"] == "text/x"


def test_virtual_hosted(server, endpoint):
    import boto3

    port = endpoint.rsplit(":", 1)[1]
    s3v = boto3.session.Session().client(
        "s3", endpoint_url=f"http://localhost:{port}", region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test",
                     config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}))
    s3v.meta.events.register("before-send.s3", _resolve_localhost)
    s3v.create_bucket(Bucket="virtual-one")
    s3v.put_object(Bucket="virtual-one", Key="dir/k", Body=b"vh")
    assert s3v.get_object(Bucket="virtual-one", Key="dir/k")["Body"].read() == b"vh"
    assert [o["Key"] for o in s3v.list_objects_v2(Bucket="virtual-one")["Contents"]] == ["dir/k"]


def _resolve_localhost(request, **kwargs):
    """``virtual-one.localhost`` has no DNS entry here: connect to 127.0.0.1, keep the Host header."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(request.url)
    request.headers["Host"] = parts.netloc
    request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))


def test_overwrite_never_shows_a_mix(s3, bucket, aws_client):
    import threading

    versions = [bytes([i]) * (300_000 + i) for i in range(8)]
    s3.put_object(Bucket=bucket, Key="hot", Body=versions[0])
    done = threading.Event()

    def writer():
        w = aws_client("s3")
        for i in range(1, 24):
            w.put_object(Bucket=bucket, Key="hot", Body=versions[i % len(versions)])
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen = 0
    try:
        while not done.is_set() and seen < 200:
            got = s3.get_object(Bucket=bucket, Key="hot")
            body = got["Body"].read()
            assert body in versions
            assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
            seen += 1
    finally:
        thread.join(60)
    assert seen
