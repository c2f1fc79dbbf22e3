"""The AWS CLI against Overcast's Logs core: groups, retention, streams, events in and out,
and an error as the CLI shows it."""

from __future__ import annotations

import json
import time


def test_cli_groups_streams_and_events(aws_cli, tmp_path):
    aws_cli("logs", "create-log-group", "--log-group-name", "/cli/app", "--tags", "team=blue")
    aws_cli("logs", "put-retention-policy", "--log-group-name", "/cli/app", "--retention-in-days", "30")
    aws_cli("logs", "create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "web-1")
    now = int(time.time() * 1000)
    events = tmp_path / "events.json"
    events.write_text(json.dumps([{"timestamp": now - 1, "message": "started"}, {"timestamp": now, "message": "ok"}]))
    put = aws_cli("logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web-1",
                  "--log-events", f"file://{events}")
    assert "rejectedLogEventsInfo" not in put
    got = aws_cli("logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web-1",
                  "--start-from-head")
    assert [e["message"] for e in got["events"]] == ["started", "ok"]
    [group] = aws_cli("logs", "describe-log-groups", "--log-group-name-prefix", "/cli/")["logGroups"]
    assert (group["retentionInDays"], group["storedBytes"]) == (30, 9)
    assert aws_cli("logs", "list-tags-for-resource", "--resource-arn", group["logGroupArn"])["tags"] == {
        "team": "blue"}
    failed = aws_cli("logs", "create-log-group", "--log-group-name", "/cli/app", check=False)
    assert failed.returncode != 0
    assert "ResourceAlreadyExistsException" in failed.stderr and "The specified log group already exists" in \
        failed.stderr
