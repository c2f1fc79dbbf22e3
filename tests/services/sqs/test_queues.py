"""CreateQueue, GetQueueUrl and DeleteQueue through boto3 (JSON protocol)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def error_of(excinfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error.get("Message", "")


def test_create_queue_returns_url_built_from_host(sqs, endpoint):
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"{endpoint}/queue/us-east-1/{ACCOUNT}/orders"


def test_get_queue_url_finds_queue(sqs, queue_url):
    url = queue_url("invoices")
    assert sqs.get_queue_url(QueueName="invoices")["QueueUrl"] == url


def test_get_queue_url_of_missing_queue_is_queue_does_not_exist(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_url(QueueName="missing")
    assert error_of(excinfo) == ("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_missing_queue_maps_to_modelled_exception(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="missing")


@pytest.mark.open_mode_only
def test_get_queue_url_with_owner_account(sqs, aws_client, queue_url):
    url = queue_url("shared")
    other = aws_client("sqs", aws_access_key_id="111122223333")
    assert other.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"] == url


def test_queues_are_scoped_by_account(sqs, aws_client, queue_url):
    queue_url("mine")
    other = aws_client("sqs", aws_access_key_id="111122223333")
    with pytest.raises(other.exceptions.QueueDoesNotExist):
        other.get_queue_url(QueueName="mine")


def test_queues_are_scoped_by_region(sqs, aws_client, queue_url):
    queue_url("east")
    west = aws_client("sqs", region="us-west-2")
    with pytest.raises(west.exceptions.QueueDoesNotExist):
        west.get_queue_url(QueueName="east")


def test_create_is_idempotent_with_same_attributes(sqs):
    first = sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    again = sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    assert first == again


def test_create_without_attributes_returns_existing_queue(sqs):
    first = sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    assert sqs.create_queue(QueueName="same")["QueueUrl"] == first


def test_create_with_default_value_matches_default_queue(sqs):
    first = sqs.create_queue(QueueName="same")["QueueUrl"]
    assert sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "30"})["QueueUrl"] == first


def test_create_with_different_attributes_is_queue_already_exists(sqs):
    sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "61"})
    code, message = error_of(excinfo)
    assert code == "QueueAlreadyExists"
    assert "VisibilityTimeout" in message
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_queue_already_exists_maps_to_modelled_exception(sqs):
    sqs.create_queue(QueueName="same")
    with pytest.raises(sqs.exceptions.QueueNameExists):
        sqs.create_queue(QueueName="same", Attributes={"DelaySeconds": "5"})


def test_delete_queue_removes_it(sqs, queue_url):
    url = queue_url("gone")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="gone")


def test_deleted_queue_name_is_free_again(sqs, queue_url):
    url = queue_url("reborn", VisibilityTimeout=60)
    sqs.delete_queue(QueueUrl=url)
    again = sqs.create_queue(QueueName="reborn", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    assert again == url
    attributes = sqs.get_queue_attributes(QueueUrl=again, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attributes == {"VisibilityTimeout": "10"}


def test_delete_missing_queue_is_queue_does_not_exist(sqs, endpoint):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.delete_queue(QueueUrl=f"{endpoint}/{ACCOUNT}/nothing")


def test_deleted_queue_url_no_longer_resolves(sqs, queue_url):
    url = queue_url()
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
