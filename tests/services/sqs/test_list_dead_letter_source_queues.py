"""ListDeadLetterSourceQueues: the queues redriving into a dead-letter queue, with pagination."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def arn_of(sqs, url) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def make_sources(sqs, queue_url, dlq_url, count):
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq_url), "maxReceiveCount": 2})
    return [queue_url(f"src{i:02d}", RedrivePolicy=policy) for i in range(count)]


def test_lists_sources_of_a_dead_letter_queue(sqs, queue_url):
    dlq = queue_url("dlq")
    sources = make_sources(sqs, queue_url, dlq, 3)
    queue_url("unrelated")
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]) == sorted(sources)


def test_queue_without_sources_lists_none(sqs, queue_url):
    assert sqs.list_dead_letter_source_queues(QueueUrl=queue_url())["queueUrls"] == []


def test_removing_the_redrive_policy_removes_the_source(sqs, queue_url):
    dlq = queue_url("dlq")
    (source,) = make_sources(sqs, queue_url, dlq, 1)
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == []


def test_pages_with_max_results_and_next_token(sqs, queue_url):
    dlq = queue_url("dlq")
    sources = make_sources(sqs, queue_url, dlq, 5)
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert len(first["queueUrls"]) == 2 and first["NextToken"]
    second = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=first["NextToken"])
    third = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=second["NextToken"])
    assert "NextToken" not in third
    assert first["queueUrls"] + second["queueUrls"] + third["queueUrls"] == sorted(sources)


def test_paginator_walks_every_source(sqs, queue_url):
    dlq = queue_url("dlq")
    sources = make_sources(sqs, queue_url, dlq, 4)
    pages = sqs.get_paginator("list_dead_letter_source_queues").paginate(
        QueueUrl=dlq, PaginationConfig={"PageSize": 3})
    assert [url for page in pages for url in page["queueUrls"]] == sorted(sources)


def test_missing_queue_is_queue_does_not_exist(sqs, endpoint):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.list_dead_letter_source_queues(QueueUrl=f"{endpoint}/000000000000/none")


def test_max_results_out_of_range_is_invalid_parameter_value(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.list_dead_letter_source_queues(QueueUrl=queue_url(), MaxResults=1001)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
