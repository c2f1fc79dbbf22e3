"""Presigned SigV4 URLs (query authentication) against botocore's query signers."""

from __future__ import annotations

import pytest
from auth_helpers import ENDPOINT, FIXED, credentials, ctx, freeze_botocore, make_auth, run, to_http
from botocore.auth import S3SigV4QueryAuth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest

from overcast.errors import AwsError

S3 = ctx("s3", "rest-xml", "GetObject")


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    freeze_botocore(monkeypatch)


def presign_s3(url=ENDPOINT + "/bucket/some%20key", expires=3600, key="test", secret="test", token=None, method="GET"):
    request = AWSRequest(method, url)
    S3SigV4QueryAuth(credentials(key, secret, token), "s3", "us-east-1", expires=expires).add_auth(request)
    return to_http(request)


def expect_error(auth, request, context, code, status):
    with pytest.raises(AwsError) as caught:
        run(auth, request, context)
    assert (caught.value.code, caught.value.status) == (code, status), caught.value
    return caught.value


def test_s3_presigned_url_verifies():
    http = presign_s3()
    info = make_auth().inspect(http.method, http.query_string, http.headers)
    assert (info.kind, info.service, info.region, info.expires) == ("presigned", "s3", "us-east-1", 3600)
    assert run(make_auth(), http, S3).account == "000000000000"


def test_s3_presigned_url_with_its_own_query_parameters():
    http = presign_s3(ENDPOINT + "/bucket/key?response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&versionId=3")
    assert run(make_auth(), http, S3).account == "000000000000"


def test_presigned_tampering_is_rejected():
    http = presign_s3()
    http.path = "/bucket/other"
    expect_error(make_auth(), http, S3, "SignatureDoesNotMatch", 403)
    http = presign_s3(secret="nope")
    expect_error(make_auth(), http, S3, "SignatureDoesNotMatch", 403)
    http = presign_s3(key="AKIAUNKNOWN")
    expect_error(make_auth(), http, S3, "InvalidAccessKeyId", 403)


def test_expired_url_in_both_modes():
    http = presign_s3(expires=60)
    assert run(make_auth(now=FIXED + 60), http, S3).account == "000000000000"
    for strict in (True, False):
        error = expect_error(make_auth(strict=strict, now=FIXED + 61), http, S3, "AccessDenied", 403)
        assert error.message == "Request has expired"
        assert error.fields["X-Amz-Expires"] == "60"


def test_url_dated_in_the_future_is_not_yet_valid_in_both_modes():
    # S3 answers 403 AccessDenied "Request is not yet valid", X-Amz-Date in epoch milliseconds
    http = presign_s3(expires=3600)
    assert run(make_auth(now=FIXED - 900), http, S3).account == "000000000000"  # within the skew
    for strict in (True, False):
        error = expect_error(make_auth(strict=strict, now=FIXED - 901), http, S3, "AccessDenied", 403)
        assert error.message == "Request is not yet valid"
        assert error.fields["X-Amz-Date"] == str(int(FIXED) * 1000)
        assert set(error.fields) == {"X-Amz-Date", "Expires", "ServerTime"}


def test_presigned_url_is_not_subject_to_clock_skew():
    # a week-long URL used six days later: fine
    http = presign_s3(expires=604800)
    assert run(make_auth(now=FIXED + 6 * 86400), http, S3).account == "000000000000"


@pytest.mark.parametrize(
    "change, message",
    [
        (("X-Amz-Expires=3600", "X-Amz-Expires=604801"), "less than a week"),
        (("X-Amz-Expires=3600", "X-Amz-Expires=-1"), "non-negative"),
        (("X-Amz-Expires=3600", "X-Amz-Expires=soon"), "should be a number"),
        (("X-Amz-Expires=3600&", ""), "requires the X-Amz-Algorithm"),
        (("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"), "only supports"),
        (("X-Amz-Date=20231114T221320Z", "X-Amz-Date=2023-11-14"), "ISO8601"),
        (("%2Fs3%2Faws4_request", "%2Fs3"), "X-Amz-Credential"),
    ],
)
def test_malformed_presigned_parameters(change, message):
    http = presign_s3()
    old, new = change
    assert old in http.query_string
    http.query_string = http.query_string.replace(old, new)
    for strict in (True, False):
        error = expect_error(make_auth(strict=strict), http, S3, "AuthorizationQueryParametersError", 400)
        assert message in error.message


def test_presigned_non_s3_request():
    # What the EKS token is: a presigned STS GetCallerIdentity with a signed extra header.
    request = AWSRequest(
        "GET",
        ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15",
        headers={"x-k8s-aws-id": "my-cluster"},
    )
    SigV4QueryAuth(credentials(), "sts", "us-east-1", expires=60).add_auth(request)
    http = to_http(request)
    assert run(make_auth(), http).account == "000000000000"
    http.headers["x-k8s-aws-id"] = "other-cluster"
    expect_error(make_auth(), http, ctx(), "SignatureDoesNotMatch", 403)


def test_presigned_with_session_token():
    auth = make_auth()
    auth.credentials.register("ASIAX", "s", "123456789012", session_token="tok", expires_at=FIXED + 3600)
    http = presign_s3(key="ASIAX", secret="s", token="tok")
    identity = run(auth, http, S3)
    assert (identity.account, identity.session_token) == ("123456789012", "tok")


def test_header_and_query_auth_together_are_refused():
    http = presign_s3()
    http.headers["authorization"] = "AWS4-HMAC-SHA256 Credential=test/20231114/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
    error = expect_error(make_auth(), http, S3, "InvalidArgument", 400)
    assert "Only one auth mechanism allowed" in error.message
