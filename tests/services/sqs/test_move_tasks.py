"""StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask through boto3, with
messages dead-lettered for real and time moved by ``POST /_overcast/clock``."""

from __future__ import annotations

import time

from move_task_helpers import arn, dead_letter, depth, drain, latest_task, receive, source_and_dlq

ATTRIBUTES = {"k": {"DataType": "String", "StringValue": "v"}, "n": {"DataType": "Number", "StringValue": "7"}}


def test_start_answers_a_handle_listed_with_the_running_task(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 3)
    before = int(time.time() * 1000)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["TaskHandle"] == handle
    assert task["Status"] == "RUNNING"
    assert task["SourceArn"] == arn(sqs, dlq)
    assert task["MaxNumberOfMessagesPerSecond"] == 1
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert task["StartedTimestamp"] >= before - 1000
    assert "DestinationArn" not in task and "FailureReason" not in task


def test_messages_go_back_to_their_source_queue(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    ids = dead_letter(sqs, advance, source, 4, MessageAttributes=ATTRIBUTES)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    back = drain(sqs, source, MessageAttributeNames=["All"])
    assert [m["MessageId"] for m in back] == ids
    assert [m["Body"] for m in back] == ["m0", "m1", "m2", "m3"]
    assert all(m["MessageAttributes"] == ATTRIBUTES for m in back)
    assert depth(sqs, dlq) == 0


def test_finished_task_is_completed_with_its_counts(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 4)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 4
    assert task["ApproximateNumberOfMessagesToMove"] == 4
    assert "TaskHandle" not in task  # only a RUNNING task shows its handle


def test_messages_go_to_a_named_destination(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    other = queue_url()
    ids = dead_letter(sqs, advance, source, 3)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), DestinationArn=arn(sqs, other))
    advance(1)
    assert [m["MessageId"] for m in drain(sqs, other)] == ids
    assert depth(sqs, source) == 0
    assert latest_task(sqs, arn(sqs, dlq))["DestinationArn"] == arn(sqs, other)


def test_moved_message_starts_afresh_in_its_source(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 1)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    attributes = receive(sqs, source, MessageSystemAttributeNames=["All"])[0]["Attributes"]
    assert attributes["ApproximateReceiveCount"] == "1"
    assert "DeadLetterQueueSourceArn" not in attributes


def test_rate_bounds_the_messages_moved_per_second(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 10)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)
    advance(2)
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["Status"] == "RUNNING"
    assert 2 <= task["ApproximateNumberOfMessagesMoved"] < 10  # one per second of cloud time
    assert depth(sqs, source) == task["ApproximateNumberOfMessagesMoved"]


def test_rate_limited_task_finishes_when_time_passes(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 10)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=2)
    advance(10)
    task = latest_task(sqs, arn(sqs, dlq))
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 10)
    assert depth(sqs, source) == 10


def test_messages_arriving_after_the_start_stay(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    other = queue_url()
    dead_letter(sqs, advance, source, 2)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), DestinationArn=arn(sqs, other),
                                MaxNumberOfMessagesPerSecond=1)
    dead_letter(sqs, advance, source, 2, prefix="late")  # moves the clock too: the task runs
    advance(10)
    task = latest_task(sqs, arn(sqs, dlq))
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 2)
    assert sorted(m["Body"] for m in drain(sqs, other)) == ["m0", "m1"]
    assert sorted(m["Body"] for m in drain(sqs, dlq)) == ["late0", "late1"]


def test_message_not_dead_lettered_by_sqs_fails_the_task(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    sqs.send_message(QueueUrl=dlq, MessageBody="sent straight to the dlq")
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "CouldNotDetermineMessageSource"
    assert depth(sqs, dlq) == 1


def test_message_without_source_moves_to_a_named_destination(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    other = queue_url()
    sqs.send_message(QueueUrl=dlq, MessageBody="sent straight to the dlq")
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), DestinationArn=arn(sqs, other))
    advance(1)
    assert latest_task(sqs, arn(sqs, dlq))["Status"] == "COMPLETED"
    assert [m["Body"] for m in drain(sqs, other)] == ["sent straight to the dlq"]


def test_deleted_destination_fails_the_task(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    other = queue_url()
    dead_letter(sqs, advance, source, 5)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq), DestinationArn=arn(sqs, other),
                                MaxNumberOfMessagesPerSecond=1)
    sqs.delete_queue(QueueUrl=other)
    advance(2)
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_in_flight_messages_of_the_dlq_are_not_moved(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 3)
    held = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=1, VisibilityTimeout=600)["Messages"]
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    task = latest_task(sqs, arn(sqs, dlq))
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 2)
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=held[0]["ReceiptHandle"])  # the consumer still owns it


def test_cancel_stops_the_task_and_answers_the_moved_count(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 10)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    advance(2)
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    advance(20)
    task = latest_task(sqs, arn(sqs, dlq))
    assert task["Status"] == "CANCELLED"
    assert task["ApproximateNumberOfMessagesMoved"] == moved
    assert "TaskHandle" not in task
    assert depth(sqs, source) == moved and depth(sqs, dlq) == 10 - moved


def test_a_new_task_may_start_once_the_last_one_ended(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 2)
    handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    sqs.cancel_message_move_task(TaskHandle=handle)
    second = sqs.start_message_move_task(SourceArn=arn(sqs, dlq))["TaskHandle"]
    assert second != handle


def test_list_shows_the_most_recent_tasks_first(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 10)
    for rate in (1, 2, 3):
        handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=rate)["TaskHandle"]
        sqs.cancel_message_move_task(TaskHandle=handle)
    results = sqs.list_message_move_tasks(SourceArn=arn(sqs, dlq), MaxResults=10)["Results"]
    assert [r["MaxNumberOfMessagesPerSecond"] for r in results] == [3, 2, 1]


def test_list_answers_one_task_by_default(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 5)
    for _ in range(2):
        handle = sqs.start_message_move_task(SourceArn=arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert len(sqs.list_message_move_tasks(SourceArn=arn(sqs, dlq))["Results"]) == 1


def test_list_of_a_queue_without_tasks_is_empty(sqs, queue_url):
    source, dlq = source_and_dlq(sqs, queue_url)
    assert sqs.list_message_move_tasks(SourceArn=arn(sqs, dlq))["Results"] == []


def test_empty_dlq_task_completes_with_nothing_to_move(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    task = latest_task(sqs, arn(sqs, dlq))
    assert (task["Status"], task["ApproximateNumberOfMessagesToMove"], task["ApproximateNumberOfMessagesMoved"]) \
        == ("COMPLETED", 0, 0)


def test_fifo_messages_go_back_in_group_order(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url, fifo=True)
    dead_letter(sqs, advance, source, 3, MessageGroupId="g")
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    back = receive(sqs, source, MessageSystemAttributeNames=["MessageGroupId"])
    assert [m["Body"] for m in back] == ["m0", "m1", "m2"]
    assert {m["Attributes"]["MessageGroupId"] for m in back} == {"g"}


def test_redriven_message_can_be_dead_lettered_again_without_looping(sqs, queue_url, advance):
    source, dlq = source_and_dlq(sqs, queue_url)
    dead_letter(sqs, advance, source, 1)
    sqs.start_message_move_task(SourceArn=arn(sqs, dlq))
    advance(1)
    assert receive(sqs, source)  # received once more, and failed again
    advance(11)
    assert receive(sqs, source) == []
    assert depth(sqs, dlq) == 1
    assert latest_task(sqs, arn(sqs, dlq))["ApproximateNumberOfMessagesMoved"] == 1
