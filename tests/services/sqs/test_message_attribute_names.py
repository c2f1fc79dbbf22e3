"""Message attribute names beyond ASCII, and the answer for an attribute without a value."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def send_error(sqs, url, attributes) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    found = excinfo.value.response["Error"]
    return found["Code"], found["Message"]


def test_names_with_letters_of_other_alphabets_round_trip(sqs, queue_url):
    url = queue_url()
    attributes = {"attr.1øßä": {"DataType": "String", "StringValue": "Valida"},
                  "Größe": {"DataType": "Number", "StringValue": "3"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageAttributes"] == attributes
    assert got["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


@pytest.mark.parametrize("symbol", ["§", "!", '"', "(", "?", "€"])
def test_names_with_symbols_are_refused(sqs, queue_url, symbol):
    code, _ = send_error(sqs, queue_url(), {f"Invalid-{symbol}-attr": {"DataType": "String", "StringValue": "v"}})
    assert code == "InvalidParameterValue"


def test_empty_string_value_names_the_attribute_and_its_type(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"ErrorDetails": {"DataType": "String", "StringValue": ""}}) == (
        "InvalidParameterValue",
        "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    )


def test_missing_value_is_answered_the_same_way(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"count": {"DataType": "Number"}}) == (
        "InvalidParameterValue",
        "Message (user) attribute 'count' must contain a non-empty value of type 'Number'.",
    )


def test_empty_binary_value(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"blob": {"DataType": "Binary", "BinaryValue": b""}}) == (
        "InvalidParameterValue",
        "Message (user) attribute 'blob' must contain a non-empty value of type 'Binary'.",
    )


def test_empty_value_in_a_batch_fails_its_entry(sqs, queue_url):
    answer = sqs.send_message_batch(QueueUrl=queue_url(), Entries=[
        {"Id": "ok", "MessageBody": "x"},
        {"Id": "bad", "MessageBody": "y", "MessageAttributes": {"e": {"DataType": "String", "StringValue": ""}}},
    ])
    assert [e["Id"] for e in answer["Successful"]] == ["ok"]
    assert [(e["Id"], e["Message"]) for e in answer["Failed"]] == [
        ("bad", "Message (user) attribute 'e' must contain a non-empty value of type 'String'.")]


def test_non_ascii_name_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    answer = query.call("SendMessage", {
        "QueueUrl": url, "MessageBody": "x", "MessageAttribute.1.Name": "Größe",
        "MessageAttribute.1.Value.DataType": "String", "MessageAttribute.1.Value.StringValue": "groß",
    })
    assert answer.status == 200, answer.body
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageAttributes"] == {"Größe": {"DataType": "String", "StringValue": "groß"}}
