"""Queue URL reading and writing, unit by unit (the server tests cover the same through clients)."""

from __future__ import annotations

import pytest

from overcast.services.sqs.urls import QueueAddress, host_region, parse_queue_url, queue_url


@pytest.mark.parametrize("url, expected", [
    ("https://sqs.eu-west-1.amazonaws.com/111122223333/q", ("eu-west-1", "111122223333", "q")),
    ("https://sqs-fips.us-gov-west-1.amazonaws.com/111122223333/q", ("us-gov-west-1", "111122223333", "q")),
    ("https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q", ("cn-north-1", "111122223333", "q")),
    ("https://ap-south-1.queue.amazonaws.com/111122223333/q", ("ap-south-1", "111122223333", "q")),
    ("https://queue.amazonaws.com/111122223333/q", ("us-east-1", "111122223333", "q")),
    ("http://sqs.eu-west-1.localhost.localstack.cloud:4566/111122223333/q", ("eu-west-1", "111122223333", "q")),
    ("http://localhost:4566/queue/eu-west-1/111122223333/q.fifo", ("eu-west-1", "111122223333", "q.fifo")),
    ("http://localhost:4566/111122223333/q", (None, "111122223333", "q")),
    ("/111122223333/q", (None, "111122223333", "q")),
    ("111122223333/q", (None, "111122223333", "q")),
    ("q", (None, None, "q")),
])
def test_every_form_is_read(url, expected):
    assert parse_queue_url(url) == QueueAddress(*expected)


@pytest.mark.parametrize("url", ["", "http://localhost:4566", "http://localhost:4566/", "/q", "http://h/a/b/c",
                                 "http://h/queue/not-a-region/a/b"])
def test_what_names_no_queue(url):
    assert parse_queue_url(url) is None


def test_urls_written_are_read_back_to_the_same_queue():
    for host in ("localhost:4566", "127.0.0.1:4566", "overcast:4566", "sqs.eu-west-1.localhost:4566"):
        url = queue_url(host, "eu-west-1", "111122223333", "q")
        assert parse_queue_url(url) == QueueAddress("eu-west-1", "111122223333", "q")


def test_the_host_form_only_where_the_host_names_the_region():
    assert queue_url("sqs.eu-west-1.localhost:4566", "eu-west-1", "1", "q") == "http://sqs.eu-west-1.localhost:4566/1/q"
    assert queue_url("sqs.eu-west-1.localhost:4566", "us-east-1", "1", "q") == \
        "http://sqs.eu-west-1.localhost:4566/queue/us-east-1/1/q"
    assert queue_url("", "us-east-1", "1", "q", secure=True) == "https://localhost:4566/queue/us-east-1/1/q"
    assert host_region("localhost:4566") is None
