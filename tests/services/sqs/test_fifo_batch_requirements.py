"""FIFO SendMessageBatch: an entry without its MessageGroupId, or without its
MessageDeduplicationId on a queue without content-based deduplication, fails the whole request
(no entry is sent)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

NO_DEDUPLICATION_ID = ("The queue should either have ContentBasedDeduplication enabled or "
                       "MessageDeduplicationId provided explicitly")


def error(excinfo) -> tuple[str, str]:
    found = excinfo.value.response["Error"]
    return found["Code"], found["Message"]


def visible(sqs, url) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"]


def test_entry_without_group_fails_the_whole_batch(sqs, queue_url):
    url = queue_url(fifo=True)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            {"Id": "b", "MessageBody": "y", "MessageDeduplicationId": "2"},
        ])
    assert error(excinfo) == ("InvalidParameterValue", "The request must contain the parameter MessageGroupId.")
    assert visible(sqs, url) == "0"


def test_entry_without_deduplication_id_fails_the_whole_batch(sqs, queue_url):
    url = queue_url(fifo=True)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            {"Id": "b", "MessageBody": "y", "MessageGroupId": "g"},
        ])
    assert error(excinfo) == ("InvalidParameterValue", NO_DEDUPLICATION_ID)
    assert visible(sqs, url) == "0"


def test_content_based_deduplication_needs_no_ids(sqs, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    answer = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "x", "MessageGroupId": "g"},
        {"Id": "b", "MessageBody": "y", "MessageGroupId": "g"},
    ])
    assert [e["Id"] for e in answer["Successful"]] == ["a", "b"]


def test_other_entry_errors_still_fail_only_their_entry(sqs, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    answer = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "x", "MessageGroupId": "g"},
        {"Id": "b", "MessageBody": "y", "MessageGroupId": "has space"},
    ])
    assert [e["Id"] for e in answer["Successful"]] == ["a"]
    assert [(e["Id"], e["Code"]) for e in answer["Failed"]] == [("b", "InvalidParameterValue")]


def test_missing_group_over_query_protocol(query, queue_url):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    answer = query.call("SendMessageBatch", {
        "QueueUrl": url,
        "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "x",
    })
    assert (answer.status, answer.error_code, answer.error_message) == (
        400, "InvalidParameterValue", "The request must contain the parameter MessageGroupId.")


def test_missing_deduplication_id_over_query_protocol(query, queue_url):
    url = queue_url(fifo=True)
    answer = query.call("SendMessageBatch", {
        "QueueUrl": url,
        "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "x",
        "SendMessageBatchRequestEntry.1.MessageGroupId": "g",
    })
    assert (answer.status, answer.error_code, answer.error_message) == (400, "InvalidParameterValue", NO_DEDUPLICATION_ID)
