"""PurgeQueue: once per 60 seconds of the cloud's clock."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def visible_count(sqs, url) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"]


def test_purge_succeeds(sqs, queue_url):
    url = queue_url()
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    assert visible_count(sqs, url) == "2"
    sqs.purge_queue(QueueUrl=url)
    assert visible_count(sqs, url) == "0"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_second_purge_within_60_seconds_is_purge_queue_in_progress(sqs, queue_url):
    url = queue_url("busy")
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(ClientError) as excinfo:
        sqs.purge_queue(QueueUrl=url)
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert error["Message"] == "Only one PurgeQueue operation on busy is allowed every 60 seconds."


def test_purge_in_progress_maps_to_modelled_exception(sqs, queue_url):
    url = queue_url()
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)


def test_purge_is_allowed_again_after_60_seconds(sqs, queue_url, advance):
    url = queue_url()
    sqs.purge_queue(QueueUrl=url)
    advance(60)
    sqs.send_message(QueueUrl=url, MessageBody="sent after the first purge")
    sqs.purge_queue(QueueUrl=url)
    assert visible_count(sqs, url) == "0"


def test_purge_limit_is_per_queue(sqs, queue_url):
    first, second = queue_url(), queue_url()
    sqs.send_message(QueueUrl=second, MessageBody="x")
    sqs.purge_queue(QueueUrl=first)
    sqs.purge_queue(QueueUrl=second)  # not refused: the first purge was of another queue
    assert visible_count(sqs, second) == "0"


def test_purge_missing_queue_is_queue_does_not_exist(sqs, endpoint):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.purge_queue(QueueUrl=f"{endpoint}/000000000000/none")
