"""S3 SigV2 (HMAC-SHA1) header and presigned query auth against botocore's HmacV1 signers."""

from __future__ import annotations

import time

import pytest
from auth_helpers import ENDPOINT, credentials, ctx, make_auth, run, to_http
from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest

from overcast.auth.sigv2 import canonical_resource, virtual_bucket
from overcast.errors import AwsError

S3 = ctx("s3", "rest-xml", "GetObject")


def now_auth(strict=True, offset=0.0):
    # botocore's SigV2 signers read time.time(): the cloud's clock follows it
    return make_auth(strict=strict, now=time.time() + offset)


def expect_error(auth, request, code, status):
    with pytest.raises(AwsError) as caught:
        run(auth, request, S3)
    assert (caught.value.code, caught.value.status) == (code, status), caught.value
    return caught.value


def sign_header(url=ENDPOINT + "/bucket/key", method="PUT", secret="test", headers=None, data=b""):
    request = AWSRequest(method, url, data=data, headers=headers or {})
    HmacV1Auth(credentials(secret=secret)).add_auth(request)
    return to_http(request)


def presign(url=ENDPOINT + "/bucket/key", expires=3600, secret="test", key="test", token=None):
    request = AWSRequest("GET", url)
    HmacV1QueryAuth(credentials(key, secret, token), expires=expires).add_auth(request)
    return to_http(request)


def test_header_auth_verifies_and_routes_as_s3():
    http = sign_header(headers={"Content-Type": "text/plain", "x-amz-meta-Color": "blue", "Content-MD5": "abc=="})
    auth = now_auth()
    info = auth.inspect(http.method, http.query_string, http.headers)
    assert (info.kind, info.service, info.access_key) == ("sigv2-header", "s3", "test")
    assert run(auth, http, S3).principal_arn == "arn:aws:iam::000000000000:root"


def test_header_auth_with_sub_resources():
    http = sign_header(ENDPOINT + "/bucket/key?acl&versionId=v%201&other=ignored", method="GET")
    assert run(now_auth(), http, S3).account == "000000000000"


def test_header_auth_rejections():
    expect_error(now_auth(), sign_header(secret="bad"), "SignatureDoesNotMatch", 403)
    http = sign_header(headers={"x-amz-meta-color": "blue"})
    http.headers["x-amz-meta-color"] = "red"
    expect_error(now_auth(), http, "SignatureDoesNotMatch", 403)
    error = expect_error(now_auth(offset=3600), sign_header(), "RequestTimeTooSkewed", 403)
    assert "too large" in error.message
    http = sign_header()
    http.headers["authorization"] = "AWS testnocolon"
    expect_error(now_auth(), http, "InvalidArgument", 400)
    http = sign_header()
    del http.headers["date"]
    expect_error(now_auth(), http, "AccessDenied", 403)
    http = sign_header()
    http.headers["authorization"] = http.headers["authorization"].replace("AWS test:", "AWS AKIAWHO:")
    expect_error(now_auth(), http, "InvalidAccessKeyId", 403)


def test_open_mode_does_not_verify_sigv2():
    assert run(now_auth(strict=False, offset=86400), sign_header(secret="bad"), S3).account == "000000000000"


def test_presigned_v2_verifies_and_expires_in_both_modes():
    http = presign(ENDPOINT + "/bucket/my%20key?response-content-type=text%2Fplain", expires=100)
    auth = now_auth()
    info = auth.inspect(http.method, http.query_string, http.headers)
    assert (info.kind, info.service) == ("sigv2-presigned", "s3")
    assert run(auth, http, S3).account == "000000000000"
    for strict in (True, False):
        error = expect_error(now_auth(strict=strict, offset=200), http, "AccessDenied", 403)
        assert error.message == "Request has expired"


def test_presigned_v2_rejections():
    expect_error(now_auth(), presign(secret="bad"), "SignatureDoesNotMatch", 403)
    http = presign()
    http.query_string = http.query_string.replace("Expires=", "Expires=1")
    expect_error(now_auth(), http, "SignatureDoesNotMatch", 403)
    http = presign()
    http.query_string = "&".join(p for p in http.query_string.split("&") if not p.startswith("Signature="))
    error = expect_error(now_auth(), http, "AccessDenied", 403)
    assert "requires the Signature, Expires and AWSAccessKeyId" in error.message


def test_presigned_v2_with_session_token_query_parameter():
    auth = now_auth()
    auth.credentials.register("ASIAV2", "sekrit", "123456789012", session_token="tok")
    http = presign(key="ASIAV2", secret="sekrit", token="tok")
    assert "x-amz-security-token=tok" in http.query_string
    assert run(auth, http, S3).account == "123456789012"


def test_virtual_hosted_resource_includes_the_bucket():
    request = AWSRequest("GET", "http://mybucket.s3.localhost.localstack.cloud:4566/key")
    request.auth_path = "/mybucket/key"
    HmacV1Auth(credentials()).add_auth(request)
    assert run(now_auth(), to_http(request), S3).account == "000000000000"


def test_resource_helpers():
    assert virtual_bucket("my.bucket.s3.amazonaws.com") == "my.bucket"
    assert virtual_bucket("bucket.localhost:4566") == "bucket"
    assert virtual_bucket("s3.localhost.localstack.cloud:4566") is None
    assert virtual_bucket("127.0.0.1:4566") is None
    assert virtual_bucket("localhost:4566") is None
    assert canonical_resource("/b/k", "uploadId=1%202&partNumber=3&x=1", None) == "/b/k?partNumber=3&uploadId=1 2"
    assert canonical_resource("/", "acl", "b") == "/b/?acl"
