"""Server-side encryption of messages at rest: SSE-SQS (the default) and SSE-KMS
(KmsMasterKeyId, KmsDataKeyReusePeriodSeconds), read back through the API and checked on disk
(the sqs.db file holds no message in plain text); KMS's refusals as SQS answers them."""

from __future__ import annotations

import json
import os
import sqlite3

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

BODY = "the secret body of a message"
ATTRIBUTE = "a secret attribute value"


def stored(server, url: str) -> list[tuple]:
    """(typeof body, body, attributes) of the queue's rows, read beside the running server."""
    name = url.rsplit("/", 1)[1]
    with sqlite3.connect(os.path.join(server.data_dir, "sqs.db")) as db:
        return db.execute(
            "SELECT typeof(m.body), m.body, m.attributes FROM sqs_messages m JOIN queues q ON q.queue_key = m.queue_key "
            "WHERE q.name = ? ORDER BY m.seq", (name,)).fetchall()


def error_of(call, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def send(sqs, url: str, body: str = BODY) -> None:
    sqs.send_message(QueueUrl=url, MessageBody=body,
                     MessageAttributes={"secret": {"DataType": "String", "StringValue": ATTRIBUTE}})


def receive_one(sqs, url: str) -> dict:
    messages = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert len(messages) == 1
    return messages[0]


def assert_sealed(rows: list[tuple]) -> None:
    for kind, body, attributes in rows:
        assert kind == "blob"
        assert BODY.encode() not in body and ATTRIBUTE.encode() not in bytes(attributes)


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def test_sse_sqs_is_the_default_and_nothing_is_stored_in_plain_text(sqs, queue_url, server):
    url = queue_url()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["SqsManagedSseEnabled"])["Attributes"]
    assert attributes == {"SqsManagedSseEnabled": "true"}
    send(sqs, url)
    rows = stored(server, url)
    assert len(rows) == 1 and rows[0][1][0] == 1  # sealed under SQS's own key
    assert_sealed(rows)
    message = receive_one(sqs, url)
    assert message["Body"] == BODY
    assert message["MessageAttributes"]["secret"]["StringValue"] == ATTRIBUTE
    assert os.path.exists(os.path.join(server.data_dir, "sqs-service.key"))


