"""Presigned S3 URLs (SigV4 and legacy SigV2) and SigV2 ``Authorization: AWS`` headers,
used from ``requests`` and from curl, against the open server and a ``--strict`` one."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

STRICT_KEY, STRICT_SECRET = "AKIAPRESIGNEXAMPLE", "presignsecret"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(
        str(tmp_path_factory.mktemp("overcast-presign-strict")),
        "--strict",
        env={"OVERCAST_ACCESS_KEYS": f"{STRICT_KEY}:{STRICT_SECRET}"},
    ).start()
    yield proc
    proc.stop()


def client(endpoint: str, signature_version: str | None = None, key: str = "test", secret: str = "test",
           addressing: str | None = None):
    options = {"retries": {"max_attempts": 1}, "connect_timeout": 5, "read_timeout": 30}
    if signature_version:
        options["signature_version"] = signature_version
    if addressing:
        options["s3"] = {"addressing_style": addressing}
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(**options),
    )


def error_of(response) -> dict:
    """The members of S3's XML error body."""
    root = ET.fromstring(response.content)
    assert root.tag == "Error"
    return {child.tag: child.text for child in root}


def advance_clock(endpoint: str, seconds: float) -> None:
    requests.post(endpoint + "/_overcast/clock", data=json.dumps({"advance": seconds}), timeout=10).raise_for_status()


def tamper_path(url: str, new_key: str) -> str:
    parts = urlsplit(url)
    bucket = parts.path.split("/")[1]
    return urlunsplit(parts._replace(path=f"/{bucket}/{new_key}"))


def curl(*args: str) -> tuple[int, bytes]:
    """(status, body) of a curl call: ``-w`` appends the status after the body."""
    proc = subprocess.run(["curl", "-s", "-g", "-w", "\n%{http_code}", *args], capture_output=True, timeout=30,
                          check=True)
    body, _, status = proc.stdout.rpartition(b"\n")
    return int(status), body


SIGNERS = ["s3v4", "s3"]


# -- which form boto3 produces ------------------------------------------------------------------


def test_default_client_presigns_a_form_that_works(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="default.txt", Body=b"default form")
    url = client(endpoint).generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "default.txt"})
    query = dict(parse_qsl(urlsplit(url).query))
    # botocore picks SigV2 or SigV4 for a custom endpoint depending on its version: either works
    assert "X-Amz-Signature" in query or {"AWSAccessKeyId", "Signature", "Expires"} <= set(query)
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.content) == (200, b"default form")


def test_explicit_forms_are_what_they_say(endpoint, bucket):
    v4 = client(endpoint, "s3v4").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    v2 = client(endpoint, "s3").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    assert dict(parse_qsl(urlsplit(v4).query))["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert {"AWSAccessKeyId", "Signature", "Expires"} == set(dict(parse_qsl(urlsplit(v2).query)))


# -- open mode: requests and curl -------------------------------------------------------------


@pytest.mark.parametrize("signer", SIGNERS)
def test_presigned_put_then_get_with_requests(endpoint, s3, bucket, signer):
    presigner = client(endpoint, signer)
    put_url = presigner.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "dir/a b+c.txt"})
    response = requests.put(put_url, data=b"uploaded by url", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(b"uploaded by url").hexdigest()
    assert s3.get_object(Bucket=bucket, Key="dir/a b+c.txt")["Body"].read() == b"uploaded by url"
    get_url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/a b+c.txt"})
    response = requests.get(get_url, timeout=10)
    assert (response.status_code, response.content) == (200, b"uploaded by url")


@pytest.mark.parametrize("signer", SIGNERS)
def test_presigned_put_then_get_with_curl(endpoint, s3, bucket, tmp_path, signer):
    presigner = client(endpoint, signer)
    source = tmp_path / "upload.bin"
    source.write_bytes(bytes(range(256)) * 64)
    put_url = presigner.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "curl.bin"})
    status, _ = curl("-X", "PUT", "--upload-file", str(source), put_url)
    assert status == 200
    get_url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "curl.bin"})
    target = tmp_path / "download.bin"
    status, _ = curl("-o", str(target), get_url)
    assert status == 200
    assert target.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("signer", SIGNERS)
