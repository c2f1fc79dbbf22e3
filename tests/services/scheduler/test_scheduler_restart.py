"""Schedules across restarts: a killed server resumes its schedules without a Scheduler request,
and a run missed while the server was down happens once, not once per missed period."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from aws_clients import make_client
from scheduler_helpers import OFF, advance, drain, make_queue, now, target
from serverproc import ServerProcess


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _schedule(server, expression: str, start_in: float) -> str:
    """A schedule whose first run is ``start_in`` seconds away (its StartDate)."""
    url, arn = make_queue(make_client(server.endpoint, "sqs"))
    start = dt.datetime.fromtimestamp(now(server) + start_in, dt.timezone.utc)
    make_client(server.endpoint, "scheduler").create_schedule(
        Name="sleeper", ScheduleExpression=expression, FlexibleTimeWindow=OFF, StartDate=start,
        Target=target(arn, Input="run"))
    return url


def test_a_schedule_survives_kill_9(own_server):
    url = _schedule(own_server, "rate(5 minutes)", 300)
    own_server.kill()
    own_server.start()
    advance(own_server, 301)
    sqs = make_client(own_server.endpoint, "sqs")
    assert [m["Body"] for m in drain(sqs, url)] == ["run"]
    advance(own_server, 300)
    assert len(drain(sqs, url)) == 1


def test_runs_missed_while_down_happen_once(own_server):
    url = _schedule(own_server, "rate(1 hour)", 3600)
    own_server.stop()
    # as after ten hours' downtime: the stored next run is ten hours overdue at the start
    with sqlite3.connect(os.path.join(own_server.data_dir, "scheduler.db")) as db:
        assert db.execute("UPDATE schedules SET nominal = nominal - 36000, due = due - 36000").rowcount == 1
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")
    advance(own_server, 1)
    assert len(drain(sqs, url)) == 1
    advance(own_server, 3600)
    assert len(drain(sqs, url)) == 1  # the next run is an hour after the late one, not ten behind


def test_a_pending_retry_survives_kill_9(own_server):
    sqs, scheduler = make_client(own_server.endpoint, "sqs"), make_client(own_server.endpoint, "scheduler")
    scheduler.create_schedule(Name="r", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                              Target=target("arn:aws:sqs:us-east-1:000000000000:later", Input="kept"))
    advance(own_server, 2)  # the first run (at creation) failed: the queue does not exist yet
    own_server.kill()
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")
    url, _arn = make_queue(sqs, "later")
    advance(own_server, 600)  # longer than the longest backoff (5 minutes)
    assert [m["Body"] for m in drain(sqs, url)] == ["kept"]
