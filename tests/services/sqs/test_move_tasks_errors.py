"""Message move tasks: the errors SQS answers for bad input, in the JSON and query protocols."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError
from move_task_helpers import arn, dead_letter, source_and_dlq


def error_of(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def handle_for(task_id: str, source_arn: str) -> str:
    return base64.b64encode(json.dumps({"taskId": task_id, "sourceArn": source_arn}).encode()).decode()


def test_source_that_is_no_dead_letter_queue_is_refused(sqs, queue_url):
    plain = queue_url()
    code, message = error_of(sqs.start_message_move_task, SourceArn=arn(sqs, plain))
    assert code == "InvalidParameterValue"
    assert message == "Source queue must be configured as a Dead Letter Queue."


def test_unknown_source_queue_is_not_found(sqs):
    code, _ = error_of(sqs.start_message_move_task, SourceArn="arn:aws:sqs:us-east-1:000000000000:nothing")
    assert code == "ResourceNotFoundException"


def test_source_in_another_region_is_not_found(sqs, queue_url):
    source, dlq = source_and_dlq(sqs, queue_url)
    elsewhere = arn(sqs, dlq).replace("us-east-1", "eu-west-1")
    code, _ = error_of(sqs.start_message_move_task, SourceArn=elsewhere)
    assert code == "ResourceNotFoundException"


def test_malformed_source_arn_is_invalid(sqs):
    code, message = error_of(sqs.start_message_move_task, SourceArn="not-an-arn")
    assert code == "InvalidParameterValue"
    assert "SourceArn" in message


def test_unknown_destination_is_not_found(sqs, queue_url):
    source, dlq = source_and_dlq(sqs, queue_url)
    code, message = error_of(sqs.start_message_move_task, SourceArn=arn(sqs, dlq),
                             DestinationArn="arn:aws:sqs:us-east-1:000000000000:nothing")
    assert code == "ResourceNotFoundException"
    assert "DestinationArn" in message


def test_destination_equal_to_source_is_invalid(sqs, queue_url):
    source, dlq = source_and_dlq(sqs, queue_url)
    code, _ = error_of(sqs.start_message_move_task, SourceArn=arn(sqs, dlq), DestinationArn=arn(sqs, dlq))
    assert code == "InvalidParameterValue"


def test_fifo_destination_of_a_standard_dlq_is_invalid(sqs, queue_url):
    source, dlq = source_and_dlq(sqs, queue_url)
    fifo = queue_url(fifo=True)
    code, _ = error_of(sqs.start_message_move_task, SourceArn=arn(sqs, dlq), DestinationArn=arn(sqs, fifo))
    assert code == "InvalidParameterValue"


@pytest.mark.parametrize("rate", [0, 501, -1])
def test_rate_outside_1_to_500_is_invalid(sqs, queue_url, rate):
    source, dlq = source_and_dlq(sqs, queue_url)
    code, message = error_of(sqs.start_message_move_task, SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=rate)
    assert code == "InvalidParameterValue"
    assert "MaxNumberOfMessagesPerSecond" in message


def test_second_active_task_on_a_queue_is_refused(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 5)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)
    code, message = error_of(sqs.start_message_move_task, SourceArn=arn(sqs, dlq))
    assert code == "InvalidParameterValue"
    assert "Only one active task" in message


@pytest.mark.parametrize("limit", [0, 11])
def test_max_results_outside_1_to_10_is_invalid(sqs, queue_url, limit):
    source, dlq = source_and_dlq(sqs, queue_url)
    code, _ = error_of(sqs.list_message_move_tasks, SourceArn=arn(sqs, dlq), MaxResults=limit)
    assert code == "InvalidParameterValue"


def test_list_of_an_unknown_queue_is_not_found(sqs):
    code, _ = error_of(sqs.list_message_move_tasks, SourceArn="arn:aws:sqs:us-east-1:000000000000:nothing")
    assert code == "ResourceNotFoundException"


@pytest.mark.parametrize("handle", ["garbage", base64.b64encode(b"[1, 2]").decode(), "e30="])
def test_malformed_handle_is_invalid(sqs, handle):
    code, message = error_of(sqs.cancel_message_move_task, TaskHandle=handle)
    assert (code, message) == ("InvalidParameterValue", "Value for parameter TaskHandle is invalid.")


def test_handle_of_an_unknown_task_is_not_found(sqs, queue_url):
    source, dlq = source_and_dlq(sqs, queue_url)
    code, message = error_of(sqs.cancel_message_move_task, TaskHandle=handle_for("no-such-task", arn(sqs, dlq)))
    assert (code, message) == ("ResourceNotFoundException", "Task does not exist.")


def test_handle_naming_a_deleted_queue_is_not_found(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 3)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    sqs.delete_queue(QueueUrl=dlq)
    code, _ = error_of(sqs.cancel_message_move_task, TaskHandle=handle)
    assert code == "ResourceNotFoundException"


def test_cancelling_a_finished_task_is_refused(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 2)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq))["TaskHandle"]
    advance(1)
    code, _ = error_of(sqs.cancel_message_move_task, TaskHandle=handle)
    assert code == "ResourceNotFoundException"


def test_cancelling_twice_is_refused(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 3)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    sqs.cancel_message_move_task(TaskHandle=handle)
    code, _ = error_of(sqs.cancel_message_move_task, TaskHandle=handle)
    assert code == "ResourceNotFoundException"


# -- the query protocol (older SDKs) ---------------------------------------------------------


def test_query_protocol_start_list_cancel(query, sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 3)
    started = query.call("StartMessageMoveTask", {"SourceArn": arn(sqs, dlq), "MaxNumberOfMessagesPerSecond": "1"})
    assert started.status == 200
    handle = started.text("TaskHandle")
    listed = query.call("ListMessageMoveTasks", {"SourceArn": arn(sqs, dlq), "MaxResults": "10"})
    assert (listed.text("Status"), listed.text("TaskHandle")) == ("RUNNING", handle)
    assert listed.text("ApproximateNumberOfMessagesToMove") == "3"
    cancelled = query.call("CancelMessageMoveTask", {"TaskHandle": handle})
    assert cancelled.status == 200
    assert int(cancelled.text("ApproximateNumberOfMessagesMoved")) >= 0


def test_query_protocol_error_codes(query, sqs, queue_url):
    plain = queue_url()
    answer = query.call("StartMessageMoveTask", {"SourceArn": arn(sqs, plain)})
    assert (answer.status, answer.error_code) == (400, "InvalidParameterValue")
    answer = query.call("CancelMessageMoveTask", {"TaskHandle": handle_for("x", arn(sqs, plain))})
    assert (answer.status, answer.error_code) == (404, "ResourceNotFoundException")  # as the query model declares


def test_query_protocol_missing_source_arn(query):
    answer = query.call("ListMessageMoveTasks", {})
    assert (answer.status, answer.error_code) == (400, "MissingParameter")


def test_cli_lists_move_tasks(aws_cli, sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 2)
    started = aws_cli("sqs", "start-message-move-task", "--source-arn", arn(sqs, dlq))
    advance(1)
    listed = aws_cli("sqs", "list-message-move-tasks", "--source-arn", arn(sqs, dlq))
    assert started["TaskHandle"]
    assert [(r["Status"], r["ApproximateNumberOfMessagesMoved"]) for r in listed["Results"]] == [("COMPLETED", 2)]
