"""SendMessage's message attributes (String, Number, Binary, custom labels) and the AWSTraceHeader
system attribute: what is accepted and what SQS refuses."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def send_error(sqs, url, attributes, **kwargs) -> str:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes, **kwargs)
    return excinfo.value.response["Error"]["Code"]


def received_attributes(sqs, url) -> dict:
    return sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0].get("MessageAttributes", {})


def test_ten_attributes_of_every_type_round_trip(sqs, queue_url):
    url = queue_url()
    attributes = {f"s{i}": {"DataType": "String", "StringValue": f"value {i}"} for i in range(4)}
    attributes.update({f"n{i}": {"DataType": "Number", "StringValue": str(i * 1.5)} for i in range(3)})
    attributes.update({f"b{i}": {"DataType": "Binary", "BinaryValue": bytes([i, 0, 255])} for i in range(3)})
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    assert received_attributes(sqs, url) == attributes


def test_eleven_attributes_are_refused(sqs, queue_url):
    attributes = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    assert send_error(sqs, queue_url(), attributes) == "InvalidParameterValue"


def test_custom_type_labels_round_trip(sqs, queue_url):
    url = queue_url()
    attributes = {"price": {"DataType": "Number.float", "StringValue": "9.99"},
                  "doc": {"DataType": "String.json", "StringValue": "{}"},
                  "pic": {"DataType": "Binary.gif", "BinaryValue": b"GIF89a"}}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    assert received_attributes(sqs, url) == attributes


@pytest.mark.parametrize("data_type", ["Text", "string", "Strings", "String.", ""])
def test_unknown_data_type_is_refused(sqs, queue_url, data_type):
    attributes = {"a": {"DataType": data_type, "StringValue": "v"}}
    assert send_error(sqs, queue_url(), attributes) == "InvalidParameterValue"


@pytest.mark.parametrize("number", ["abc", "1.2.3", "", "1e", "1" * 39])
def test_number_that_is_not_a_number_is_refused(sqs, queue_url, number):
    attributes = {"n": {"DataType": "Number", "StringValue": number}}
    assert send_error(sqs, queue_url(), attributes) == "InvalidParameterValue"


@pytest.mark.parametrize("number", ["0", "-17", "3.14159", "1E+100", "0.000001", "1" * 38])
def test_numbers_sqs_accepts(sqs, queue_url, number):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={"n": {"DataType": "Number", "StringValue": number}})
    assert received_attributes(sqs, url)["n"]["StringValue"] == number


@pytest.mark.parametrize("name", ["AWS.thing", "amazon.thing", "Amazon.x", ".lead", "trail.", "two..dots", "sp ace",
                                  "a" * 257])
def test_invalid_or_reserved_attribute_name_is_refused(sqs, queue_url, name):
    attributes = {name: {"DataType": "String", "StringValue": "v"}}
    assert send_error(sqs, queue_url(), attributes) == "InvalidParameterValue"


def test_attribute_names_with_dots_dashes_underscores(sqs, queue_url):
    url = queue_url()
    attributes = {"my.attr-name_1": {"DataType": "String", "StringValue": "v"}}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    assert received_attributes(sqs, url) == attributes


def test_string_attribute_without_value_is_refused(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"a": {"DataType": "String"}}) == "InvalidParameterValue"


def test_binary_attribute_with_string_value_is_refused(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"a": {"DataType": "Binary", "StringValue": "v"}}) == "InvalidParameterValue"


def test_string_attribute_with_binary_value_is_refused(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"a": {"DataType": "String", "BinaryValue": b"v"}}) == "InvalidParameterValue"


def test_string_attribute_with_disallowed_character_is_refused(sqs, queue_url):
    assert send_error(sqs, queue_url(), {"a": {"DataType": "String", "StringValue": "\x00"}}) == "InvalidParameterValue"


def test_trace_header_comes_back_as_system_attribute(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x",
                     MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}})
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"][0]
    assert got["Attributes"] == {"AWSTraceHeader": TRACE}


def test_trace_header_does_not_count_toward_size(sqs, queue_url):
    url = queue_url(MaximumMessageSize=1024)
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024,
                     MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}})
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"][0]
    assert (got["Body"], got["Attributes"]) == ("x" * 1024, {"AWSTraceHeader": TRACE})


def test_trace_header_must_be_a_string(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url(), MessageBody="x",
                         MessageSystemAttributes={"AWSTraceHeader": {"DataType": "Binary", "BinaryValue": b"x"}})
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
