"""SigV4 Authorization-header verification against botocore's own signers."""

from __future__ import annotations

import pytest
from auth_helpers import ENDPOINT, FIXED, credentials, ctx, freeze_botocore, make_auth, run, sign_sts, to_http
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest

from overcast.errors import AwsError

S3 = ctx("s3", "rest-xml", "PutObject")
JSON = ctx("dynamodb", "json", "ListTables")


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    freeze_botocore(monkeypatch)


def expect_error(auth, request, context, code, status):
    with pytest.raises(AwsError) as caught:
        run(auth, request, context)
    assert (caught.value.code, caught.value.status) == (code, status), caught.value
    return caught.value


def test_query_service_request_verifies_and_maps_to_root():
    identity = run(make_auth(), sign_sts())
    assert identity.account == "000000000000"
    assert identity.principal_arn == "arn:aws:iam::000000000000:root"
    assert identity.user_id == "000000000000"
    assert identity.access_key == "test"


def test_twelve_digit_key_is_that_account():
    identity = run(make_auth(), sign_sts(key="123456789012"))
    assert (identity.account, identity.principal_arn) == ("123456789012", "arn:aws:iam::123456789012:root")


def test_wrong_secret_is_signature_mismatch():
    error = expect_error(make_auth(), sign_sts(secret="wrong"), ctx(), "SignatureDoesNotMatch", 403)
    assert error.message.startswith("The request signature we calculated does not match")


def test_unknown_key_in_strict_mode():
    expect_error(make_auth(), sign_sts(key="AKIAUNKNOWN"), ctx(), "InvalidClientTokenId", 403)
    expect_error(make_auth(), sign_sts(key="AKIAUNKNOWN"), JSON, "UnrecognizedClientException", 400)


def test_unknown_key_in_open_mode_is_default_root():
    identity = run(make_auth(strict=False), sign_sts(key="AKIAUNKNOWN", secret="whatever"))
    assert (identity.account, identity.principal_arn) == ("000000000000", "arn:aws:iam::000000000000:root")
    assert identity.access_key == "AKIAUNKNOWN"


def test_open_mode_accepts_a_wrong_secret():
    assert run(make_auth(strict=False), sign_sts(secret="wrong")).account == "000000000000"


@pytest.mark.parametrize("where", ["body", "header", "path", "query", "method"])
def test_tampered_request_is_rejected(where):
    request = AWSRequest(
        "POST",
        ENDPOINT + "/some/path?b=2&a=1",
        data=b"Action=GetCallerIdentity",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Meta": "one"},
    )
    SigV4Auth(credentials(), "sts", "us-east-1").add_auth(request)
    http = to_http(request)
    assert run(make_auth(), http).account == "000000000000"
    if where == "body":
        http.body += b"&x=1"
    elif where == "header":
        http.headers["x-amz-meta"] = "two"
    elif where == "path":
        http.path = "/some/other"
    elif where == "query":
        http.query_string = "b=2&a=3"
    else:
        http.method = "PUT"
    expect_error(make_auth(), http, ctx(), "SignatureDoesNotMatch", 403)


def test_header_whitespace_is_folded_and_unsigned_headers_ignored():
    request = AWSRequest("GET", ENDPOINT + "/", headers={"X-Amz-Meta": "  a   b  "})
    SigV4Auth(credentials(), "sts", "us-east-1").add_auth(request)
    http = to_http(request)
    http.headers["x-amz-meta"] = "a b"  # same after trimming and folding
    http.headers["x-unsigned"] = "anything"
    assert run(make_auth(), http).account == "000000000000"


def test_query_is_sorted_and_reencoded():
    request = AWSRequest("GET", ENDPOINT + "/", params={"z": "a b/c~", "a": "x=y", "m": ""})
    SigV4Auth(credentials(), "sts", "us-east-1").add_auth(request)
    http = to_http(request)
    # ~ sent encoded and the pairs in another order: the canonical form is the same
    http.query_string = "&".join(sorted(http.query_string.replace("~", "%7E").split("&"), reverse=True))
    assert run(make_auth(), http).account == "000000000000"


def test_non_s3_path_is_normalized_and_double_encoded():
    request = AWSRequest("GET", ENDPOINT + "/2015-03-31/functions/my%3Afunc/./x/../invocations")
    SigV4Auth(credentials(), "lambda", "us-east-1").add_auth(request)
    http = to_http(request)
    assert run(make_auth(), http, ctx("lambda", "rest-json", "Invoke")).account == "000000000000"


def test_s3_path_is_signed_as_sent():
    request = AWSRequest(
        "PUT", ENDPOINT + "/bucket/a%20key/with%2Bplus", data=b"hello", headers={"Content-Type": "text/plain"}
    )
    S3SigV4Auth(credentials(), "s3", "us-east-1").add_auth(request)
    http = to_http(request)
    assert run(make_auth(), http, S3).account == "000000000000"
    http.body = b"hellp"
    expect_error(make_auth(), http, S3, "XAmzContentSHA256Mismatch", 400)


