"""SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: whole-batch errors and
per-entry successes and failures."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def entries(count: int, prefix: str = "m") -> list[dict]:
    return [{"Id": f"{prefix}{i}", "MessageBody": f"body {i}"} for i in range(count)]


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def receive_all(sqs, url, **kwargs) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])


def test_send_batch_of_ten(sqs, queue_url):
    url = queue_url()
    answer = sqs.send_message_batch(QueueUrl=url, Entries=entries(10))
    assert sorted(e["Id"] for e in answer["Successful"]) == sorted(f"m{i}" for i in range(10))
    assert answer.get("Failed", []) == []
    assert sorted(m["Body"] for m in receive_all(sqs, url)) == sorted(f"body {i}" for i in range(10))


def test_send_batch_keeps_entry_order(sqs, queue_url):
    url = queue_url()
    answer = sqs.send_message_batch(QueueUrl=url, Entries=entries(5))
    ids = [e["MessageId"] for e in answer["Successful"]]
    assert [m["MessageId"] for m in receive_all(sqs, url)] == ids


def test_empty_batch(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url(), Entries=[])
    assert error_code(excinfo) == "AWS.SimpleQueueService.EmptyBatchRequest"


def test_eleven_entries(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url(), Entries=entries(11))
    assert error_code(excinfo) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_repeated_ids(sqs, queue_url):
    batch = entries(2)
    batch[1]["Id"] = batch[0]["Id"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url(), Entries=batch)
    assert error_code(excinfo) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


@pytest.mark.parametrize("entry_id", ["has space", "dot.ted", "x" * 81, ""])
def test_invalid_entry_id(sqs, queue_url, entry_id):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url(), Entries=[{"Id": entry_id, "MessageBody": "x"}])
    assert error_code(excinfo) == "AWS.SimpleQueueService.InvalidBatchEntryId"


def test_batch_over_one_mib_in_total(sqs, queue_url):
    batch = [{"Id": f"e{i}", "MessageBody": "x" * 300_000} for i in range(4)]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url(), Entries=batch)
    assert error_code(excinfo) == "AWS.SimpleQueueService.BatchRequestTooLong"


def test_nothing_is_sent_when_the_batch_is_refused(sqs, queue_url):
    url = queue_url()
    batch = [{"Id": f"e{i}", "MessageBody": "x" * 300_000} for i in range(4)]
    with pytest.raises(ClientError):
        sqs.send_message_batch(QueueUrl=url, Entries=batch)
    assert receive_all(sqs, url) == []


def test_bad_entries_fail_alone(sqs, queue_url):
    url = queue_url()
    batch = entries(3)
    batch[1]["MessageBody"] = "bad \x00"
    batch[2]["DelaySeconds"] = 1000
    answer = sqs.send_message_batch(QueueUrl=url, Entries=batch)
    assert [e["Id"] for e in answer["Successful"]] == ["m0"]
    failed = {e["Id"]: e for e in answer["Failed"]}
    assert failed["m1"]["Code"] == "InvalidMessageContents" and failed["m1"]["SenderFault"] is True
    assert failed["m2"]["Code"] == "InvalidParameterValue"
    assert [m["Body"] for m in receive_all(sqs, url)] == ["body 0"]


def test_batch_entries_have_their_own_delays(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=3600)
    batch = entries(2)
    batch[1]["DelaySeconds"] = 60
    sqs.send_message_batch(QueueUrl=url, Entries=batch)
    assert [m["Body"] for m in receive_all(sqs, url)] == ["body 0"]
    advance(61)
    assert [m["Body"] for m in receive_all(sqs, url)] == ["body 1"]


def test_delete_batch(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=5)
    sqs.send_message_batch(QueueUrl=url, Entries=entries(4))
    got = receive_all(sqs, url)
    answer = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    assert len(answer["Successful"]) == 4
    advance(6)
    assert receive_all(sqs, url) == []


def test_delete_batch_reports_forged_handles(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    got = receive_all(sqs, url)[0]
    answer = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "good", "ReceiptHandle": got["ReceiptHandle"]}, {"Id": "bad", "ReceiptHandle": "forged"}])
    assert [e["Id"] for e in answer["Successful"]] == ["good"]
    assert [(e["Id"], e["Code"]) for e in answer["Failed"]] == [("bad", "ReceiptHandleIsInvalid")]


def test_delete_batch_empty_and_too_many(sqs, queue_url):
    url = queue_url()
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message_batch(QueueUrl=url, Entries=[])
    assert error_code(excinfo) == "AWS.SimpleQueueService.EmptyBatchRequest"
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": f"i{i}", "ReceiptHandle": "h"} for i in range(11)])
    assert error_code(excinfo) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_delete_batch_repeated_ids(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message_batch(QueueUrl=queue_url(), Entries=[{"Id": "a", "ReceiptHandle": "h"}] * 2)
    assert error_code(excinfo) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


def test_change_visibility_batch(sqs, queue_url, advance):
    url = queue_url(VisibilityTimeout=100)
    sqs.send_message_batch(QueueUrl=url, Entries=entries(2))
    got = receive_all(sqs, url)
    answer = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "now", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "later", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 1000}])
    assert sorted(e["Id"] for e in answer["Successful"]) == ["later", "now"]
    assert [m["Body"] for m in receive_all(sqs, url)] == [got[0]["Body"]]
    advance(200)  # past the queue's 100 s: "later" is still in flight
    assert [m["Body"] for m in receive_all(sqs, url)] == [got[0]["Body"]]


def test_change_visibility_batch_reports_bad_entries(sqs, queue_url):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    got = receive_all(sqs, url)[0]
    answer = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "ReceiptHandle": got["ReceiptHandle"], "VisibilityTimeout": 10},
        {"Id": "range", "ReceiptHandle": got["ReceiptHandle"], "VisibilityTimeout": 50_000},
        {"Id": "forged", "ReceiptHandle": "forged", "VisibilityTimeout": 10}])
    assert [e["Id"] for e in answer["Successful"]] == ["ok"]
    assert {e["Id"]: e["Code"] for e in answer["Failed"]} == {"range": "InvalidParameterValue",
                                                             "forged": "ReceiptHandleIsInvalid"}


def test_send_batch_over_query_protocol(query, sqs, queue_url):
    url = queue_url()
    params = {"QueueUrl": url}
    for i in range(1, 3):
        params[f"SendMessageBatchRequestEntry.{i}.Id"] = f"e{i}"
        params[f"SendMessageBatchRequestEntry.{i}.MessageBody"] = f"query {i}"
    params["SendMessageBatchRequestEntry.2.MessageBody"] = "bad \x02"
    answer = query.call("SendMessageBatch", params)
    assert answer.status == 200, answer.body
    assert [e.find("{*}Id").text for e in answer.find_all("SendMessageBatchResultEntry")] == ["e1"]
    assert [e.find("{*}Code").text for e in answer.find_all("BatchResultErrorEntry")] == ["InvalidMessageContents"]


def test_too_many_entries_over_query_protocol(query, queue_url):
    params = {"QueueUrl": queue_url()}
    for i in range(1, 12):
        params[f"SendMessageBatchRequestEntry.{i}.Id"] = f"e{i}"
        params[f"SendMessageBatchRequestEntry.{i}.MessageBody"] = "x"
    answer = query.call("SendMessageBatch", params)
    assert answer.status == 400
    assert answer.error_code == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_send_batch_with_the_cli(aws_cli, sqs, queue_url):
    import json

    url = queue_url()
    answer = aws_cli("sqs", "send-message-batch", "--queue-url", url, "--entries", json.dumps(entries(3)))
    assert len(answer["Successful"]) == 3
    assert len(receive_all(sqs, url)) == 3
