"""Strict mode: S3 refuses headers a signature does not cover (``x-amz-*``, Host, and a
presigned request's Content-MD5) with ``AccessDenied`` naming them in ``HeadersNotSigned``;
a header added to a SigV2 request changes its string to sign. Nothing the refused request
asked for happens."""

from __future__ import annotations

import base64
import hashlib

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from signed_http import send, sign, sign_v2, xml_error
from strict_helpers import client, denied

NOT_SIGNED = "There were headers present in the request which were not signed"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-unsigned")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def s3(strict):
    s3 = client(strict, "s3", "test")
    for bucket in ("unsigned-src", "unsigned-dst"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="unsigned-src", Key="secret.txt", Body=b"the other bucket's secret")
    return s3


@pytest.fixture(scope="module")
def presigner(strict):
    """Presigns with SigV4 (botocore presigns S3 with SigV2 unless told)."""
    return boto3.session.Session().client(
        "s3", endpoint_url=strict.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def test_added_copy_source_does_not_turn_a_put_into_a_copy(strict, s3):
    request = sign(strict.endpoint, "PUT", "/unsigned-dst/mine.txt", service="s3", body=b"my own bytes")
    status, _, body = send(request, extra={"x-amz-copy-source": "/unsigned-src/secret.txt"})
    assert status == 403
    assert xml_error(body)["Code"] == "AccessDenied"
    assert xml_error(body)["Message"] == NOT_SIGNED
    assert xml_error(body)["HeadersNotSigned"] == "x-amz-copy-source"
    assert denied(s3.head_object, Bucket="unsigned-dst", Key="mine.txt")[:2] == ("404", 404)
    # the same signed request as it was signed is fine
    assert send(request)[0] == 200
    assert s3.get_object(Bucket="unsigned-dst", Key="mine.txt")["Body"].read() == b"my own bytes"


def test_every_unsigned_header_is_named_in_request_order(strict, s3):
    request = sign(strict.endpoint, "PUT", "/unsigned-dst/meta.txt", service="s3", body=b"x")
    status, _, body = send(request, extra={"x-amz-meta-owner": "eve", "x-amz-storage-class": "GLACIER",
                                           "x-amz-acl": "public-read"})
    assert status == 403
    assert xml_error(body)["HeadersNotSigned"] == "x-amz-meta-owner, x-amz-storage-class, x-amz-acl"


def test_unsigned_host_is_named(strict, s3):
    request = sign(strict.endpoint, "GET", "/unsigned-src/secret.txt", service="s3")
    auth = request.headers["Authorization"]
    request.headers.replace_header("Authorization", auth.replace("SignedHeaders=host;", "SignedHeaders="))
    status, _, body = send(request)
    assert (status, xml_error(body)["HeadersNotSigned"]) == (403, "host")


def test_unsigned_content_sha256_is_accepted(strict, s3):
    # its value is the canonical request's payload hash: signing it again adds nothing
    request = sign(strict.endpoint, "GET", "/unsigned-src/secret.txt", service="s3")
    auth = request.headers["Authorization"]
    request.headers.replace_header("Authorization", auth.replace(";x-amz-content-sha256", ""))
    status, _, body = send(request)
    # the signature itself no longer matches (it named the header), but no header is refused
    assert status == 403 and xml_error(body)["Code"] == "SignatureDoesNotMatch"


def test_other_services_do_not_refuse_unsigned_amz_headers(strict):
    # SQS, IAM, STS...: AWS checks only what is signed (a session token may go unsigned there)
    request = sign(strict.endpoint, "POST", "/", service="sts", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                   headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    status, _, body = send(request, extra={"x-amz-meta-anything": "1"})
    assert status == 200, body


def test_presigned_put_refuses_unsigned_amz_headers(strict, s3, presigner):
    url = presigner.generate_presigned_url("put_object", Params={"Bucket": "unsigned-dst", "Key": "upload.txt"})
    status, _, body = send(url=url, method="PUT", body=b"data", headers={"x-amz-meta-color": "red"})
    assert (status, xml_error(body)["Code"], xml_error(body)["HeadersNotSigned"]) == (403, "AccessDenied",
                                                                                       "x-amz-meta-color")
    status, _, body = send(url=url, method="PUT", body=b"data", headers={"x-amz-security-token": "stolen"})
    assert (status, xml_error(body)["HeadersNotSigned"]) == (403, "x-amz-security-token")
    md5 = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    status, _, body = send(url=url, method="PUT", body=b"data", headers={"Content-MD5": md5})
    assert (status, xml_error(body)["HeadersNotSigned"]) == (403, "content-md5")
    assert denied(s3.head_object, Bucket="unsigned-dst", Key="upload.txt")[:2] == ("404", 404)
    # what browsers add (Content-Type) and an unsigned UNSIGNED-PAYLOAD hash are accepted
    status, _, _ = send(url=url, method="PUT", body=b"data",
                        headers={"Content-Type": "text/plain", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert status == 200
    assert s3.get_object(Bucket="unsigned-dst", Key="upload.txt")["Body"].read() == b"data"


def test_presigned_signed_headers_and_query_headers_still_work(strict, s3, presigner):
    # botocore signs the metadata header: the request sends it as signed
    url = presigner.generate_presigned_url("put_object", Params={"Bucket": "unsigned-dst", "Key": "tagged.txt",
                                                          "Metadata": {"color": "blue"}})
    assert "x-amz-meta-color" in url
    status, _, body = send(url=url, method="PUT", body=b"blue", headers={"x-amz-meta-color": "blue"})
    assert status == 200, body
    assert s3.head_object(Bucket="unsigned-dst", Key="tagged.txt")["Metadata"] == {"color": "blue"}


def test_presigned_unsigned_real_payload_hash_is_a_mismatch(strict, s3, presigner):
    url = presigner.generate_presigned_url("put_object", Params={"Bucket": "unsigned-dst", "Key": "hashed.txt"})
    status, _, body = send(url=url, method="PUT", body=b"data",
                           headers={"x-amz-content-sha256": hashlib.sha256(b"data").hexdigest()})
    assert (status, xml_error(body)["Code"]) == (403, "SignatureDoesNotMatch")


def test_sigv2_signs_every_amz_header(strict, s3):
    request = sign_v2(strict.endpoint, "PUT", "/unsigned-dst/v2.txt", body=b"v2",
                      headers={"Content-Type": "text/plain"})
    status, _, body = send(request, extra={"x-amz-copy-source": "/unsigned-src/secret.txt"})
    assert (status, xml_error(body)["Code"]) == (403, "SignatureDoesNotMatch")
    assert denied(s3.head_object, Bucket="unsigned-dst", Key="v2.txt")[:2] == ("404", 404)
    assert send(request)[0] == 200


def test_sigv2_presigned_signs_its_amz_headers(strict, s3):
    # botocore's default S3 presigner is SigV2: a header added to its request is in the string
    # to sign, so the URL no longer verifies
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "unsigned-dst", "Key": "v2-url.txt"})
    status, _, body = send(url=url, method="PUT", body=b"x", headers={"Content-Type": "", "x-amz-acl": "public-read"})
    assert (status, xml_error(body)["Code"]) == (403, "SignatureDoesNotMatch")