def test_response_content_disposition_override(endpoint, s3, bucket, signer):
    s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b\n", ContentType="text/csv")
    url = client(endpoint, signer).generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": "report.csv", "ResponseContentDisposition": 'attachment; filename="r.csv"',
                "ResponseContentType": "application/octet-stream"},
    )
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Disposition"] == 'attachment; filename="r.csv"'
    assert response.headers["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("signer", SIGNERS)
def test_virtual_hosted_presigned_url(endpoint, s3, bucket, signer):
    s3.put_object(Bucket=bucket, Key="vhost.txt", Body=b"virtual")
    port = urlsplit(endpoint).port
    presigner = client(f"http://localhost:{port}", signer, addressing="virtual")
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "vhost.txt"})
    parts = urlsplit(url)
    assert parts.netloc == f"{bucket}.localhost:{port}" and parts.path == "/vhost.txt"
    # *.localhost may not resolve here: connect to 127.0.0.1 and send the signed Host
    direct = urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))
    response = requests.get(direct, headers={"Host": parts.netloc}, timeout=10)
    assert (response.status_code, response.content) == (200, b"virtual")
    status, body = curl("-H", f"Host: {parts.netloc}", direct)
    assert (status, body) == (200, b"virtual")


def test_expired_url_is_refused_in_open_mode(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for signer in SIGNERS:
        url = client(endpoint, signer).generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60
        )
        assert requests.get(url, timeout=10).status_code == 200
    # SigV4 on the cloud clock; SigV2 (no signing time in the URL) on the wall clock
    urls = [
        client(endpoint, "s3v4").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                                        ExpiresIn=60),
        client(endpoint, "s3").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                                      ExpiresIn=1),
    ]
    advance_clock(endpoint, 120)
    time.sleep(max(0.0, int(time.time()) + 2.1 - time.time()))  # the SigV2 URL's second is over
    for url in urls:
        response = requests.get(url, timeout=10)
        assert response.status_code == 403
        error = error_of(response)
        assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired")
        assert error["Expires"].endswith("Z") and error["ServerTime"].endswith("Z")
    assert error_of(requests.get(urls[0], timeout=10))["X-Amz-Expires"] == "60"


def test_url_dated_ahead_of_the_clock_is_not_yet_valid(endpoint, s3, bucket, monkeypatch):
    import datetime

    import botocore.auth

    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    ahead = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=1)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: ahead)
    request = AWSRequest("GET", f"{endpoint}/{bucket}/k")
    botocore.auth.S3SigV4QueryAuth(Credentials("test", "test"), "s3", "us-east-1", expires=600).add_auth(request)
    response = requests.get(request.url, timeout=10)
    assert response.status_code == 403
    error = error_of(response)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request is not yet valid")
    signed = int(ahead.replace(tzinfo=datetime.timezone.utc).timestamp())
    assert error["X-Amz-Date"] == str(signed * 1000)
    assert error["Expires"] == (ahead + datetime.timedelta(seconds=600)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert error["ServerTime"].endswith("Z")


def test_expires_over_a_week_is_refused(endpoint, bucket):
    url = client(endpoint, "s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=604801
    )
    response = requests.get(url, timeout=10)
    assert response.status_code == 400
    error = error_of(response)
    assert error["Code"] == "AuthorizationQueryParametersError"
    assert error["Message"] == "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    week = client(endpoint, "s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=604800
    )
    assert requests.get(week, timeout=10).status_code == 404  # valid signature: the key is missing


# -- SigV2 Authorization headers ---------------------------------------------------------------


def test_sigv2_header_client_put_get_list(endpoint, bucket):
    v2 = client(endpoint, "s3")
    v2.put_object(Bucket=bucket, Key="v2/one.txt", Body=b"one", ContentType="text/plain", Metadata={"Color": "blue"})
    got = v2.get_object(Bucket=bucket, Key="v2/one.txt")
    assert got["Body"].read() == b"one"
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"color": "blue"}
    v2.put_object(Bucket=bucket, Key="v2/two.txt", Body=b"two")
    listed = v2.list_objects_v2(Bucket=bucket, Prefix="v2/")
    assert [item["Key"] for item in listed["Contents"]] == ["v2/one.txt", "v2/two.txt"]
    v2.delete_object(Bucket=bucket, Key="v2/two.txt")
    assert v2.list_objects_v2(Bucket=bucket, Prefix="v2/")["KeyCount"] == 1


# -- strict mode ---------------------------------------------------------------------------------


