"""``Expect: 100-continue`` on a strict server: a caller who may not make the upload gets its
403 in place of ``100 Continue`` (so it never sends the body); an allowed one gets the 100."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from serverproc import ServerProcess

from strict_helpers import ACCOUNT_A, ACCOUNT_B, client, policy

BUCKET = "expect-private"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-expect")), "--strict").start()
    client(proc, "s3").create_bucket(Bucket=BUCKET)
    yield proc
    proc.stop()


def _signed_headers(server, path: str, secret: str, body: bytes = b"hello", key: str = ACCOUNT_A) -> dict[str, str]:
    request = AWSRequest(method="PUT", url=server.endpoint + path, data=body,
                         headers={"Content-Length": str(len(body))})
    S3SigV4Auth(Credentials(key, secret), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _first_answer(server, path: str, headers: dict[str, str], body: bytes = b"hello") -> str:
    """The first status line the server writes after the request head (no body sent)."""
    url = urlparse(server.endpoint)
    head = f"PUT {path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\nExpect: 100-continue\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items() if name.lower() != "host")
    if "Content-Length" not in headers:
        head += "Content-Length: 5\r\n"
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall((head + "\r\n").encode())
        answer = sock.recv(65536).decode("latin-1")
        if answer.startswith("HTTP/1.1 100"):
            sock.sendall(body)
            final = answer.split("\r\n\r\n", 1)[1]
            while "\r\n\r\n" not in final:
                final += sock.recv(65536).decode("latin-1")
            assert final.startswith("HTTP/1.1 2"), final
    return answer.split("\r\n", 1)[0]


def test_anonymous_put_to_private_bucket_is_refused_before_continue(strict_server):
    line = _first_answer(strict_server, f"/{BUCKET}/anon", {})
    assert line.startswith("HTTP/1.1 403")


def test_signature_mismatch_is_refused_before_continue(strict_server):
    headers = _signed_headers(strict_server, f"/{BUCKET}/bad", "wrong-secret")
    assert _first_answer(strict_server, f"/{BUCKET}/bad", headers).startswith("HTTP/1.1 403")


def test_allowed_put_gets_continue_and_lands(strict_server):
    headers = _signed_headers(strict_server, f"/{BUCKET}/good", "test")
    assert _first_answer(strict_server, f"/{BUCKET}/good", headers).startswith("HTTP/1.1 100")
    body = client(strict_server, "s3").get_object(Bucket=BUCKET, Key="good")["Body"].read()
    assert body == b"hello"


TAGGING = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value>'
           b'</Tag></TagSet></Tagging>')


def test_mismatched_xml_upload_is_refused_before_continue(strict_server):
    """An operation whose body is read whole (PutBucketTagging) is judged on its signature too
    before the body is invited."""
    path = f"/{BUCKET}?tagging"
    headers = _signed_headers(strict_server, path, "wrong-secret", TAGGING)
    assert _first_answer(strict_server, path, headers, TAGGING).startswith("HTTP/1.1 403")
    good = _signed_headers(strict_server, path, "test", TAGGING)
    assert _first_answer(strict_server, path, good, TAGGING).startswith("HTTP/1.1 100")
    assert client(strict_server, "s3").get_bucket_tagging(Bucket=BUCKET)["TagSet"] == [{"Key": "k", "Value": "v"}]


POLICY = b'{"Version":"2012-10-17","Statement":[]}'
ENCRYPTION = (b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>'
              b'<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>'
              b'</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>')


@pytest.mark.parametrize("query, body", [("policy", POLICY), ("encryption", ENCRYPTION), ("cors", b"<x/>")])
def test_anonymous_configuration_put_is_refused_before_continue(strict_server, query, body):
    """A body read whole whose decision does not need it (the bucket policy, the encryption
    configuration...): an anonymous caller gets its 403 in place of the 100, even when the
    body it would send is malformed."""
    line = _first_answer(strict_server, f"/{BUCKET}?{query}", {"Content-Length": str(len(body))}, body)
    assert line.startswith("HTTP/1.1 403"), line


def test_allowed_configuration_put_gets_continue(strict_server):
    path = f"/{BUCKET}?encryption"
    headers = _signed_headers(strict_server, path, "test", ENCRYPTION)
    assert _first_answer(strict_server, path, headers, ENCRYPTION).startswith("HTTP/1.1 100")
    rules = client(strict_server, "s3").get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def _exchange(server, path: str, headers: dict[str, str], body: bytes) -> tuple[str, str]:
    """(first status line, final status line): the body is sent only after a 100."""
    url = urlparse(server.endpoint)
    head = f"PUT {path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\nExpect: 100-continue\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items() if name.lower() != "host")
    if "Content-Length" not in headers:
        head += f"Content-Length: {len(body)}\r\n"
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall((head + "\r\n").encode())
        answer = sock.recv(65536).decode("latin-1")
        if not answer.startswith("HTTP/1.1 100"):
            return answer.split("\r\n", 1)[0], answer.split("\r\n", 1)[0]
        sock.sendall(body)
        final = answer.split("\r\n\r\n", 1)[1]
        while "\r\n\r\n" not in final:
            final += sock.recv(65536).decode("latin-1")
    return answer.split("\r\n", 1)[0], final.split("\r\n", 1)[0]


@pytest.mark.parametrize("path", [f"/{BUCKET}?tagging", f"/{BUCKET}/good?tagging"])
def test_anonymous_tagging_is_refused_before_continue(strict_server, path):
    """PutBucketTagging / PutObjectTagging read the tags (aws:RequestTag) for their decision,
    but a caller refused whatever the tags are is refused before the body is invited."""
    first, _ = _exchange(strict_server, path, {}, TAGGING)
    assert first.startswith("HTTP/1.1 403"), first


def _tagging(value: str) -> bytes:
    return (f'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key>'
            f'<Value>{value}</Value></Tag></TagSet></Tagging>').encode()


def test_tag_conditioned_grant_invites_the_body_and_judges_it(strict_server):
    """A bucket policy granting another account PutBucketTagging only for one tag value: the
    decision depends on the body, so the body is invited and the tags decide."""
    bucket = "expect-conditioned"
    owner = client(strict_server, "s3")
    owner.create_bucket(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"},
        "Action": "s3:PutBucketTagging", "Resource": f"arn:aws:s3:::{bucket}",
        "Condition": {"StringEquals": {"aws:RequestTag/k": "ok"}}}))
    path = f"/{bucket}?tagging"
    for value, status in (("ok", "204"), ("other", "403")):
        body = _tagging(value)
        headers = _signed_headers(strict_server, path, "test", body, key=ACCOUNT_B)
        first, final = _exchange(strict_server, path, headers, body)
        assert first.startswith("HTTP/1.1 100"), first
        assert final.startswith(f"HTTP/1.1 {status}"), (value, final)
    assert owner.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "k", "Value": "ok"}]


def test_tag_conditioned_deny_does_not_refuse_before_the_body(strict_server):
    """A Deny on one tag value cannot refuse before the tags are known: the owner gets its 100."""
    bucket = "expect-deny-tag"
    owner = client(strict_server, "s3")
    owner.create_bucket(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketTagging",
        "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"StringEquals": {"aws:RequestTag/k": "bad"}}}))
    path = f"/{bucket}?tagging"
    for value, status in (("fine", "204"), ("bad", "403")):
        body = _tagging(value)
        first, final = _exchange(strict_server, path, _signed_headers(strict_server, path, "test", body), body)
        assert first.startswith("HTTP/1.1 100"), first
        assert final.startswith(f"HTTP/1.1 {status}"), (value, final)