def test_plain_rows_and_sealed_rows_read_side_by_side(sqs, queue_url, server):
    # a queue without SSE stores plain text, as every message written before encryption at rest
    url = queue_url(SqsManagedSseEnabled=False)
    sqs.send_message(QueueUrl=url, MessageBody="plain one")
    assert [row[:2] for row in stored(server, url)] == [("text", "plain one")]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
    sqs.send_message(QueueUrl=url, MessageBody="sealed two")
    assert [row[0] for row in stored(server, url)] == ["text", "blob"]
    bodies = sorted(m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"])
    assert bodies == ["plain one", "sealed two"]


def test_sse_kms_seals_under_a_data_key_of_the_queues_key(sqs, queue_url, server, kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    url = queue_url(KmsMasterKeyId=key_id)
    send(sqs, url)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": BODY}])
    rows = stored(server, url)
    assert [row[1][0] for row in rows] == [2, 2]  # sealed under a KMS data key
    assert rows[0][1][:100] == rows[1][1][:100]  # the same data key, reused within the period
    assert_sealed(rows[:1])
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == [BODY, BODY]


def test_sse_kms_with_the_aws_managed_key(sqs, queue_url, kms):
    url = queue_url(KmsMasterKeyId="alias/aws/sqs")
    send(sqs, url)
    assert receive_one(sqs, url)["Body"] == BODY
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"] if a.get("TargetKeyId")]
    assert "alias/aws/sqs" in aliases


def test_a_fifo_queue_under_kms_deduplicates_on_the_plain_body(sqs, queue_url, kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    url = queue_url(fifo=True, ContentBasedDeduplication=True, KmsMasterKeyId=key_id)
    first = sqs.send_message(QueueUrl=url, MessageBody=BODY, MessageGroupId="g")["MessageId"]
    again = sqs.send_message(QueueUrl=url, MessageBody=BODY, MessageGroupId="g")["MessageId"]
    assert first == again
    assert receive_one(sqs, url)["Body"] == BODY


def test_a_missing_key_refuses_sends(sqs, queue_url):
    url = queue_url(KmsMasterKeyId="alias/no-such-key")
    code, status, message = error_of(sqs.send_message, QueueUrl=url, MessageBody=BODY)
    assert (code, status) == ("KMS.NotFoundException", 400)
    assert message == "Alias arn:aws:kms:us-east-1:000000000000:alias/no-such-key is not found."


def test_a_disabled_key_refuses_sends_and_receives_once_the_reuse_period_ends(sqs, queue_url, kms, advance, query):
    key = kms.create_key()["KeyMetadata"]
    url = queue_url(KmsMasterKeyId=key["KeyId"], KmsDataKeyReusePeriodSeconds=60, VisibilityTimeout=30)
    send(sqs, url)
    kms.disable_key(KeyId=key["KeyId"])
    send(sqs, url, "within the reuse period")  # the data key is reused without asking KMS
    advance(61)
    code, status, message = error_of(sqs.send_message, QueueUrl=url, MessageBody=BODY)
    assert (code, status, message) == ("KMS.DisabledException", 400, f"{key['Arn']} is disabled.")
    answer = query.call("SendMessage", {"MessageBody": BODY}, url=url)
    assert answer.error_code == "KMS.DisabledException"
    code, status, _ = error_of(sqs.receive_message, QueueUrl=url)
    assert (code, status) == ("KMS.DisabledException", 400)
    kms.enable_key(KeyId=key["KeyId"])
    advance(31)  # the refused receive's messages are visible again, none was lost
    bodies = sorted(m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"])
    assert bodies == [BODY, "within the reuse period"]


def test_a_key_pending_deletion_refuses_sends(sqs, queue_url, kms):
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    url = queue_url(KmsMasterKeyId=key["Arn"])
    code, status, message = error_of(sqs.send_message, QueueUrl=url, MessageBody=BODY)
    assert (code, status) == ("KMS.InvalidStateException", 400)
    assert message == f"{key['Arn']} is pending deletion."


def test_a_message_moved_to_a_dead_letter_queue_still_reads(sqs, queue_url, kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    dlq = queue_url(SqsManagedSseEnabled=False)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = queue_url(KmsMasterKeyId=key_id, VisibilityTimeout=0,
                    RedrivePolicy={"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    send(sqs, url)
    receive_one(sqs, url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # the second receive moves it
    assert receive_one(sqs, dlq)["Body"] == BODY


# -- strict mode: the producer needs kms:GenerateDataKey, the consumer kms:Decrypt ----------

STRICT_ACCOUNT = "111122223333"


def _client(server, service: str, key: str = STRICT_ACCOUNT, secret: str = "test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-sqs-sse")), "--strict").start()
    yield proc
    proc.stop()


def _user(strict, name: str, actions: list[str]):
    iam = _client(strict, "iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return _client(strict, "sqs", key["AccessKeyId"], key["SecretAccessKey"])


def test_strict_mode_asks_kms_with_the_callers_permissions(strict):
    key_id = _client(strict, "kms").create_key()["KeyMetadata"]["KeyId"]
    url = _client(strict, "sqs").create_queue(QueueName="sse-kms-strict",
                                              Attributes={"KmsMasterKeyId": key_id})["QueueUrl"]
    plain = _user(strict, "no-kms", ["sqs:*"])
    producer = _user(strict, "producer", ["sqs:*", "kms:GenerateDataKey"])
    consumer = _user(strict, "consumer", ["sqs:*", "kms:Decrypt"])
    code, status, message = error_of(plain.send_message, QueueUrl=url, MessageBody=BODY)
    assert (code, status) == ("KMS.AccessDeniedException", 400)
    assert "kms:GenerateDataKey" in message and f"arn:aws:iam::{STRICT_ACCOUNT}:user/no-kms" in message
    producer.send_message(QueueUrl=url, MessageBody=BODY)
    code, status, message = error_of(producer.receive_message, QueueUrl=url, VisibilityTimeout=0)
    assert (code, status) == ("KMS.AccessDeniedException", 400)
    assert "kms:Decrypt" in message
    assert consumer.receive_message(QueueUrl=url)["Messages"][0]["Body"] == BODY


def test_strict_mode_the_aws_managed_key_opens_through_sqs_only(strict):
    # its key policy allows the account's principals with kms:ViaService = sqs.<region>.amazonaws.com
    sqs = _client(strict, "sqs")
    url = sqs.create_queue(QueueName="sse-kms-managed", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=BODY)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == BODY
    kms = _client(strict, "kms")
    code, status, _ = error_of(kms.generate_data_key, KeyId="alias/aws/sqs", KeySpec="AES_256")
    assert (code, status) == ("AccessDeniedException", 400)
