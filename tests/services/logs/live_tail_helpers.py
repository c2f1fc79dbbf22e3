"""Helpers of the Live Tail and tail tests: a client that can reach StartLiveTail locally, group
ARNs, and reading a live stream within a bounded number of updates."""

from __future__ import annotations

import time

import pytest
from botocore.config import Config

from aws_clients import REGION, make_client

ACCOUNT = "000000000000"


def group_arn(name: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def tail_client(endpoint: str, validate: bool = True, **kwargs):
    """A logs client for StartLiveTail: without the ``stream-`` host prefix the SDK would put
    before ``127.0.0.1`` (a host that does not resolve). ``validate=False``: the SDK's own
    parameter checks off, so the server's answer to a bad request is seen."""
    config = Config(inject_host_prefix=False, retries={"max_attempts": 1}, connect_timeout=5, read_timeout=20,
                    parameter_validation=validate)
    return make_client(endpoint, "logs", config=config, **kwargs)


@pytest.fixture
def tail(endpoint):
    return tail_client(endpoint)


def put(logs, group: str, stream: str, *messages: str, at_ms: int | None = None) -> None:
    """PutLogEvents of ``messages`` (one millisecond apart, from now or ``at_ms``)."""
    base = at_ms if at_ms is not None else int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": base + i, "message": m} for i, m in enumerate(messages)])


def make_group(logs, group: str, *streams: str) -> None:
    logs.create_log_group(logGroupName=group)
    for stream in streams:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)


def read_updates(events, wanted: int, most_updates: int = 10) -> tuple[list[dict], list[dict]]:
    """Read a stream's updates until ``wanted`` results came or ``most_updates`` updates passed
    (one a second: the wait is bounded). (the results, the updates' metadata)."""
    results, metadata = [], []
    for _ in range(most_updates):
        event = next(events)
        assert "sessionUpdate" in event, event
        update = event["sessionUpdate"]
        metadata.append(update["sessionMetadata"])
        results.extend(update["sessionResults"])
        if len(results) >= wanted:
            break
    return results, metadata


def start(tail, *groups: str, **params):
    """StartLiveTail on ``groups`` (names): (the stream's iterator, its sessionStart)."""
    response = tail.start_live_tail(logGroupIdentifiers=[group_arn(g) for g in groups], **params)
    stream = response["responseStream"]
    events = iter(stream)
    first = next(events)
    assert set(first) == {"sessionStart"}, first
    return stream, events, first["sessionStart"]
