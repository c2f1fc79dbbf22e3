"""ReceiveMessage's MessageAttributeNames: "All", "*" and ".*" select every attribute, and a name
ending in ".*" is a pattern: "Hel.*" selects every name starting "Hel"."""

from __future__ import annotations

import pytest

ATTRIBUTES = {
    "Help.Me": {"DataType": "String", "StringValue": "Me"},
    "Hello": {"DataType": "String", "StringValue": "There"},
    "General": {"DataType": "String", "StringValue": "Kenobi"},
}


@pytest.fixture
def url(sqs, queue_url) -> str:
    made = queue_url(VisibilityTimeout=0)
    sqs.send_message(QueueUrl=made, MessageBody="msg", MessageAttributes=ATTRIBUTES)
    return made


def selected(sqs, url, names) -> set:
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=names)["Messages"][0]
    return set(got.get("MessageAttributes", {}))


@pytest.mark.parametrize("name", ["All", "*", ".*"])
def test_every_attribute(sqs, url, name):
    assert selected(sqs, url, [name]) == set(ATTRIBUTES)


def test_a_pattern_selects_names_by_their_start(sqs, url):
    assert selected(sqs, url, ["Hel.*"]) == {"Hello", "Help.Me"}


def test_a_pattern_ending_at_a_period(sqs, url):
    assert selected(sqs, url, ["Help..*"]) == {"Help.Me"}


def test_pattern_and_name_together(sqs, url):
    assert selected(sqs, url, ["Help..*", "General"]) == {"Help.Me", "General"}


def test_digest_covers_the_selected_attributes_only(sqs, url):
    whole = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["*"])["Messages"][0]
    part = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["Hel.*"])["Messages"][0]
    # The digests AWS answers for these attributes (all three; Hello and Help.Me).
    assert whole["MD5OfMessageAttributes"] == "4c360f3fdafd970e05fae2f149d997f5"
    assert part["MD5OfMessageAttributes"] == "83fee93c1bcd8b9a5a923ffacdc636c7"


def test_pattern_over_query_protocol(query, url):
    answer = query.call("ReceiveMessage", {"QueueUrl": url, "MessageAttributeName.1": "Hel.*"})
    assert answer.status == 200, answer.body
    assert sorted(answer.pairs("MessageAttribute", "Name", "Value")) == ["Hello", "Help.Me"]
