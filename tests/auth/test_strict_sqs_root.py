"""Strict mode, SQS, with root keys: the queue owner's root may do anything to its queues,
another account needs the queue policy's grant (AddPermission or a Policy attribute), and a
queue policy's explicit deny stops even the owner."""

from __future__ import annotations

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, deny, denied, policy


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-sqs-root")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def owner(strict):
    return client(strict, "sqs", ACCOUNT_A)


@pytest.fixture(scope="module")
def other(strict):
    return client(strict, "sqs", ACCOUNT_B)


def queue_arn(name):
    return f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:{name}"


def test_owner_root_uses_its_queue(owner):
    url = owner.create_queue(QueueName="root-own")["QueueUrl"]
    owner.send_message(QueueUrl=url, MessageBody="hi")
    assert owner.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hi"


def test_other_account_needs_a_grant(owner, other):
    url = owner.create_queue(QueueName="root-private")["QueueUrl"]
    code, status, message = denied(other.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT_B}:root is not authorized to perform: sqs:sendmessage on "
                       f"resource: {queue_arn('root-private')} because no resource-based policy allows the "
                       "sqs:sendmessage action")


def test_add_permission_grants_another_account(owner, other):
    url = owner.create_queue(QueueName="root-shared")["QueueUrl"]
    owner.add_permission(QueueUrl=url, Label="b-sends", AWSAccountIds=[ACCOUNT_B], Actions=["SendMessage"])
    other.send_message(QueueUrl=url, MessageBody="from b")
    other.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "batch from b"}])
    bodies = sorted(m["Body"] for m in owner.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"])
    assert bodies == ["batch from b", "from b"]
    assert denied(other.receive_message, QueueUrl=url)[:2] == ("AccessDenied", 403)
    owner.remove_permission(QueueUrl=url, Label="b-sends")
    assert denied(other.send_message, QueueUrl=url, MessageBody="x")[:2] == ("AccessDenied", 403)


def test_queue_policy_explicit_deny_stops_the_owner(owner):
    url = owner.create_queue(QueueName="root-denied")["QueueUrl"]
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        deny("sqs:SendMessage", queue_arn("root-denied"), Principal="*"))})
    code, status, message = denied(owner.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("with an explicit deny in a resource-based policy")
    owner.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])  # other actions still allowed


def test_queue_policy_condition_on_source_ip(owner, other):
    url = owner.create_queue(QueueName="root-by-ip")["QueueUrl"]
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        allow("sqs:SendMessage", queue_arn("root-by-ip"), Principal={"AWS": ACCOUNT_B},
              Condition={"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))})
    assert denied(other.send_message, QueueUrl=url, MessageBody="x")[:2] == ("AccessDenied", 403)
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        allow("sqs:SendMessage", queue_arn("root-by-ip"), Principal={"AWS": ACCOUNT_B},
              Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))})
    other.send_message(QueueUrl=url, MessageBody="ok")


def test_query_protocol_answers_access_denied_too(strict, owner):
    url = owner.create_queue(QueueName="root-query")["QueueUrl"]
    import urllib.parse

    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    import requests

    body = urllib.parse.urlencode({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "x",
                                   "Version": "2012-11-05"})
    request = botocore.awsrequest.AWSRequest("POST", strict.endpoint + "/", data=body,
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(ACCOUNT_B, "test"), "sqs", "us-east-1").add_auth(request)
    response = requests.post(strict.endpoint + "/", data=body, headers=dict(request.headers), timeout=10)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert "is not authorized to perform: sqs:sendmessage" in response.text
