"""Queues are regional: their URLs name the region, and each region's endpoint sees only its own."""

from __future__ import annotations

import pytest

ACCOUNT = "000000000000"


@pytest.fixture
def east(aws_client):
    return aws_client("sqs", region="us-east-1")


@pytest.fixture
def west(aws_client):
    return aws_client("sqs", region="eu-west-1")


def test_same_name_in_two_regions_has_two_urls(east, west, endpoint):
    east_url = east.create_queue(QueueName="twin")["QueueUrl"]
    west_url = west.create_queue(QueueName="twin")["QueueUrl"]
    assert east_url == f"{endpoint}/queue/us-east-1/{ACCOUNT}/twin"
    assert west_url == f"{endpoint}/queue/eu-west-1/{ACCOUNT}/twin"
    assert east.get_queue_url(QueueName="twin")["QueueUrl"] == east_url
    assert west.get_queue_url(QueueName="twin")["QueueUrl"] == west_url


def test_each_url_reaches_its_own_regions_queue(east, west):
    east_url = east.create_queue(QueueName="apart", Attributes={"DelaySeconds": "1"})["QueueUrl"]
    west_url = west.create_queue(QueueName="apart", Attributes={"DelaySeconds": "2"})["QueueUrl"]
    assert east.get_queue_attributes(QueueUrl=east_url, AttributeNames=["DelaySeconds"])["Attributes"] == {
        "DelaySeconds": "1"}
    assert west.get_queue_attributes(QueueUrl=west_url, AttributeNames=["DelaySeconds"])["Attributes"] == {
        "DelaySeconds": "2"}


def test_list_queues_never_lists_another_regions_queues(east, west, endpoint):
    east.create_queue(QueueName="only-east")
    west.create_queue(QueueName="only-west")
    assert east.list_queues()["QueueUrls"] == [f"{endpoint}/queue/us-east-1/{ACCOUNT}/only-east"]
    assert west.list_queues()["QueueUrls"] == [f"{endpoint}/queue/eu-west-1/{ACCOUNT}/only-west"]


def test_a_url_naming_another_region_is_queue_does_not_exist(east, west):
    """A regional endpoint knows only its own queues, whatever URL it is given."""
    west_url = west.create_queue(QueueName="western")["QueueUrl"]
    for url in (west_url, f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/western"):
        with pytest.raises(east.exceptions.QueueDoesNotExist):
            east.send_message(QueueUrl=url, MessageBody="x")


def test_aws_urls_of_the_endpoints_region_resolve(west):
    west.create_queue(QueueName="aws-form")
    url = f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/aws-form"
    west.send_message(QueueUrl=url, MessageBody="hello")
    got = west.receive_message(QueueUrl=f"https://eu-west-1.queue.amazonaws.com/{ACCOUNT}/aws-form")
    assert [m["Body"] for m in got["Messages"]] == ["hello"]


def test_a_bare_queue_name_works_wherever_a_url_does(west):
    west.create_queue(QueueName="plain")
    west.send_message(QueueUrl="plain", MessageBody="by name")
    got = west.receive_message(QueueUrl="plain", WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in got] == ["by name"]
    west.delete_message(QueueUrl="plain", ReceiptHandle=got[0]["ReceiptHandle"])
    west.tag_queue(QueueUrl="plain", Tags={"k": "v"})
    assert west.list_queue_tags(QueueUrl="plain")["Tags"] == {"k": "v"}
    west.delete_queue(QueueUrl="plain")
    assert "QueueUrls" not in west.list_queues()


def test_a_bare_name_is_looked_up_in_the_callers_region(east, west):
    west.create_queue(QueueName="west-only")
    with pytest.raises(east.exceptions.QueueDoesNotExist):
        east.get_queue_attributes(QueueUrl="west-only", AttributeNames=["All"])


def test_a_bare_name_is_the_callers_own_queue(aws_client, east):
    east.create_queue(QueueName="mine")
    other = aws_client("sqs", aws_access_key_id="111122223333")
    with pytest.raises(other.exceptions.QueueDoesNotExist):
        other.get_queue_attributes(QueueUrl="mine", AttributeNames=["All"])
