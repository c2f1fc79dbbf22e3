"""Scheduled rules across restarts: a killed server resumes the schedule on its own (no
EventBridge request needed), and a run missed while it was down happens once, not once per
missed period."""

from __future__ import annotations

import json
import os
import sqlite3

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess


def _client(server: ServerProcess, service: str):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=20))


def _advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _now(server: ServerProcess) -> float:
    return float(json.loads(server.get("/_overcast/clock"))["now"])


def _log(server: ServerProcess) -> str:
    """The server's latest output, to tell why a run did not arrive."""
    return "".join(server.output[-40:])


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _scheduled_queue(server: ServerProcess, rule: str, expression: str) -> str:
    sqs, events = _client(server, "sqs"), _client(server, "events")
    url = sqs.create_queue(QueueName=f"{rule}-q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule, ScheduleExpression=expression)
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    return url


def _drain(server: ServerProcess, url: str, expected: int) -> int:
    sqs = _client(server, "sqs")
    count = 0
    for _ in range(10):
        if count >= expected:
            break
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for message in got:
            assert json.loads(message["Body"])["detail-type"] == "Scheduled Event"
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        count += len(got)
    return count + len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))


def test_schedule_survives_kill_9(own_server):
    url = _scheduled_queue(own_server, "survivor", "rate(5 minutes)")
    own_server.kill()
    own_server.start()
    # no EventBridge request after the restart: the stored schedule alone resumes
    _advance(own_server, 301)
    assert _drain(own_server, url, 1) == 1, _log(own_server)
    _advance(own_server, 300)
    assert _drain(own_server, url, 1) == 1, _log(own_server)


def test_runs_missed_while_down_happen_once(own_server):
    url = _scheduled_queue(own_server, "sleeper", "rate(1 hour)")
    own_server.stop()
    # As after ten hours' downtime: the stored next run is ten hours overdue when the server starts.
    database = os.path.join(own_server.data_dir, "events.db")
    with sqlite3.connect(database) as db:
        updated = db.execute("UPDATE rule_schedules SET next_fire = next_fire - 36000").rowcount
    assert updated == 1
    own_server.start()
    assert _drain(own_server, url, 1) == 1, _log(own_server)  # one run at start, not ten
    _advance(own_server, 3601)
    assert _drain(own_server, url, 1) == 1, _log(own_server)