@pytest.fixture
def strict_bucket(strict_server):
    strict_server.post("/_overcast/reset")  # back to real time after an expiry test moved the clock
    s3 = client(strict_server.endpoint, "s3v4", STRICT_KEY, STRICT_SECRET)
    name = f"strict-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="secret.txt", Body=b"only with a signature")
    return name


def strict_client(strict_server, signer, secret=STRICT_SECRET, key=STRICT_KEY, addressing=None):
    return client(strict_server.endpoint, signer, key, secret, addressing)


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_presigned_get_and_put(strict_server, strict_bucket, signer):
    presigner = strict_client(strict_server, signer)
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": strict_bucket, "Key": "secret.txt"})
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.content) == (200, b"only with a signature")
    status, body = curl(url)
    assert (status, body) == (200, b"only with a signature")
    put_url = presigner.generate_presigned_url("put_object", Params={"Bucket": strict_bucket, "Key": "new.txt"})
    assert requests.put(put_url, data=b"new", timeout=10).status_code == 200
    assert presigner.get_object(Bucket=strict_bucket, Key="new.txt")["Body"].read() == b"new"


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_tampered_url_is_signature_mismatch(strict_server, strict_bucket, signer):
    presigner = strict_client(strict_server, signer)
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": strict_bucket, "Key": "secret.txt"})
    response = requests.get(tamper_path(url, "other.txt"), timeout=10)
    assert response.status_code == 403
    error = error_of(response)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"] == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )
    assert error["AWSAccessKeyId"] == STRICT_KEY
    assert "/other.txt" in error["StringToSign"] or "/other.txt" in error.get("CanonicalRequest", "")
    assert error["SignatureProvided"]
    assert error["RequestId"] and "HostId" in error
    # a changed expiry is a changed signature too
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    name = "X-Amz-Expires" if signer == "s3v4" else "Expires"
    bumped = [(k, str(int(v) + 100) if k == name else v) for k, v in query]
    response = requests.get(urlunsplit(parts._replace(query=urlencode(bumped))), timeout=10)
    assert (response.status_code, error_of(response)["Code"]) == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_wrong_secret_and_unknown_key(strict_server, strict_bucket, signer):
    params = {"Bucket": strict_bucket, "Key": "secret.txt"}
    wrong_secret = strict_client(strict_server, signer, secret="not-the-secret").generate_presigned_url(
        "get_object", Params=params
    )
    response = requests.get(wrong_secret, timeout=10)
    assert (response.status_code, error_of(response)["Code"]) == (403, "SignatureDoesNotMatch")
    unknown = strict_client(strict_server, signer, key="AKIANOBODYATALL").generate_presigned_url(
        "get_object", Params=params
    )
    response = requests.get(unknown, timeout=10)
    assert response.status_code == 403
    error = error_of(response)
    assert (error["Code"], error["AWSAccessKeyId"]) == ("InvalidAccessKeyId", "AKIANOBODYATALL")
    assert error["Message"] == "The AWS Access Key Id you provided does not exist in our records."


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_presigned_put_with_signed_content_type(strict_server, strict_bucket, signer):
    presigner = strict_client(strict_server, signer)
    url = presigner.generate_presigned_url(
        "put_object", Params={"Bucket": strict_bucket, "Key": "typed.json", "ContentType": "application/json"}
    )
    response = requests.put(url, data=b"{}", headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 200, response.text
    head = presigner.head_object(Bucket=strict_bucket, Key="typed.json")
    assert head["ContentType"] == "application/json"
    response = requests.put(url, data=b"{}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert (response.status_code, error_of(response)["Code"]) == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_response_override_is_signed(strict_server, strict_bucket, signer):
    presigner = strict_client(strict_server, signer)
    url = presigner.generate_presigned_url(
        "get_object",
        Params={"Bucket": strict_bucket, "Key": "secret.txt", "ResponseContentDisposition": "attachment"},
    )
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.headers["Content-Disposition"]) == (200, "attachment")
    parts = urlsplit(url)
    changed = [(k, "inline" if k == "response-content-disposition" else v) for k, v in parse_qsl(parts.query)]
    response = requests.get(urlunsplit(parts._replace(query=urlencode(changed))), timeout=10)
    assert (response.status_code, error_of(response)["Code"]) == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_virtual_hosted_presigned_url(strict_server, strict_bucket, signer):
    port = strict_server.port
    presigner = client(f"http://s3.localhost.localstack.cloud:{port}", signer, STRICT_KEY, STRICT_SECRET, "virtual")
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": strict_bucket, "Key": "secret.txt"})
    parts = urlsplit(url)
    assert parts.netloc == f"{strict_bucket}.s3.localhost.localstack.cloud:{port}"
    direct = urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))
    response = requests.get(direct, headers={"Host": parts.netloc}, timeout=10)
    assert (response.status_code, response.content) == (200, b"only with a signature")


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_expiry(strict_server, strict_bucket, signer):
    url = strict_client(strict_server, signer).generate_presigned_url(
        "get_object", Params={"Bucket": strict_bucket, "Key": "secret.txt"}, ExpiresIn=30
    )
    assert requests.get(url, timeout=10).status_code == 200
    advance_clock(strict_server.endpoint, 60)
    if signer == "s3":  # SigV2 URLs carry no signing time: their expiry is on the wall clock
        url = strict_client(strict_server, signer).generate_presigned_url(
            "get_object", Params={"Bucket": strict_bucket, "Key": "secret.txt"}, ExpiresIn=1)
        time.sleep(2.1)
    response = requests.get(url, timeout=10)
    assert response.status_code == 403
    error = error_of(response)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired")


