"""ChangeMessageVisibility with a handle that is no longer the message's current one.

On a standard queue AWS acts on the message: a handle whose timeout ran out hides the (now
visible) message again, and an older handle of a message received again since changes that
message's visibility. A FIFO queue keeps refusing both.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def send_and_receive(sqs, url) -> dict:
    sqs.send_message(QueueUrl=url, MessageBody="m")
    return sqs.receive_message(QueueUrl=url)["Messages"][0]


def receivable(sqs, url) -> bool:
    return "Messages" in sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)


def test_expired_handle_is_accepted_on_a_standard_queue(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    answer = sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=100)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_expired_handle_hides_the_message_again(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=100)
    assert not receivable(sqs, url)
    advance(101)
    assert receivable(sqs, url)


def test_hidden_again_counts_as_in_flight(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=100)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert [attrs[n] for n in names] == ["0", "1"]


def test_expired_handle_with_zero_leaves_the_message_visible(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert receivable(sqs, url)


def test_older_handle_acts_on_the_message_received_again(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    old = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"] != old
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old, VisibilityTimeout=0)
    assert receivable(sqs, url)


def test_expired_handle_in_a_batch_succeeds(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    answer = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": handle, "VisibilityTimeout": 60}])
    assert [e["Id"] for e in answer["Successful"]] == ["a"]
    assert not answer.get("Failed")
    assert not receivable(sqs, url)


def test_expired_handle_over_query_protocol(query, sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    answer = query.call("ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": handle,
                                                    "VisibilityTimeout": "60"})
    assert answer.status == 200, answer.body
    assert not receivable(sqs, url)


def test_the_twelve_hour_limit_still_applies_to_an_expired_handle(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    handle = send_and_receive(sqs, url)["ReceiptHandle"]
    advance(6)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43_200)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert receivable(sqs, url)


def test_fifo_refuses_an_expired_handle(sqs, queue_url, advance):
    url = queue_url(fifo=True, ContentBasedDeduplication=True, VisibilityTimeout=5)
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    advance(6)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=100)
    assert "MessageNotInflight" in excinfo.value.response["Error"]["Code"]
    assert receivable(sqs, url)


def test_fifo_refuses_an_older_handle(sqs, queue_url, advance):
    url = queue_url(fifo=True, ContentBasedDeduplication=True, VisibilityTimeout=5)
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g")
    old = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    advance(6)
    sqs.receive_message(QueueUrl=url)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old, VisibilityTimeout=0)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert not receivable(sqs, url)
