"""Visibility timeouts and ChangeMessageVisibility."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def send_and_receive(sqs, url, **kwargs) -> dict:
    sqs.send_message(QueueUrl=url, MessageBody="m")
    return sqs.receive_message(QueueUrl=url, **kwargs)["Messages"][0]


def receivable(sqs, url) -> bool:
    return "Messages" in sqs.receive_message(QueueUrl=url)


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_message_comes_back_after_queue_visibility_timeout(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=20)
    send_and_receive(sqs, url)
    advance(19)
    assert not receivable(sqs, url)
    advance(2)
    assert receivable(sqs, url)


def test_receive_visibility_timeout_overrides_queue_default(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=3600)
    send_and_receive(sqs, url, VisibilityTimeout=5)
    advance(6)
    assert receivable(sqs, url)


def test_receive_with_zero_visibility_leaves_message_visible(sqs, queue_url):
    url = queue_url()
    send_and_receive(sqs, url, VisibilityTimeout=0)
    assert receivable(sqs, url)


def test_change_to_zero_makes_message_visible_now(sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=0)
    assert receivable(sqs, url)


def test_change_extends_invisibility_from_now(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=10)
    got = send_and_receive(sqs, url)
    advance(5)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=100)
    advance(99)
    assert not receivable(sqs, url)
    advance(2)
    assert receivable(sqs, url)


def test_change_can_shorten_invisibility(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=3600)
    got = send_and_receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=10)
    advance(11)
    assert receivable(sqs, url)


def test_a_changed_timeout_is_not_kept_for_the_next_receive(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=30)
    got = send_and_receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=5)
    advance(6)
    sqs.receive_message(QueueUrl=url)
    advance(6)
    assert not receivable(sqs, url)  # back to the queue's 30 s


def test_change_beyond_twelve_hours_from_receive_is_refused(sqs, queue_url, advance):
    url = queue_url()
    got = send_and_receive(sqs, url, VisibilityTimeout=43_200)
    advance(100)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=43_200)
    assert error_code(excinfo) == "InvalidParameterValue"
    assert "43200" in excinfo.value.response["Error"]["Message"]


def test_change_up_to_the_twelve_hour_limit_is_accepted(sqs, queue_url, advance):
    url = queue_url()
    got = send_and_receive(sqs, url, VisibilityTimeout=3600)
    advance(100)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=43_000)
    advance(42_990)  # hidden for 43,000 seconds from the change, not for the first hour only
    assert not receivable(sqs, url)
    advance(20)
    assert receivable(sqs, url)


@pytest.mark.parametrize("timeout", [-1, 43_201])
def test_change_out_of_range_is_invalid(sqs, queue_url, timeout):
    url = queue_url()
    got = send_and_receive(sqs, url)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=timeout)
    assert error_code(excinfo) == "InvalidParameterValue"


def test_change_with_forged_handle_is_receipt_handle_is_invalid(sqs, queue_url):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="not-a-handle", VisibilityTimeout=5)
    assert error_code(excinfo) == "ReceiptHandleIsInvalid"


def test_change_of_a_deleted_message_is_refused(sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=10)
    assert error_code(excinfo) == "InvalidParameterValue"


def test_counts_follow_visibility(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=10)
    for _ in range(3):
        sqs.send_message(QueueUrl=url, MessageBody="m")
    sqs.send_message(QueueUrl=url, MessageBody="d", DelaySeconds=100)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert [attrs[n] for n in names] == ["1", "2", "1"]
    advance(11)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert [attrs[n] for n in names] == ["3", "0", "1"]


def test_change_visibility_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    got = send_and_receive(sqs, url)
    answer = query.call("ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": got["ReceiptHandle"],
                                                    "VisibilityTimeout": "0"})
    assert answer.status == 200, answer.body
    assert receivable(sqs, url)
