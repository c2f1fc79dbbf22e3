"""Queue URLs: built from the request's Host, naming the region, and every form SDKs send is accepted."""

from __future__ import annotations

import pytest

ACCOUNT = "000000000000"


def with_host(client, host: str):
    """Make ``client`` send ``Host: host`` (as an SDK pointed at that name would)."""

    def set_host(request, **_):
        request.headers["Host"] = host

    client.meta.events.register_first("before-sign.sqs.*", set_host)
    return client


def test_url_follows_the_host_header(aws_client):
    client = with_host(aws_client("sqs"), "sqs.us-east-1.localhost.localstack.cloud:4566")
    url = client.create_queue(QueueName="hosted")["QueueUrl"]
    assert url == f"http://sqs.us-east-1.localhost.localstack.cloud:4566/{ACCOUNT}/hosted"


def test_list_queues_urls_follow_the_host_header(aws_client, queue_url):
    queue_url("listed")
    client = with_host(aws_client("sqs"), "localhost:4566")
    assert client.list_queues()["QueueUrls"] == [f"http://localhost:4566/queue/us-east-1/{ACCOUNT}/listed"]


def test_a_host_naming_another_region_gets_the_path_form(aws_client):
    client = with_host(aws_client("sqs", region="eu-west-1"), "sqs.us-east-1.localhost:4566")
    url = client.create_queue(QueueName="elsewhere")["QueueUrl"]
    assert url == f"http://sqs.us-east-1.localhost:4566/queue/eu-west-1/{ACCOUNT}/elsewhere"


@pytest.mark.parametrize("form", [
    "https://sqs.us-east-1.amazonaws.com/{account}/{name}",
    "http://sqs.us-east-1.localhost.localstack.cloud:4566/{account}/{name}",
    "https://queue.amazonaws.com/{account}/{name}",
    "https://us-east-1.queue.amazonaws.com/{account}/{name}",
    "http://localhost:4566/{account}/{name}",
    "http://localhost:4566/queue/us-east-1/{account}/{name}",
    "http://127.0.0.1:9999/queue/us-east-1/{account}/{name}?ignored=1",
    "/{account}/{name}",
    "{account}/{name}",
    "{name}",
])
def test_every_url_form_resolves(sqs, queue_url, form):
    queue_url("anywhere", VisibilityTimeout=42)
    url = form.format(account=ACCOUNT, name="anywhere")
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert got == {"VisibilityTimeout": "42"}


def test_url_of_unknown_queue_is_queue_does_not_exist(sqs, endpoint):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=f"{endpoint}/{ACCOUNT}/unknown", AttributeNames=["All"])


def test_an_address_naming_no_queue_is_invalid_address(sqs):
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl="http://localhost:4566/", AttributeNames=["All"])
    error = excinfo.value.response["Error"]
    assert error["Code"] == "InvalidAddress"
    assert error["Message"] == "The address http://localhost:4566/ is not valid for this endpoint."


@pytest.mark.open_mode_only
def test_another_accounts_queue_is_reachable_by_its_url(sqs, aws_client, queue_url):
    url = queue_url("shared", DelaySeconds=7)
    other = aws_client("sqs", aws_access_key_id="111122223333")
    got = other.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]
    assert got == {"DelaySeconds": "7"}


def test_queue_arn_names_region_and_account(aws_client):
    west = aws_client("sqs", region="eu-west-1")
    url = west.create_queue(QueueName="arned")["QueueUrl"]
    arn = west.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn == f"arn:aws:sqs:eu-west-1:{ACCOUNT}:arned"
