"""Headers a presigned URL carries in its query string, applied as S3 applies them: boto3's
SigV2 presigned PUT (``x-amz-meta-*``, ``x-amz-storage-class``, ``x-amz-tagging``,
``content-type`` as parameters) and ``x-amz-*`` headers hoisted into a SigV4 URL's query (as
the JavaScript SDK's presigner does), in open mode and with signatures verified."""

from __future__ import annotations

import os
import uuid

import boto3
import pytest
import requests
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from serverproc import ServerProcess

KEY, SECRET = "AKIAQUERYHEADERS", "queryheaderssecret"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-query-headers")), "--strict",
                         env={"OVERCAST_ACCESS_KEYS": f"{KEY}:{SECRET}"}).start()
    yield proc
    proc.stop()


def _client(endpoint: str, signature_version: str, key: str = "test", secret: str = "test"):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(signature_version=signature_version, s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def _targets(endpoint, strict_server):
    """(client, bucket) on the open server and on the strict one."""
    for url, key, secret in ((endpoint, "test", "test"), (strict_server.endpoint, KEY, SECRET)):
        name = f"qh-{uuid.uuid4().hex[:12]}"
        s3 = _client(url, "s3v4", key, secret)
        s3.create_bucket(Bucket=name)
        yield url, key, secret, s3, name


def test_sigv2_presigned_put_applies_its_query_headers(endpoint, strict_server):
    for url, key, secret, s3, bucket in _targets(endpoint, strict_server):
        presigner = _client(url, "s3", key, secret)
        put_url = presigner.generate_presigned_url("put_object", Params={
            "Bucket": bucket, "Key": "doc.txt", "Metadata": {"owner": "alice"}, "StorageClass": "STANDARD_IA",
            "Tagging": "team=web", "ContentType": "text/plain"})
        assert "x-amz-meta-owner=alice" in put_url  # the form boto3 produces
        response = requests.put(put_url, data=b"hello", timeout=10)
        assert response.status_code == 200, response.text
        head = s3.head_object(Bucket=bucket, Key="doc.txt")
        assert head["Metadata"] == {"owner": "alice"}
        assert head["StorageClass"] == "STANDARD_IA"
        assert head["ContentType"] == "text/plain"
        assert s3.get_object_tagging(Bucket=bucket, Key="doc.txt")["TagSet"] == [{"Key": "team", "Value": "web"}]


def _hoisted_url(url: str, key: str, secret: str, bucket: str, object_key: str, query: str) -> str:
    """A SigV4 presigned PUT whose ``x-amz-*`` headers travel in the (signed) query string."""
    request = AWSRequest(method="PUT", url=f"{url}/{bucket}/{object_key}?{query}")
    S3SigV4QueryAuth(Credentials(key, secret), "s3", "us-east-1", expires=300).add_auth(request)
    return request.url


def test_sigv4_hoisted_headers_are_applied(endpoint, strict_server):
    for url, key, secret, s3, bucket in _targets(endpoint, strict_server):
        query = "x-amz-meta-owner=bob&x-amz-storage-class=ONEZONE_IA&x-amz-tagging=a%3D1"
        put_url = _hoisted_url(url, key, secret, bucket, "hoisted.txt", query)
        response = requests.put(put_url, data=b"body", timeout=10)
        assert response.status_code == 200, response.text
        head = s3.head_object(Bucket=bucket, Key="hoisted.txt")
        assert head["Metadata"] == {"owner": "bob"} and head["StorageClass"] == "ONEZONE_IA"
        assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "1"


def test_header_sent_wins_over_query_parameter(endpoint, strict_server):
    """Open mode: the header sent wins. With signatures verified, an ``x-amz-*`` header the
    URL does not sign is refused, as S3 refuses it (it would override the signed value)."""
    for url, key, secret, s3, bucket in _targets(endpoint, strict_server):
        put_url = _hoisted_url(url, key, secret, bucket, "both.txt", "x-amz-meta-owner=query")
        response = requests.put(put_url, data=b"x", headers={"x-amz-meta-owner": "header"}, timeout=10)
        if url == endpoint and os.environ.get("OVERCAST_TEST_MODE") != "strict":
            assert response.status_code == 200, response.text
            assert s3.head_object(Bucket=bucket, Key="both.txt")["Metadata"] == {"owner": "header"}
            continue
        assert response.status_code == 403
        assert "<HeadersNotSigned>x-amz-meta-owner</HeadersNotSigned>" in response.text
        assert requests.put(put_url, data=b"x", timeout=10).status_code == 200
        assert s3.head_object(Bucket=bucket, Key="both.txt")["Metadata"] == {"owner": "query"}


def test_sigv4_presigned_conditional_put(endpoint, strict_server):
    """boto3 signs IfNoneMatch as a header of the URL: sent with it, a second PUT is refused."""
    for url, key, secret, s3, bucket in _targets(endpoint, strict_server):
        presigner = _client(url, "s3v4", key, secret)
        put_url = presigner.generate_presigned_url("put_object", Params={
            "Bucket": bucket, "Key": "once.txt", "IfNoneMatch": "*"})
        assert requests.put(put_url, data=b"1", headers={"If-None-Match": "*"}, timeout=10).status_code == 200
        again = requests.put(put_url, data=b"2", headers={"If-None-Match": "*"}, timeout=10)
        assert again.status_code == 412, again.text
        assert s3.get_object(Bucket=bucket, Key="once.txt")["Body"].read() == b"1"
