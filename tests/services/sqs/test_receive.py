"""ReceiveMessage: how many, which attributes, receive counts, parameter limits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def fill(sqs, url, count: int) -> list[str]:
    return [sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"] for i in range(count)]


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_receive_returns_one_message_by_default(sqs, queue_url):
    url = queue_url()
    fill(sqs, url, 3)
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_receive_returns_up_to_ten(sqs, queue_url):
    url = queue_url()
    fill(sqs, url, 15)
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 10


def test_standard_queue_hands_out_oldest_first(sqs, queue_url):
    url = queue_url()
    ids = fill(sqs, url, 5)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in got] == ids


def test_empty_queue_answers_without_messages_key(sqs, queue_url):
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url())


@pytest.mark.parametrize("count", [0, 11])
def test_max_number_of_messages_out_of_range(sqs, queue_url, count):
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue_url(), MaxNumberOfMessages=count)
    assert error_code(excinfo) == "InvalidParameterValue"


@pytest.mark.parametrize("wait", [-1, 21])
def test_wait_time_out_of_range(sqs, queue_url, wait):
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue_url(), WaitTimeSeconds=wait)
    assert error_code(excinfo) == "InvalidParameterValue"


@pytest.mark.parametrize("timeout", [-1, 43_201])
def test_visibility_timeout_out_of_range(sqs, queue_url, timeout):
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue_url(), VisibilityTimeout=timeout)
    assert error_code(excinfo) == "InvalidParameterValue"


def test_received_message_is_not_received_again_while_in_flight(sqs, queue_url):
    url = queue_url()
    fill(sqs, url, 1)
    sqs.receive_message(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_all_system_attributes(sqs, queue_url):
    url = queue_url()
    fill(sqs, url, 1)
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert set(got["Attributes"]) == {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                                      "ApproximateFirstReceiveTimestamp"}
    assert got["Attributes"]["ApproximateReceiveCount"] == "1"


def test_deprecated_attribute_names_still_work(sqs, queue_url):
    url = queue_url()
    fill(sqs, url, 1)
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert got["Attributes"] == {"ApproximateReceiveCount": "1"}


def test_no_attributes_unless_asked(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}})
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Attributes" not in got and "MessageAttributes" not in got and "MD5OfMessageAttributes" not in got


def test_unknown_system_attribute_name_is_refused(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue_url(), MessageSystemAttributeNames=["NoSuchThing"])
    assert error_code(excinfo) == "InvalidAttributeName"


ATTRIBUTES = {
    "color": {"DataType": "String", "StringValue": "red"},
    "size.width": {"DataType": "Number", "StringValue": "3"},
    "size.height": {"DataType": "Number", "StringValue": "4"},
    "sizeless": {"DataType": "String", "StringValue": "no"},
}


@pytest.mark.parametrize("names, expected", [
    (["All"], set(ATTRIBUTES)),
    ([".*"], set(ATTRIBUTES)),
    (["*"], set(ATTRIBUTES)),
    (["color"], {"color"}),
    # A pattern, as AWS reads it: "size.*" is every name starting "size", "sizeless" too.
    (["size.*"], {"size.width", "size.height", "sizeless"}),
    (["size..*"], {"size.width", "size.height"}),
    (["color", "size.width", "absent"], {"color", "size.width"}),
])
def test_message_attribute_selection(sqs, queue_url, names, expected):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=names)["Messages"][0]
    assert set(got["MessageAttributes"]) == expected


def test_no_matching_message_attributes_leaves_them_out(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["nothing.*"])["Messages"][0]
    assert "MessageAttributes" not in got and "MD5OfMessageAttributes" not in got


def test_receive_count_grows_with_each_receive(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=10)
    fill(sqs, url, 1)
    counts = []
    for _ in range(3):
        got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
        counts.append(got["Messages"][0]["Attributes"]["ApproximateReceiveCount"])
        advance(11)
    assert counts == ["1", "2", "3"]


def test_first_receive_timestamp_stays_the_first(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=10)
    fill(sqs, url, 1)
    names = ["ApproximateFirstReceiveTimestamp"]
    first = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=names)["Messages"][0]["Attributes"]
    advance(100)
    again = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=names)["Messages"][0]["Attributes"]
    assert first == again


def test_each_receive_gets_a_new_receipt_handle(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    fill(sqs, url, 1)
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    advance(6)
    second = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert first != second


def test_receive_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="<xml & stuff>",
                     MessageAttributes={"k": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
    answer = query.call("ReceiveMessage", {"QueueUrl": url, "AttributeName.1": "All", "MessageAttributeName.1": "All"})
    assert answer.status == 200, answer.body
    assert answer.text("Body") == "<xml & stuff>"
    assert answer.pairs("Attribute")["ApproximateReceiveCount"] == "1"
    assert answer.text("BinaryValue") == "AP8="
    assert answer.text("ReceiptHandle")


def test_receive_with_the_cli(aws_cli, sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="for the cli")
    got = aws_cli("sqs", "receive-message", "--queue-url", url, "--attribute-names", "All")
    assert got["Messages"][0]["Body"] == "for the cli"
    assert got["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"
