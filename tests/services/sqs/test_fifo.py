"""FIFO queues: groups, strict order, one in-flight run per group, sequence numbers, attempt ids."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def fifo(queue_url, **attributes) -> str:
    return queue_url(fifo=True, ContentBasedDeduplication=True, **attributes)


def send(sqs, url, body: str, group: str = "g", **kwargs) -> dict:
    return sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)


def bodies(sqs, url, count: int = 10, **kwargs) -> list[str]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **kwargs).get("Messages", [])
    return [m["Body"] for m in got]


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_group_id_is_required(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo(queue_url), MessageBody="x")
    assert error_code(excinfo) == "MissingParameter"


def test_deduplication_id_is_required_without_content_based_deduplication(sqs, queue_url):
    url = queue_url(fifo=True)
    with pytest.raises(ClientError) as excinfo:
        send(sqs, url, "x")
    assert error_code(excinfo) == "InvalidParameterValue"


def test_per_message_delay_is_refused(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        send(sqs, fifo(queue_url), "x", DelaySeconds=5)
    assert error_code(excinfo) == "InvalidParameterValue"


def test_queue_delay_applies(sqs, queue_url, advance):
    url = fifo(queue_url, DelaySeconds=30)
    send(sqs, url, "x")
    assert bodies(sqs, url) == []
    advance(31)
    assert bodies(sqs, url) == ["x"]


@pytest.mark.parametrize("group", ["has space", "é", "x" * 129])
def test_invalid_group_id(sqs, queue_url, group):
    with pytest.raises(ClientError) as excinfo:
        send(sqs, fifo(queue_url), "x", group=group)
    assert error_code(excinfo) == "InvalidParameterValue"


def test_messages_of_a_group_come_in_send_order(sqs, queue_url):
    url = fifo(queue_url)
    for i in range(8):
        send(sqs, url, f"m{i}")
    assert bodies(sqs, url) == [f"m{i}" for i in range(8)]


def test_nothing_more_from_a_group_while_one_is_in_flight(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "first")
    send(sqs, url, "second")
    assert bodies(sqs, url, 1) == ["first"]
    assert bodies(sqs, url) == []


def test_other_groups_are_delivered_while_one_is_in_flight(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "a1", group="a")
    send(sqs, url, "a2", group="a")
    send(sqs, url, "b1", group="b")
    assert bodies(sqs, url, 1) == ["a1"]
    assert bodies(sqs, url) == ["b1"]


def test_group_is_released_by_delete(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "first")
    send(sqs, url, "second")
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert bodies(sqs, url) == ["second"]


def test_timed_out_message_comes_back_before_the_rest_of_its_group(sqs, queue_url, advance):
    url = fifo(queue_url, VisibilityTimeout=10)
    for i in range(3):
        send(sqs, url, f"m{i}")
    assert bodies(sqs, url, 1) == ["m0"]
    advance(11)
    assert bodies(sqs, url) == ["m0", "m1", "m2"]


def test_a_receive_can_mix_groups_each_in_order(sqs, queue_url):
    url = fifo(queue_url)
    for i in range(3):
        send(sqs, url, f"a{i}", group="a")
        send(sqs, url, f"b{i}", group="b")
    got = bodies(sqs, url)
    assert [b for b in got if b[0] == "a"] == ["a0", "a1", "a2"]
    assert [b for b in got if b[0] == "b"] == ["b0", "b1", "b2"]


def test_batch_keeps_its_order(sqs, queue_url):
    url = fifo(queue_url)
    entries = [{"Id": f"e{i}", "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(10)]
    sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert bodies(sqs, url) == [f"m{i}" for i in range(10)]


def test_sequence_numbers_are_20_digits_and_increase(sqs, queue_url):
    url = fifo(queue_url)
    numbers = [send(sqs, url, f"m{i}", group=f"g{i % 2}")["SequenceNumber"] for i in range(6)]
    assert all(len(n) == 20 and n.isdigit() for n in numbers)
    assert numbers == sorted(numbers) and len(set(numbers)) == 6


def test_received_system_attributes(sqs, queue_url):
    url = queue_url(fifo=True)
    sent = send(sqs, url, "x", group="grp", MessageDeduplicationId="dedup-1")
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]["Attributes"]
    assert got["MessageGroupId"] == "grp"
    assert got["MessageDeduplicationId"] == "dedup-1"
    assert got["SequenceNumber"] == sent["SequenceNumber"]


def test_delete_with_an_expired_handle_is_refused(sqs, queue_url, advance):
    url = fifo(queue_url, VisibilityTimeout=5)
    send(sqs, url, "x")
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    advance(6)
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert error_code(excinfo) == "InvalidParameterValue"
    assert bodies(sqs, url) == ["x"]


def test_retried_attempt_id_returns_the_same_messages_and_handles(sqs, queue_url):
    url = fifo(queue_url)
    for i in range(3):
        send(sqs, url, f"m{i}", group=f"g{i}")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")["Messages"]
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")["Messages"]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [(m["MessageId"], m["ReceiptHandle"]) for m in first]


def test_new_attempt_id_gets_other_messages(sqs, queue_url):
    url = fifo(queue_url)
    for i in range(2):
        send(sqs, url, f"m{i}", group=f"g{i}")
    first = bodies(sqs, url, 1, ReceiveRequestAttemptId="a")
    second = bodies(sqs, url, 1, ReceiveRequestAttemptId="b")
    assert first == ["m0"] and second == ["m1"]


def test_attempt_id_restarts_the_visibility_timeout(sqs, queue_url, advance):
    url = fifo(queue_url, VisibilityTimeout=10)
    send(sqs, url, "x")
    bodies(sqs, url, ReceiveRequestAttemptId="try")
    advance(8)
    assert bodies(sqs, url, ReceiveRequestAttemptId="try") == ["x"]
    advance(8)  # 16 s after the first receive, 8 s after the retry
    assert bodies(sqs, url) == []


def test_attempt_id_after_a_delete_receives_afresh(sqs, queue_url):
    url = fifo(queue_url)
    send(sqs, url, "first")
    send(sqs, url, "second")
    got = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try")["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert bodies(sqs, url, ReceiveRequestAttemptId="try") == ["second"]


def test_attempt_id_expires_after_five_minutes(sqs, queue_url, advance):
    url = fifo(queue_url, VisibilityTimeout=1000)
    send(sqs, url, "x")
    bodies(sqs, url, ReceiveRequestAttemptId="try")
    advance(301)
    assert bodies(sqs, url, ReceiveRequestAttemptId="try") == []


def test_fifo_over_query_protocol(query, sqs, queue_url):
    url = queue_url(fifo=True)
    answer = query.call("SendMessage", {"QueueUrl": url, "MessageBody": "q", "MessageGroupId": "g",
                                        "MessageDeduplicationId": "d"})
    assert answer.status == 200, answer.body
    assert len(answer.text("SequenceNumber")) == 20
    missing = query.call("SendMessage", {"QueueUrl": url, "MessageBody": "q"})
    assert (missing.status, missing.error_code) == (400, "MissingParameter")


def test_invalid_attempt_id_is_refused(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=fifo(queue_url), ReceiveRequestAttemptId="has space")
    assert error_code(excinfo) == "InvalidParameterValue"


def test_attempt_id_is_ignored_on_a_standard_queue(sqs, queue_url):
    url = queue_url()
    for i in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    first = bodies(sqs, url, 1, ReceiveRequestAttemptId="same")
    second = bodies(sqs, url, 1, ReceiveRequestAttemptId="same")
    assert first == ["m0"] and second == ["m1"]
