"""A real Logs client: Python's ``logging`` shipping through watchtower (its handler creates
the group with tags and retention, creates the stream on its first refusal, batches
PutLogEvents from a background thread) into Overcast, and the lines read back."""

from __future__ import annotations

import json
import logging
import uuid

import boto3
import pytest
import watchtower

from aws_clients import CREDENTIALS, REGION
from logs_helpers import logs  # noqa: F401


@pytest.fixture
def default_aws(endpoint, monkeypatch):
    """watchtower tags the group with the ARN a default ``boto3.client("sts")`` gives it: the
    environment points a fresh default session at Overcast, as a user would."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"]),
                        ("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"]),
                        ("AWS_DEFAULT_REGION", REGION), ("AWS_ENDPOINT_URL_STS", endpoint)):
        monkeypatch.setenv(name, value)


def _logger(handler) -> logging.Logger:
    logger = logging.getLogger(f"overcast-test-{uuid.uuid4()}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def test_logging_lines_shipped_by_watchtower_are_read_back(logs, default_aws):
    handler = watchtower.CloudWatchLogHandler(
        log_group_name="/app/watchtower", log_stream_name="worker-1", boto3_client=logs,
        send_interval=1, log_group_tags={"team": "core"}, log_group_retention_days=7)
    logger = _logger(handler)
    for i in range(250):
        logger.info("request %d served", i)
    logger.warning({"event": "slow", "ms": 1234})  # a dict is shipped as a JSON document
    handler.close()  # flushes the queue and waits for the sender thread

    groups = logs.describe_log_groups(logGroupNamePrefix="/app/watchtower")["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [("/app/watchtower", 7)]
    assert logs.list_tags_log_group(logGroupName="/app/watchtower")["tags"] == {"team": "core"}
    events, token = [], None
    while True:
        page = logs.get_log_events(logGroupName="/app/watchtower", logStreamName="worker-1", startFromHead=True,
                                   **({"nextToken": token} if token else {}))
        events.extend(page["events"])
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    messages = [event["message"] for event in events]
    assert messages[:250] == [f"request {i} served" for i in range(250)]
    assert json.loads(messages[250]) == {"event": "slow", "ms": 1234}
    assert len(messages) == 251
    timestamps = [event["timestamp"] for event in events]
    assert timestamps == sorted(timestamps)


def test_watchtower_lines_are_found_by_a_filter_pattern(logs):
    handler = watchtower.CloudWatchLogHandler(log_group_name="/app/filtered", log_stream_name="s",
                                              boto3_client=logs, send_interval=1)
    logger = _logger(handler)
    logger.info("user alice logged in")
    logger.error("user bob failed to log in")
    logger.info("user carol logged in")
    handler.close()
    found = logs.filter_log_events(logGroupName="/app/filtered", filterPattern='"failed to"')["events"]
    assert [event["message"] for event in found] == ["user bob failed to log in"]
