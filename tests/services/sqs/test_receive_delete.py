"""DeleteMessage and receipt handles."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError


def send_and_receive(sqs, url, **kwargs) -> dict:
    sqs.send_message(QueueUrl=url, MessageBody="m")
    return sqs.receive_message(QueueUrl=url, **kwargs)["Messages"][0]


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_deleted_message_never_comes_back(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    got = send_and_receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    advance(10)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_deleting_twice_succeeds(sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    again = sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Messages" not in sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)


def test_delete_after_timeout_with_the_latest_handle_deletes(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    got = send_and_receive(sqs, url)
    advance(6)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_delete_with_an_older_handle_succeeds_but_keeps_the_message(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    old = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    latest = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=old)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=latest, VisibilityTimeout=0)
    assert "Messages" in sqs.receive_message(QueueUrl=url)


@pytest.mark.parametrize("handle", ["garbage", "AQEB" + "x" * 100, base64.b64encode(b"x" * 30).decode()])
def test_forged_handle_is_receipt_handle_is_invalid(sqs, queue_url, handle):
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=queue_url(), ReceiptHandle=handle)
    assert error_code(excinfo) == "ReceiptHandleIsInvalid"


def test_handle_of_another_queue_is_invalid(sqs, queue_url):
    first, second = queue_url(), queue_url()
    got = send_and_receive(sqs, first)
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=second, ReceiptHandle=got["ReceiptHandle"])
    assert error_code(excinfo) == "ReceiptHandleIsInvalid"


def test_delete_counts_down(sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")


def test_delete_in_missing_queue(sqs, endpoint):
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=f"{endpoint}/000000000000/none", ReceiptHandle="x")
    assert error_code(excinfo) == "AWS.SimpleQueueService.NonExistentQueue"


def test_delete_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    answer = query.call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": got["ReceiptHandle"]})
    assert answer.status == 200, answer.body
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_forged_handle_over_query_protocol(query, queue_url):
    answer = query.call("DeleteMessage", {"QueueUrl": queue_url(), "ReceiptHandle": "forged"})
    assert answer.status == 400
    assert answer.error_code == "ReceiptHandleIsInvalid"


def test_delete_with_the_cli(aws_cli, sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    aws_cli("sqs", "delete-message", "--queue-url", url, "--receipt-handle", got["ReceiptHandle"])
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"
