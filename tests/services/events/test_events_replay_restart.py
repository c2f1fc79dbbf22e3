"""Archives and replays across a kill -9: the archived events and a replay that had not started
yet are on disk, and the restarted server runs the replay on its own (its timer is durable)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from archive_helpers import put, wait_archived, wait_replay
from botocore.config import Config
from dispatch_helpers import receive
from serverproc import ServerProcess


def _client(server: ServerProcess, service: str):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=20))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_a_replay_started_before_a_kill_runs_after_the_restart(own_server):
    events, sqs = _client(own_server, "events"), _client(own_server, "sqs")
    url = sqs.create_queue(QueueName="replayed")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="to-queue", EventPattern=json.dumps({"source": ["test.app"]}))
    events.put_targets(Rule="to-queue", Targets=[{"Id": "q", "Arn": arn}])
    bus = events.describe_event_bus()["Arn"]
    archive = events.create_archive(ArchiveName="kept", EventSourceArn=bus)["ArchiveArn"]
    put(events, {"n": 1}, {"n": 2}, {"n": 3})
    assert wait_archived(events, "kept", 3)["EventCount"] == 3
    assert len(receive(sqs, url, 3)) == 3
    now = datetime.now(timezone.utc)
    events.start_replay(ReplayName="after-crash", EventSourceArn=archive, EventStartTime=now - timedelta(minutes=5),
                        EventEndTime=now + timedelta(seconds=1), Destination={"Arn": bus})
    assert events.describe_replay(ReplayName="after-crash")["State"] == "STARTING"
    own_server.kill()
    own_server.start()
    events, sqs = _client(own_server, "events"), _client(own_server, "sqs")
    assert events.describe_archive(ArchiveName="kept")["EventCount"] == 3
    # killed within its two STARTING seconds; the restarted server starts it on its own
    assert wait_replay(events, "after-crash")["State"] == "COMPLETED", "".join(own_server.output[-40:])
    replayed = [json.loads(m["Body"]) for m in receive(sqs, url, 3)]
    assert sorted(e["detail"]["n"] for e in replayed) == [1, 2, 3]
    assert {e["replay-name"] for e in replayed} == {"after-crash"}
