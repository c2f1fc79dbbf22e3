"""Limits of a single PutObject: 2 KB of user metadata, 5 GiB of body (refused before the body
is read), valid storage classes."""

from __future__ import annotations

import http.client
from urllib.parse import urlparse

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

FIVE_GIB = 5 * 1024 ** 3


def test_metadata_up_to_2kb_is_accepted(s3, bucket):
    # keys and values count in UTF-8 bytes: 1,000 + 1,048 = 2,048
    metadata = {"k" * 1000: "v" * 1048}
    s3.put_object(Bucket=bucket, Key="ok", Body=b"x", Metadata=metadata)
    assert s3.head_object(Bucket=bucket, Key="ok")["Metadata"] == metadata


def test_metadata_over_2kb_is_refused(s3, bucket):
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="big", Body=b"x", Metadata={"a": "1" * 1000, "b": "2" * 1047})
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "MetadataTooLarge"
    assert error["Size"] == "2049" and error["MaxSizeAllowed"] == "2048"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def _put_headers_only(endpoint: str, path: str, headers: dict) -> tuple[int, bytes]:
    """Send a PUT's headers (a huge declared length) and read the answer without sending a body."""
    request = AWSRequest(method="PUT", url=endpoint + path, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD",
                                                                     **headers})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        for name, value in request.headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(b"only a few bytes of the body")
        response = conn.getresponse()  # answered now: the server did not wait for 5 GiB
        return response.status, response.read()
    finally:
        conn.close()


def test_single_put_over_5gib_is_refused_before_the_body(s3, bucket, endpoint):
    status, body = _put_headers_only(endpoint, f"/{bucket}/huge", {"Content-Length": str(FIVE_GIB + 1)})
    assert status == 400
    assert b"<Code>EntityTooLarge</Code>" in body
    assert f"<ProposedSize>{FIVE_GIB + 1}</ProposedSize>".encode() in body
    assert f"<MaxSizeAllowed>{FIVE_GIB}</MaxSizeAllowed>".encode() in body
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_chunked_put_declaring_over_5gib_is_refused(s3, bucket, endpoint):
    status, body = _put_headers_only(endpoint, f"/{bucket}/huge", {
        "Content-Length": str(FIVE_GIB + 100_000), "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(FIVE_GIB + 1),
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    assert status == 400 and b"<Code>EntityTooLarge</Code>" in body
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize("storage_class", ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                           "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"])
def test_storage_classes_are_stored(s3, bucket, storage_class):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"x", StorageClass=storage_class)
    head = s3.head_object(Bucket=bucket, Key="obj")
    # S3 reports the class on HEAD and in listings, except for STANDARD (absent from HEAD)
    assert head.get("StorageClass") == (None if storage_class == "STANDARD" else storage_class)
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["StorageClass"] == storage_class


@pytest.mark.parametrize("storage_class", ["PLATINUM", "standard", "EXPRESS_ONEZONE", "OUTPOSTS"])
def test_invalid_storage_class_is_refused(s3, bucket, storage_class):
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="obj", Body=b"x", StorageClass=storage_class)
    assert caught.value.response["Error"]["Code"] == "InvalidStorageClass"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
