"""A disk that cannot take more (simulated deterministically: the server runs under a file
size limit, RLIMIT_FSIZE, so writes past it fail with EFBIG as a full disk fails them with
ENOSPC): writes are refused with AWS's "try again" errors (S3 503 ServiceUnavailable, SQS 500
InternalError), the log gets one line instead of a traceback per request, reads go on, and
nothing acknowledged is lost once the disk has room again."""

from __future__ import annotations

import resource

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

FILE_LIMIT = 6 * 1024 * 1024


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


def _client(proc, service):
    return boto3.session.Session().client(service, endpoint_url=proc.endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def full_disk_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "d"), preexec_fn=_limit_file_size).start()
    yield proc
    proc.stop()


def _error(exc) -> tuple[int, str, str]:
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_s3_and_sqs_refuse_writes_the_disk_cannot_take_and_keep_serving(full_disk_server, tmp_path):
    proc = full_disk_server
    s3, sqs = _client(proc, "s3"), _client(proc, "sqs")
    s3.create_bucket(Bucket="full")
    s3.put_object(Bucket="full", Key="small", Body=b"fits")
    for attempt in range(3):
        with pytest.raises(ClientError) as exc:
            s3.put_object(Bucket="full", Key="too-big", Body=b"b" * (FILE_LIMIT + 1024 * 1024))
        assert _error(exc) == (503, "ServiceUnavailable", "Service is unable to handle request.")
    assert s3.get_object(Bucket="full", Key="small")["Body"].read() == b"fits"  # reads go on
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket="full", Key="too-big")
    assert _error(exc)[0] == 404  # nothing of the refused write

    url = sqs.create_queue(QueueName="full")["QueueUrl"]
    sent = []
    for number in range(200):  # the database grows until the limit refuses a commit
        try:
            sent.append(sqs.send_message(QueueUrl=url, MessageBody=f"{number:06d}" + "m" * 200_000)["MessageId"])
        except ClientError as caught:
            response = caught.response
            assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (500, "InternalError"), (
                response["Error"], proc.output[-30:])
            break
    else:
        pytest.fail("the file size limit never refused a send")
    assert sqs.get_queue_url(QueueName="full")["QueueUrl"] == url  # reads go on

    log = "".join(proc.output)
    assert "Traceback" not in log
    assert sum("cannot store" in line for line in log.splitlines()) == 1

    proc.stop()  # room again: everything acknowledged is there
    proc.preexec_fn = None
    proc.start()
    assert s3.get_object(Bucket="full", Key="small")["Body"].read() == b"fits"
    received = set()
    for _ in range(len(sent) + 5):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        if not messages:
            break
        received.update(m["MessageId"] for m in messages)
    assert received == set(sent)
