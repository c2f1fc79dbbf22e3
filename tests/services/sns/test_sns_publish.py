"""Publish and PublishBatch: the checks and texts SNS answers, FIFO rules, answers' shapes."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def invalid(sns, message: str, **params):
    with pytest.raises(ClientError) as excinfo:
        sns.publish(**params)
    assert error_of(excinfo) == ("InvalidParameter", message, 400)


def test_publish_answers_a_message_id(sns, topic):
    answer = sns.publish(TopicArn=topic(), Message="hello")
    assert len(answer["MessageId"]) == 36 and "SequenceNumber" not in answer


def test_target_arn_names_a_topic_too(sns, topic):
    assert sns.publish(TargetArn=topic(), Message="hello")["MessageId"]


def test_message_checks(sns, topic):
    arn = topic()
    invalid(sns, "Invalid parameter: Empty message", TopicArn=arn, Message="")
    invalid(sns, "Invalid parameter: Subject", TopicArn=arn, Message="m", Subject="")
    invalid(sns, "Invalid parameter: Subject", TopicArn=arn, Message="m", Subject="line\nbreak")
    invalid(sns, "Invalid parameter: Message Structure - JSON message body failed to parse", TopicArn=arn,
            Message="{", MessageStructure="json")
    invalid(sns, "Invalid parameter: Message Structure - No default entry in JSON message body", TopicArn=arn,
            Message=json.dumps({"sqs": "x"}), MessageStructure="json")
    invalid(sns, "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
            "parameter that is not valid for this topic type", TopicArn=arn, Message="m", MessageDeduplicationId="d")
    invalid(sns, "Invalid parameter: PhoneNumber Reason: 12345 is not valid to publish to", PhoneNumber="12345",
            Message="m")


def test_size_limit_counts_attributes(sns, topic):
    arn = topic()
    sns.publish(TopicArn=arn, Message="x" * 262_144)
    invalid(sns, "Invalid parameter: Message too long", TopicArn=arn, Message="x" * 262_145)
    # name (1) + type (6) + value (10) count too
    invalid(sns, "Invalid parameter: Message too long", TopicArn=arn, Message="x" * (262_144 - 16),
            MessageAttributes={"a": {"DataType": "String", "StringValue": "0123456789"}})
    sns.publish(TopicArn=arn, Message="x" * (262_144 - 17),
                MessageAttributes={"a": {"DataType": "String", "StringValue": "0123456789"}})


@pytest.mark.parametrize("attributes,message", [
    ({"a": {"DataType": "Text", "StringValue": "v"}},
     "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is "
     "Binary, Number, and String."),
    ({"a": {"DataType": "Binary", "StringValue": "v"}},
     "The message attribute 'a' with type 'Binary' must use field 'Binary'."),
    ({"a": {"DataType": "String", "StringValue": ""}},
     "The message attribute 'a' must contain non-empty message attribute value for message attribute type "
     "'String'."),
    ({".a": {"DataType": "String", "StringValue": "v"}},
     "Invalid message attribute name starting with character '.' was found."),
    ({"a..b": {"DataType": "String", "StringValue": "v"}},
     "Message attribute name can not have successive '.' character."),
    ({"a b": {"DataType": "String", "StringValue": "v"}},
     "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include "
     "alphanumeric characters, hyphens, underscores, or dots."),
])
def test_attribute_checks(sns, topic, attributes, message):
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic(), Message="m", MessageAttributes=attributes)
    assert error_of(excinfo) == ("ParameterValueInvalid", message, 400)


def test_publish_to_a_missing_topic(sns):
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:absent", Message="m")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)


def test_fifo_rules(sns, topic):
    plain = topic("plain.fifo", FifoTopic="true")
    invalid(sns, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", TopicArn=plain,
            Message="m")
    invalid(sns, "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly", TopicArn=plain, Message="m", MessageGroupId="g")
    first = sns.publish(TopicArn=plain, Message="m", MessageGroupId="g", MessageDeduplicationId="d1")
    second = sns.publish(TopicArn=plain, Message="m", MessageGroupId="g", MessageDeduplicationId="d2")
    assert len(first["SequenceNumber"]) == 20 and int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    # a duplicate within five minutes is accepted with the first one's id and not sent again
    again = sns.publish(TopicArn=plain, Message="other", MessageGroupId="g", MessageDeduplicationId="d1")
    assert (again["MessageId"], again["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"])
    content = topic("content.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    one = sns.publish(TopicArn=content, Message="same", MessageGroupId="g")
    assert sns.publish(TopicArn=content, Message="same", MessageGroupId="g")["MessageId"] == one["MessageId"]


def test_publish_batch(sns, topic):
    arn = topic()
    answer = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two", "Subject": "s"}, {"Id": "c", "Message": ""}])
    assert [entry["Id"] for entry in answer["Successful"]] == ["a", "b"]
    assert answer["Failed"] == [{"Id": "c", "Code": "InvalidParameter", "Message": "Invalid parameter: Empty message",
                                 "SenderFault": True}]


@pytest.mark.parametrize("entries,code,message", [
    ([], "EmptyBatchRequest", "The batch request doesn't contain any entries."),
    ([{"Id": str(i), "Message": "m"} for i in range(11)], "TooManyEntriesInBatchRequest",
     "The batch request contains more entries than permissible."),
    ([{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "n"}], "BatchEntryIdsNotDistinct",
     "Two or more batch entries in the request have the same Id."),
    ([{"Id": "a b", "Message": "m"}], "InvalidBatchEntryId",
     "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 "
     "letters long."),
    ([{"Id": "a", "Message": "x" * 200_000}, {"Id": "b", "Message": "x" * 200_000}], "BatchRequestTooLong",
     "The length of all the messages put together is more than the limit."),
])
def test_publish_batch_errors(sns, topic, entries, code, message):
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(TopicArn=topic(), PublishBatchRequestEntries=entries)
    assert error_of(excinfo) == (code, message, 400)


def test_publish_batch_fifo_sequence_numbers(sns, topic):
    arn = topic("batch.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    answer = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": str(i), "Message": f"m{i}", "MessageGroupId": "g"} for i in range(3)])
    numbers = [int(entry["SequenceNumber"]) for entry in answer["Successful"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


@pytest.mark.open_mode_only  # an unsigned hand-built request
def test_an_attribute_without_a_data_type_is_a_validation_error(endpoint, topic):
    """Sent by hand (SDKs refuse it before sending): AWS's ValidationError, never a 500."""
    answer = requests.post(f"{endpoint}/", data={
        "Action": "Publish", "Version": "2010-03-31", "TopicArn": topic(), "Message": "m",
        "MessageAttributes.entry.1.Name": "a"}, timeout=10)
    assert answer.status_code == 400
    assert "<Code>ValidationError</Code>" in answer.text
    assert ("1 validation error detected: Value null at 'messageAttributes.a.member.dataType' failed to satisfy "
            "constraint: Member must not be null") in answer.text