def test_strict_sigv2_header_client(strict_server, strict_bucket):
    v2 = strict_client(strict_server, "s3")
    v2.put_object(Bucket=strict_bucket, Key="hdr/v2.txt", Body=b"signed v2", Metadata={"a": "1"})
    assert v2.get_object(Bucket=strict_bucket, Key="hdr/v2.txt")["Body"].read() == b"signed v2"
    listed = v2.list_objects_v2(Bucket=strict_bucket, Prefix="hdr/")
    assert [item["Key"] for item in listed["Contents"]] == ["hdr/v2.txt"]
    odd = "hdr/sp ace+plus/ünï.txt"
    v2.put_object(Bucket=strict_bucket, Key=odd, Body=b"odd")
    assert v2.get_object(Bucket=strict_bucket, Key=odd)["Body"].read() == b"odd"
    assert v2.head_bucket(Bucket=strict_bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as caught:
        strict_client(strict_server, "s3", secret="wrong").get_object(Bucket=strict_bucket, Key="hdr/v2.txt")
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as caught:
        strict_client(strict_server, "s3", key="AKIANOBODYATALL").list_objects_v2(Bucket=strict_bucket)
    assert caught.value.response["Error"]["Code"] == "InvalidAccessKeyId"


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_presigned_odd_keys(strict_server, strict_bucket, signer):
    presigner = strict_client(strict_server, signer)
    for key in ("sp ace+plus.txt", "ünïcødé/ключ.txt", "a/b/c=d&e?;,.txt", "~tilde*star!.txt"):
        put_url = presigner.generate_presigned_url("put_object", Params={"Bucket": strict_bucket, "Key": key})
        response = requests.put(put_url, data=key.encode(), timeout=10)
        assert response.status_code == 200, (key, response.text)
        get_url = presigner.generate_presigned_url("get_object", Params={"Bucket": strict_bucket, "Key": key})
        status, body = curl(get_url)
        assert (status, body) == (200, key.encode()), key


def js_sdk_style_put_url(endpoint: str, bucket: str, key: str, access_key: str, secret: str) -> str:
    """A presigned PUT as the JavaScript SDK v3 makes it: an empty body's CRC32 and the
    checksum algorithm hoisted into the signed query string."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        "PUT", f"{endpoint}/{bucket}/{key}?x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32"
    )
    S3SigV4QueryAuth(Credentials(access_key, secret), "s3", "us-east-1", expires=300).add_auth(request)
    return request.prepare().url


def test_checksum_query_parameters_of_presigned_put_are_ignored(endpoint, s3, bucket, strict_server, strict_bucket):
    url = js_sdk_style_put_url(endpoint, bucket, "js.txt", "test", "test")
    assert "x-amz-checksum-crc32=AAAAAA%3D%3D" in url
    response = requests.put(url, data=b"not an empty body", timeout=10)
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="js.txt")["Body"].read() == b"not an empty body"
    url = js_sdk_style_put_url(strict_server.endpoint, strict_bucket, "js.txt", STRICT_KEY, STRICT_SECRET)
    response = requests.put(url, data=b"strict body", timeout=10)
    assert response.status_code == 200, response.text
