"""Strict mode: only S3 takes ``UNSIGNED-PAYLOAD`` (or any claimed payload hash) from a
header-signed request; every other service hashes the body it received, so a captured SQS or
IAM request cannot be replayed with another body. Presigned URLs of other services (STS
GetCallerIdentity tokens) keep ``UNSIGNED-PAYLOAD`` for a request without a body."""

from __future__ import annotations

import json

import pytest
from serverproc import ServerProcess
from signed_http import send, sign, xml_error
from strict_helpers import client

UNSIGNED = {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-payload")), "--strict").start()
    yield proc
    proc.stop()


def test_sqs_refuses_unsigned_payload_and_a_swapped_body(strict):
    queue_url = client(strict, "sqs", "test").create_queue(QueueName="payload")["QueueUrl"]
    target = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage"}
    body = json.dumps({"QueueUrl": queue_url, "MessageBody": "signed"}).encode()
    request = sign(strict.endpoint, "POST", "/", service="sqs", body=body, headers={**target, **UNSIGNED})
    forged = json.dumps({"QueueUrl": queue_url, "MessageBody": "forged"}).encode()
    for sent in (body, forged):
        status, _, answer = send(url=request.url, method="POST", body=sent,
                                 headers={k: v for k, v in request.headers.items()})
        assert status == 400
        assert json.loads(answer)["__type"].endswith("InvalidSignatureException")
    assert "Messages" not in client(strict, "sqs", "test").receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
    # the body's own hash (what SDKs sign) still verifies
    assert send(sign(strict.endpoint, "POST", "/", service="sqs", body=body, headers=target))[0] == 200


def test_iam_refuses_unsigned_payload(strict):
    body = b"Action=CreateUser&Version=2010-05-08&UserName=signed"
    request = sign(strict.endpoint, "POST", "/", service="iam", body=body, headers={**FORM, **UNSIGNED})
    headers = {k: v for k, v in request.headers.items()}
    status, _, answer = send(url=request.url, method="POST", body=b"Action=CreateUser&Version=2010-05-08&UserName=forged",
                             headers=headers)
    assert (status, xml_error(answer)["Code"]) == (403, "SignatureDoesNotMatch")
    assert send(url=request.url, method="POST", body=body, headers=headers)[0] == 403
    assert client(strict, "iam", "test").list_users()["Users"] == []


def test_s3_still_takes_unsigned_payload(strict):
    client(strict, "s3", "test").create_bucket(Bucket="payload-bucket")
    request = sign(strict.endpoint, "PUT", "/payload-bucket/k", service="s3", body=b"bytes", headers=UNSIGNED)
    assert send(request)[0] == 200


def test_presigned_sts_url_works_without_a_body_only(strict):
    # botocore signs it for POST, its parameters moved to the query and no body
    url = client(strict, "sts", "test").generate_presigned_url("get_caller_identity")
    status, _, body = send(url=url, method="POST", headers=FORM)
    assert status == 200 and b"arn:aws:iam::000000000000:root" in body
    status, _, body = send(url=url, method="POST", body=b"Action=GetSessionToken&Version=2011-06-15",
                           headers=FORM)
    assert (status, xml_error(body)["Code"]) == (403, "SignatureDoesNotMatch")
