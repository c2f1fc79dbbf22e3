"""FIFO-only attributes on standard queues, and FifoQueue after creation: what SQS answers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error(excinfo) -> tuple[str, str]:
    found = excinfo.value.response["Error"]
    return found["Code"], found["Message"]


def test_fifo_queue_false_is_unknown_to_a_standard_queue(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="std", Attributes={"FifoQueue": "false"})
    assert error(excinfo) == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")


def test_content_based_deduplication_is_unknown_to_a_standard_queue(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="std", Attributes={"ContentBasedDeduplication": "false"})
    assert error(excinfo) == ("InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication.")


@pytest.mark.parametrize("name,value", [("DeduplicationScope", "queue"), ("FifoThroughputLimit", "perQueue")])
def test_high_throughput_settings_need_a_fifo_queue(sqs, name, value):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="std", Attributes={name: value})
    assert error(excinfo) == ("InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true.")


def test_refused_create_leaves_no_queue(sqs):
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="std", Attributes={"FifoQueue": "false"})
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="std")


def test_set_fifo_queue_on_a_standard_queue_is_unknown(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url(), Attributes={"FifoQueue": "true"})
    assert error(excinfo) == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")


@pytest.mark.parametrize("name,value", [("DeduplicationScope", "messageGroup"), ("FifoThroughputLimit", "perQueue")])
def test_set_high_throughput_settings_on_a_standard_queue(sqs, queue_url, name, value):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url(), Attributes={name: value})
    assert error(excinfo) == ("InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true.")


def test_set_fifo_queue_true_on_a_fifo_queue_changes_nothing(sqs, queue_url):
    url = queue_url(fifo=True)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])["Attributes"] == {"FifoQueue": "true"}


def test_set_fifo_queue_false_on_a_fifo_queue_is_refused(sqs, queue_url):
    url = queue_url(fifo=True)
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert error(excinfo) == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])["Attributes"] == {"FifoQueue": "true"}


def test_fifo_queue_false_over_query_protocol(query):
    answer = query.call("CreateQueue", {"QueueName": "std", "Attribute.1.Name": "FifoQueue",
                                        "Attribute.1.Value": "false"})
    assert (answer.status, answer.error_code, answer.error_message) == (
        400, "InvalidAttributeName", "Unknown Attribute FifoQueue.")


def test_deduplication_scope_over_query_protocol(query):
    answer = query.call("CreateQueue", {"QueueName": "std", "Attribute.1.Name": "DeduplicationScope",
                                        "Attribute.1.Value": "queue"})
    assert (answer.status, answer.error_code, answer.error_message) == (
        400, "InvalidAttributeName", "You can specify the DeduplicationScope only when FifoQueue is set to true.")
