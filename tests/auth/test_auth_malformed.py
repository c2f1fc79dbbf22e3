"""Malformed Authorization headers, anonymous requests and the credential registry."""

from __future__ import annotations

import pytest
from auth_helpers import ctx, make_auth, run

from overcast.auth.credentials import CredentialStore, parse_static_keys
from overcast.errors import AwsError
from overcast.protocols.base import HttpRequest

GOOD_CREDENTIAL = "Credential=test/20231114/us-east-1/sts/aws4_request"
S3 = ctx("s3", "rest-xml", "GetObject")


def request(authorization: str | None, **headers) -> HttpRequest:
    all_headers = {"host": "127.0.0.1:4566", "x-amz-date": "20231114T221320Z", **headers}
    if authorization is not None:
        all_headers["authorization"] = authorization
    return HttpRequest("POST", "/", "", {k: v for k, v in all_headers.items() if v is not None}, b"")


def error_of(req, context=None, strict=False) -> AwsError:
    with pytest.raises(AwsError) as caught:
        run(make_auth(strict=strict), req, context or ctx())
    return caught.value


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    "authorization, message",
    [
        ("AWS4-HMAC-SHA256 ", "Authorization header requires 'Credential' parameter."),
        (f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host", "requires 'Signature' parameter"),
        (f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, Signature=abc", "requires 'SignedHeaders' parameter"),
        (f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders, Signature=abc", "not a valid key=value pair"),
        (
            "AWS4-HMAC-SHA256 Credential=test/20231114/us-east-1/sts, SignedHeaders=host, Signature=abc",
            "exactly 5 slash-delimited elements",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=test/20231114/us-east-1/sts/aws5_request, SignedHeaders=host, Signature=a",
            "valid terminator",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=test/2023-11-14/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=a",
            "mal-formed",
        ),
    ],
)
def test_incomplete_signature(authorization, message, strict):
    error = error_of(request(authorization), strict=strict)
    assert (error.code, error.status) == ("IncompleteSignature", 400)
    assert message in error.message


def test_incomplete_signature_codes_by_family():
    bad = request(f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host")
    assert error_of(bad, ctx("dynamodb", "json", "ListTables")).code == "IncompleteSignatureException"
    error = error_of(bad, S3)
    assert (error.code, error.status) == ("AuthorizationHeaderMalformed", 400)


def test_unroutable_malformed_signature_is_raised_by_inspect():
    # no service can be read from it: the gateway answers in its generic XML error shape
    with pytest.raises(AwsError) as caught:
        make_auth(strict=False).inspect("POST", "", {"authorization": "AWS4-HMAC-SHA256 Credential=test/garbage, Signature=abc"})
    assert (caught.value.code, caught.value.status) == ("IncompleteSignature", 400)


def test_missing_or_bad_date():
    auth = f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host, Signature=abc"
    error = error_of(request(auth, **{"x-amz-date": None}))
    assert error.code == "IncompleteSignature"
    assert "'X-Amz-Date' or a 'Date' header" in error.message
    error = error_of(request(auth, **{"x-amz-date": None}), S3)
    assert (error.code, error.status) == ("AccessDenied", 403)
    error = error_of(request(auth, **{"x-amz-date": "2023-11-14T22:13:20Z"}))
    assert "ISO-8601 'basic format'" in error.message
    # a Date header stands in for X-Amz-Date
    req = request(auth, **{"x-amz-date": None, "date": "Tue, 14 Nov 2023 22:13:20 GMT"})
    info = make_auth().inspect("POST", "", req.headers)
    assert info.problem is None and info.amz_date == "20231114T221320Z"


def test_scope_date_must_match_request_date_in_strict_mode():
    auth = "AWS4-HMAC-SHA256 Credential=test/20231113/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abc"
    error = error_of(request(auth), strict=True)
    assert "Date in Credential scope does not match" in error.message
    # open mode does not look
    assert run(make_auth(strict=False), request(auth)).account == "000000000000"


def test_host_must_be_signed_in_strict_mode():
    auth = f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=x-amz-date, Signature=abc"
    assert "'Host'" in error_of(request(auth), strict=True).message


def test_routing_info_survives_a_bad_signature():
    auth = "AWS4-HMAC-SHA256 Credential=test/20231114/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=abc"
    info = make_auth().inspect("POST", "", request(auth, **{"x-amz-date": "yesterday"}).headers)
    assert (info.service, info.region) == ("sqs", "eu-west-1")
    assert info.problem is not None


def test_unsupported_schemes():
    # open mode: an Authorization Overcast cannot read is anonymous; strict mode refuses it
    assert run(make_auth(strict=False), request("Bearer abc")).account == "000000000000"
    assert error_of(request("Bearer abc"), S3, strict=True).code == "InvalidArgument"


def test_anonymous_requests():
    anonymous = request(None)
    assert run(make_auth(strict=False), anonymous).account == "000000000000"
    error = error_of(anonymous, strict=True)
    assert (error.code, error.status) == ("MissingAuthenticationToken", 403)
    assert error_of(anonymous, ctx("dynamodb", "json", "ListTables"), strict=True).code == (
        "MissingAuthenticationTokenException"
    )
    # operations the model marks unauthenticated, and S3 (bucket policies decide), go through
    assert run(make_auth(), anonymous, ctx("sts", "query", "AssumeRoleWithWebIdentity")).principal_arn == ""
    assert run(make_auth(), anonymous, S3).principal_arn == ""


def test_sigv4a_is_read_for_routing_but_not_verified():
    auth = "AWS4-ECDSA-P256-SHA256 Credential=test/20231114/s3/aws4_request, SignedHeaders=host, Signature=3045"
    info = make_auth().inspect("GET", "", {"authorization": auth})
    assert (info.kind, info.service) == ("sigv4a", "s3")
    assert run(make_auth(strict=False), request(auth), S3).account == "000000000000"
    assert error_of(request(auth), S3, strict=True).status == 501


def test_credential_store():
    store = CredentialStore()
    assert store.lookup("test").account == "000000000000"
    assert store.lookup("123456789012").principal_arn == "arn:aws:iam::123456789012:root"
    assert store.lookup("AKIAUNKNOWN") is None
    assert store.lookup("12345678901") is None
    user = store.register("AKIAUSER", "s", "123456789012", "arn:aws:iam::123456789012:user/alice", "AIDAALICE")
    assert store.lookup("AKIAUSER") == user
    store.clear()
    assert store.lookup("AKIAUSER") is None
    assert parse_static_keys("a:b, c:d:111111111111") == [("a", "b", "000000000000"), ("c", "d", "111111111111")]
    with pytest.raises(ValueError):
        parse_static_keys("onlykey")
    with pytest.raises(ValueError):
        parse_static_keys("k:s:notanaccount")