def test_s3_errors_carry_their_fields():
    request = AWSRequest("GET", ENDPOINT + "/bucket/key")
    S3SigV4Auth(credentials(secret="bad"), "s3", "us-east-1").add_auth(request)
    error = expect_error(make_auth(), to_http(request), S3, "SignatureDoesNotMatch", 403)
    assert error.fields["AWSAccessKeyId"] == "test"
    assert error.fields["CanonicalRequest"].startswith("GET\n/bucket/key\n")
    request = AWSRequest("GET", ENDPOINT + "/bucket/key")
    S3SigV4Auth(credentials(key="AKIANOPE"), "s3", "us-east-1").add_auth(request)
    error = expect_error(make_auth(), to_http(request), S3, "InvalidAccessKeyId", 403)
    assert error.fields == {"AWSAccessKeyId": "AKIANOPE"}


def test_s3_unsigned_payload_verifies():
    request = AWSRequest("PUT", ENDPOINT + "/bucket/key", data=b"data", headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(credentials(), "s3", "us-east-1").add_auth(request)
    http = to_http(request)
    assert http.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    http.body = b"other data"  # not covered by the signature
    assert run(make_auth(), http, S3).account == "000000000000"


def test_clock_skew():
    auth = make_auth(now=FIXED + 16 * 60)
    error = expect_error(auth, sign_sts(), ctx(), "SignatureDoesNotMatch", 403)
    assert error.message.startswith("Signature expired: 20231114T221320Z is now earlier than")
    auth = make_auth(now=FIXED - 16 * 60)
    error = expect_error(auth, sign_sts(), ctx(), "SignatureDoesNotMatch", 403)
    assert error.message.startswith("Signature not yet current")
    request = AWSRequest("GET", ENDPOINT + "/bucket/key")
    S3SigV4Auth(credentials(), "s3", "us-east-1").add_auth(request)
    error = expect_error(make_auth(now=FIXED + 3600), to_http(request), S3, "RequestTimeTooSkewed", 403)
    assert error.fields["MaxAllowedSkewMilliseconds"] == "900000"
    # within 15 minutes is fine; open mode never checks
    assert run(make_auth(now=FIXED + 14 * 60), sign_sts()).account == "000000000000"
    assert run(make_auth(strict=False, now=FIXED + 86400), sign_sts()).account == "000000000000"


def test_session_credentials():
    auth = make_auth()
    auth.credentials.register(
        "ASIATEMP",
        "tempsecret",
        "111122223333",
        "arn:aws:sts::111122223333:assumed-role/role/session",
        "AROAEXAMPLE:session",
        session_token="token-1",
        expires_at=FIXED + 60,
    )
    identity = run(auth, sign_sts("ASIATEMP", "tempsecret", "token-1"))
    assert identity.principal_arn == "arn:aws:sts::111122223333:assumed-role/role/session"
    assert identity.user_id == "AROAEXAMPLE:session"
    assert identity.session_token == "token-1"
    expect_error(auth, sign_sts("ASIATEMP", "tempsecret", "token-2"), ctx(), "InvalidClientTokenId", 403)
    expect_error(auth, sign_sts("ASIATEMP", "tempsecret"), ctx(), "InvalidClientTokenId", 403)
    auth.clock.t = FIXED + 61
    # the request was signed at FIXED, still within the skew window; the credentials expired
    expect_error(auth, sign_sts("ASIATEMP", "tempsecret", "token-1"), ctx(), "ExpiredToken", 403)
    auth.credentials.unregister("ASIATEMP")
    expect_error(auth, sign_sts("ASIATEMP", "tempsecret", "token-1"), ctx(), "InvalidClientTokenId", 403)


def test_configured_keys():
    auth = make_auth(access_keys="AKIAADMIN:adminsecret:444455556666, 999988887777:other")
    assert run(auth, sign_sts("AKIAADMIN", "adminsecret")).account == "444455556666"
    assert run(auth, sign_sts("999988887777", "other")).account == "999988887777"
    expect_error(auth, sign_sts("999988887777", "test"), ctx(), "SignatureDoesNotMatch", 403)
    auth = make_auth(default_secret_key="s3cret")
    assert run(auth, sign_sts("test", "s3cret")).account == "000000000000"


def test_non_s3_streaming_body_is_verified_at_its_end():
    import asyncio

    request = AWSRequest("POST", ENDPOINT + "/upload", data=b"x" * 1000)
    SigV4Auth(credentials(), "glacier", "us-east-1").add_auth(request)
    http = to_http(request)
    body, http.body = http.body, b""

    async def source(data):
        for i in range(0, len(data), 300):
            yield data[i : i + 300]

    async def read(payload):
        auth = make_auth()
        http.stream = auth.wrap_stream(None, http.headers, source(payload))
        auth.authenticate(auth.inspect(http.method, http.query_string, http.headers), http, ctx("glacier", "rest-json", "UploadArchive"))
        return b"".join([piece async for piece in http.stream])

    assert asyncio.run(read(body)) == body
    with pytest.raises(AwsError) as caught:
        asyncio.run(read(b"y" * 1000))
    assert caught.value.code == "InvalidSignatureException"
