"""GetQueueAttributes / SetQueueAttributes: names, defaults, ranges, read-only and FIFO-only ones."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"

STANDARD_DEFAULTS = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}


def attributes(sqs, url, *names):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"]).get("Attributes", {})


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_all_lists_defaults_of_a_standard_queue(sqs, queue_url):
    got = attributes(sqs, queue_url("plain"))
    for name, value in STANDARD_DEFAULTS.items():
        assert got[name] == value, name
    assert got["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:plain"
    for name in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"):
        assert got[name] == "0"
    assert "FifoQueue" not in got and "Policy" not in got and "RedrivePolicy" not in got


def test_all_lists_fifo_defaults_of_a_fifo_queue(sqs, queue_url):
    got = attributes(sqs, queue_url("ordered.fifo", fifo=True))
    assert got["FifoQueue"] == "true"
    assert got["ContentBasedDeduplication"] == "false"
    assert got["DeduplicationScope"] == "queue"
    assert got["FifoThroughputLimit"] == "perQueue"


def test_timestamps_are_epoch_seconds(sqs, queue_url, server):
    now = json.loads(server.get("/_overcast/clock"))["now"]
    got = attributes(sqs, queue_url(), "CreatedTimestamp", "LastModifiedTimestamp")
    assert abs(int(got["CreatedTimestamp"]) - now) < 60
    assert got["LastModifiedTimestamp"] == got["CreatedTimestamp"]


def test_set_moves_last_modified_timestamp(sqs, queue_url, advance):
    url = queue_url()
    created = int(attributes(sqs, url, "CreatedTimestamp")["CreatedTimestamp"])
    advance(100)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "3"})
    got = attributes(sqs, url, "CreatedTimestamp", "LastModifiedTimestamp")
    assert int(got["CreatedTimestamp"]) == created
    assert int(got["LastModifiedTimestamp"]) >= created + 100


def test_specific_names_return_only_those(sqs, queue_url):
    got = attributes(sqs, queue_url(), "DelaySeconds", "QueueArn")
    assert set(got) == {"DelaySeconds", "QueueArn"}


def test_no_attribute_names_returns_nothing(sqs, queue_url):
    answer = sqs.get_queue_attributes(QueueUrl=queue_url())
    assert "Attributes" not in answer


def test_unknown_attribute_name_is_invalid_attribute_name(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=queue_url(), AttributeNames=["Colour"])
    assert error_code(excinfo) == "InvalidAttributeName"
    assert excinfo.value.response["Error"]["Message"] == "Unknown Attribute Colour."


def test_attributes_given_at_creation_are_kept(sqs, queue_url):
    url = queue_url(DelaySeconds=5, VisibilityTimeout=120, MaximumMessageSize=2048,
                    MessageRetentionPeriod=60, ReceiveMessageWaitTimeSeconds=20)
    got = attributes(sqs, url)
    assert (got["DelaySeconds"], got["VisibilityTimeout"], got["MaximumMessageSize"],
            got["MessageRetentionPeriod"], got["ReceiveMessageWaitTimeSeconds"]) == ("5", "120", "2048", "60", "20")


@pytest.mark.parametrize("name,low,high", [
    ("DelaySeconds", 0, 900),
    ("MaximumMessageSize", 1024, 1048576),
    ("MessageRetentionPeriod", 60, 1209600),
    ("ReceiveMessageWaitTimeSeconds", 0, 20),
    ("VisibilityTimeout", 0, 43200),
    ("KmsDataKeyReusePeriodSeconds", 60, 86400),
])
def test_integer_attribute_range_bounds_are_accepted(sqs, queue_url, name, low, high):
    url = queue_url()
    for value in (low, high):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: str(value)})
        assert attributes(sqs, url, name)[name] == str(value)


@pytest.mark.parametrize("name,value", [
    ("DelaySeconds", "901"), ("DelaySeconds", "-1"), ("MaximumMessageSize", "1023"),
    ("MaximumMessageSize", "1048577"), ("MessageRetentionPeriod", "59"),
    ("MessageRetentionPeriod", "1209601"), ("ReceiveMessageWaitTimeSeconds", "21"),
    ("VisibilityTimeout", "43201"), ("KmsDataKeyReusePeriodSeconds", "59"),
    ("KmsDataKeyReusePeriodSeconds", "86401"), ("VisibilityTimeout", "ten"), ("DelaySeconds", ""),
    ("SqsManagedSseEnabled", "yes"),
])
def test_out_of_range_value_is_invalid_attribute_value(sqs, queue_url, name, value):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url(), Attributes={name: value})
    assert error_code(excinfo) == "InvalidAttributeValue"
    assert excinfo.value.response["Error"]["Message"] == f"Invalid value for the parameter {name}."


def test_out_of_range_value_at_creation_creates_nothing(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="bad", Attributes={"DelaySeconds": "1000"})
    assert error_code(excinfo) == "InvalidAttributeValue"
    assert "QueueUrls" not in sqs.list_queues()


@pytest.mark.parametrize("name", ["QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp",
                                  "LastModifiedTimestamp", "ApproximateNumberOfMessagesDelayed"])
def test_read_only_attributes_are_refused_on_set(sqs, queue_url, name):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url(), Attributes={name: "1"})
    assert error_code(excinfo) == "InvalidAttributeName"


def test_unknown_attribute_is_refused_on_create(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="q", Attributes={"Colour": "blue"})
    assert error_code(excinfo) == "InvalidAttributeName"


def test_fifo_attributes_can_be_changed(sqs, queue_url):
    url = queue_url("hi.fifo", fifo=True)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={
        "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})
    got = attributes(sqs, url)
    assert (got["ContentBasedDeduplication"], got["DeduplicationScope"], got["FifoThroughputLimit"]) == (
        "true", "messageGroup", "perMessageGroupId")


def test_per_message_group_throughput_needs_message_group_scope(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        queue_url("x.fifo", fifo=True, FifoThroughputLimit="perMessageGroupId")
    assert error_code(excinfo) == "InvalidAttributeValue"


@pytest.mark.parametrize("name,value", [("DeduplicationScope", "group"), ("FifoThroughputLimit", "perGroup"),
                                        ("ContentBasedDeduplication", "maybe")])
def test_fifo_enum_values_are_checked(sqs, queue_url, name, value):
    with pytest.raises(ClientError) as excinfo:
        queue_url("x.fifo", fifo=True, **{name: value})
    assert error_code(excinfo) == "InvalidAttributeValue"


def test_kms_key_replaces_sse_sqs_and_has_reuse_period(sqs, queue_url):
    url = queue_url()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    got = attributes(sqs, url)
    assert got["KmsMasterKeyId"] == "alias/aws/sqs"
    assert got["KmsDataKeyReusePeriodSeconds"] == "300"
    assert got["SqsManagedSseEnabled"] == "false"


def test_enabling_sse_sqs_removes_kms_key(sqs, queue_url):
    url = queue_url(KmsMasterKeyId="alias/aws/sqs")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
    got = attributes(sqs, url)
    assert got["SqsManagedSseEnabled"] == "true"
    assert "KmsMasterKeyId" not in got


def test_both_encryptions_at_once_are_refused(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": "k", "SqsManagedSseEnabled": "true"})
    assert error_code(excinfo) == "InvalidAttributeValue"


def test_sse_can_be_disabled(sqs, queue_url):
    url = queue_url(SqsManagedSseEnabled=False)
    assert attributes(sqs, url, "SqsManagedSseEnabled") == {"SqsManagedSseEnabled": "false"}


def test_policy_is_stored_and_removed_with_empty_string(sqs, queue_url):
    url = queue_url()
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    assert json.loads(attributes(sqs, url, "Policy")["Policy"]) == json.loads(policy)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Policy" not in attributes(sqs, url)


@pytest.mark.parametrize("policy", ["not json", "[]", '{"Version": "2012-10-17"}'])
def test_invalid_policy_is_invalid_attribute_value(sqs, queue_url, policy):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url(), Attributes={"Policy": policy})
    assert error_code(excinfo) == "InvalidAttributeValue"


def test_boolean_values_are_normalized(sqs, queue_url):
    url = queue_url("b.fifo", fifo=True, ContentBasedDeduplication="True")
    assert attributes(sqs, url, "ContentBasedDeduplication") == {"ContentBasedDeduplication": "true"}


def test_create_with_different_fifo_attribute_is_queue_already_exists(sqs, queue_url):
    queue_url("d.fifo", fifo=True)
    with pytest.raises(ClientError) as excinfo:
        queue_url("d.fifo", fifo=True, ContentBasedDeduplication=True)
    assert error_code(excinfo) == "QueueAlreadyExists"
