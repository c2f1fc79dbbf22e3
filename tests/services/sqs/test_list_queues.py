"""ListQueues: the caller's queues in the region, by prefix, with and without pagination."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_lists_every_queue(sqs, queue_url):
    urls = [queue_url(name) for name in ("a", "b", "c")]
    assert sorted(sqs.list_queues()["QueueUrls"]) == sorted(urls)


def test_no_queues_means_no_queue_urls_member(sqs):
    assert "QueueUrls" not in sqs.list_queues()


def test_prefix_filters_by_name_start(sqs, queue_url):
    wanted = [queue_url("orders-1"), queue_url("orders-2")]
    queue_url("invoices")
    queue_url("my-orders")
    assert sorted(sqs.list_queues(QueueNamePrefix="orders")["QueueUrls"]) == sorted(wanted)


def test_prefix_is_case_sensitive(sqs, queue_url):
    queue_url("Orders")
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="orders")


def test_max_results_pages_with_next_token(sqs, queue_url):
    urls = sorted(queue_url(f"q{i:02d}") for i in range(7))
    seen, token = [], None
    while True:
        kwargs = {"MaxResults": 3, **({"NextToken": token} if token else {})}
        page = sqs.list_queues(**kwargs)
        assert len(page["QueueUrls"]) <= 3
        seen += page["QueueUrls"]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == urls


def test_pagination_keeps_the_prefix(sqs, queue_url):
    wanted = sorted(queue_url(f"keep{i}") for i in range(4))
    queue_url("drop")
    pages = sqs.get_paginator("list_queues").paginate(QueueNamePrefix="keep", PaginationConfig={"PageSize": 3})
    assert [url for page in pages for url in page.get("QueueUrls", [])] == wanted


def test_no_next_token_without_max_results(sqs, queue_url):
    for i in range(3):
        queue_url(f"q{i}")
    answer = sqs.list_queues()
    assert len(answer["QueueUrls"]) == 3 and "NextToken" not in answer


def test_last_page_has_no_next_token(sqs, queue_url):
    queue_url("a")
    queue_url("b")
    assert "NextToken" not in sqs.list_queues(MaxResults=2)


@pytest.mark.parametrize("max_results", [0, 1001])
def test_max_results_outside_1_to_1000_is_invalid(sqs, max_results):
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues(MaxResults=max_results)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_garbage_next_token_is_invalid(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues(MaxResults=5, NextToken="garbage!")
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_only_the_callers_queues_are_listed(sqs, aws_client, queue_url):
    queue_url("mine")
    other = aws_client("sqs", aws_access_key_id="111122223333")
    other.create_queue(QueueName="theirs")
    assert [url.rsplit("/", 1)[1] for url in sqs.list_queues()["QueueUrls"]] == ["mine"]


def test_only_the_regions_queues_are_listed(sqs, aws_client, queue_url):
    queue_url("east")
    west = aws_client("sqs", region="us-west-2")
    assert "QueueUrls" not in west.list_queues()


def test_without_max_results_lists_up_to_1000(sqs, server):
    """1,001 queues: a plain ListQueues answers the first 1,000, with no NextToken."""
    for i in range(1001):
        sqs.create_queue(QueueName=f"bulk{i:04d}")
    answer = sqs.list_queues()
    assert len(answer["QueueUrls"]) == 1000
    assert "NextToken" not in answer
