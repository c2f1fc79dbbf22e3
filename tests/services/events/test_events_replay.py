"""Replays through a real server: StartReplay sends an archive's events of a time window back
to the bus's rules with ``replay-name`` (not archived again), Destination.FilterArns, the state
machine on the cloud clock (STARTING, RUNNING, COMPLETED, CANCELLED), DescribeReplay,
CancelReplay, ListReplays and AWS's errors."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from archive_helpers import advance_clock, bus_arn, put, wait_archived, wait_replay
from dispatch_helpers import receive, rule_to_queue
from events_helpers import error_of


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


@pytest.fixture
def sqs(aws_client, server):
    return aws_client("sqs")


def _window(minutes: float = 10):
    now = datetime.now(timezone.utc)
    return now - timedelta(minutes=minutes), now + timedelta(seconds=1)


def _archive_with(events, name: str, *details) -> str:
    arn = events.create_archive(ArchiveName=name, EventSourceArn=bus_arn(events))["ArchiveArn"]
    put(events, *details)
    assert wait_archived(events, name, len(details))["EventCount"] == len(details)
    return arn


def test_a_replay_sends_the_archived_events_back_with_their_replay_name(events, sqs, server):
    url, _, _ = rule_to_queue(events, sqs)
    archive = _archive_with(events, "source", {"n": 1}, {"n": 2})
    assert len(receive(sqs, url, 2)) == 2  # the original deliveries
    start, end = _window()
    started = events.start_replay(ReplayName="again", EventSourceArn=archive, EventStartTime=start,
                                  EventEndTime=end, Destination={"Arn": bus_arn(events)})
    assert started["ReplayArn"] == "arn:aws:events:us-east-1:000000000000:replay/again"
    assert started["State"] == "STARTING" and isinstance(started["ReplayStartTime"], datetime)
    assert events.describe_replay(ReplayName="again")["State"] == "STARTING"
    advance_clock(server, 3)
    described = wait_replay(events, "again")
    assert described["State"] == "COMPLETED"
    replayed = [json.loads(m["Body"]) for m in receive(sqs, url, 2)]
    assert sorted(e["detail"]["n"] for e in replayed) == [1, 2]
    assert all(e["replay-name"] == "again" for e in replayed)
    assert list(replayed[0])[-1] == "replay-name"
    # replayed events are not archived again
    time.sleep(0.3)
    assert events.describe_archive(ArchiveName="source")["EventCount"] == 2
    assert described["ReplayName"] == "again" and described["EventSourceArn"] == archive
    assert described["Destination"] == {"Arn": bus_arn(events)}
    assert described["EventStartTime"] <= described["EventEndTime"]
    assert described["ReplayStartTime"] <= described["ReplayEndTime"]
    assert "EventLastReplayedTime" in described


def test_only_the_window_is_replayed(events, sqs, server):
    url, _, _ = rule_to_queue(events, sqs)
    archive = _archive_with(events, "windowed", {"n": 1})
    receive(sqs, url, 1)
    advance_clock(server, 3600)
    put(events, {"n": 2})
    assert wait_archived(events, "windowed", 2)["EventCount"] == 2
    receive(sqs, url, 1)
    after = datetime.now(timezone.utc) + timedelta(seconds=3600 - 600)  # between the two, on the cloud clock
    events.start_replay(ReplayName="late-only", EventSourceArn=archive, EventStartTime=after,
                        EventEndTime=after + timedelta(hours=1), Destination={"Arn": bus_arn(events)})
    advance_clock(server, 3)
    assert wait_replay(events, "late-only")["State"] == "COMPLETED"
    [message] = receive(sqs, url, 1)
    assert json.loads(message["Body"])["detail"] == {"n": 2}
    assert receive(sqs, url, 1, timeout=1) == []


def test_filter_arns_name_the_rules_that_get_the_replay(events, sqs, server):
    url_a, _, rule_a = rule_to_queue(events, sqs)
    url_b, _, _ = rule_to_queue(events, sqs)
    archive = _archive_with(events, "filtered", {"n": 1})
    receive(sqs, url_a, 1)
    receive(sqs, url_b, 1)
    start, end = _window()
    events.start_replay(ReplayName="to-a", EventSourceArn=archive, EventStartTime=start, EventEndTime=end,
                        Destination={"Arn": bus_arn(events), "FilterArns": [rule_a]})
    advance_clock(server, 3)
    described = wait_replay(events, "to-a")
    assert described["State"] == "COMPLETED" and described["Destination"]["FilterArns"] == [rule_a]
    [message] = receive(sqs, url_a, 1)
    assert json.loads(message["Body"])["replay-name"] == "to-a"
    assert receive(sqs, url_b, 1, timeout=1) == []


def test_cancel_a_starting_replay_and_then_not_again(events, server):
    archive = _archive_with(events, "cancelled", {"n": 1})
    start, end = _window()
    events.start_replay(ReplayName="stop-me", EventSourceArn=archive, EventStartTime=start, EventEndTime=end,
                        Destination={"Arn": bus_arn(events)})
    cancelled = events.cancel_replay(ReplayName="stop-me")
    assert cancelled == {"ReplayArn": "arn:aws:events:us-east-1:000000000000:replay/stop-me", "State": "CANCELLING",
                         "ResponseMetadata": cancelled["ResponseMetadata"]}
    advance_clock(server, 3)
    described = wait_replay(events, "stop-me")
    assert described["State"] == "CANCELLED" and "ReplayEndTime" in described
    assert "EventLastReplayedTime" not in described
    assert error_of(events.cancel_replay, ReplayName="stop-me") == (
        "IllegalStatusException", "Replay stop-me is not in a valid state for this operation.")


def test_list_replays_filters_and_pages(events, server):
    archive = _archive_with(events, "listed", {"n": 1})
    start, end = _window()
    for name in ("r-1", "r-2", "s-1"):
        events.start_replay(ReplayName=name, EventSourceArn=archive, EventStartTime=start, EventEndTime=end,
                            Destination={"Arn": bus_arn(events)})
    events.cancel_replay(ReplayName="s-1")
    names = lambda answer: [r["ReplayName"] for r in answer["Replays"]]  # noqa: E731
    assert names(events.list_replays()) == ["r-1", "r-2", "s-1"]
    assert names(events.list_replays(NamePrefix="r-")) == ["r-1", "r-2"]
    assert names(events.list_replays(State="CANCELLED")) == ["s-1"]
    assert names(events.list_replays(EventSourceArn=archive)) == ["r-1", "r-2", "s-1"]
    first = events.list_replays(Limit=2)
    assert names(first) == ["r-1", "r-2"]
    assert names(events.list_replays(Limit=2, NextToken=first["NextToken"])) == ["s-1"]
    [summary] = events.list_replays(NamePrefix="s-")["Replays"]
    assert summary["EventSourceArn"] == archive and summary["State"] == "CANCELLED"
    assert {"EventStartTime", "EventEndTime", "ReplayStartTime", "ReplayEndTime"} <= set(summary)
    assert error_of(events.list_replays, NamePrefix="r", State="RUNNING") == (
        "ValidationException",
        "At most one filter is allowed for ListReplays. Use either : State, EventSourceArn, or NamePrefix.")


def test_errors(events):
    archive = _archive_with(events, "errors", {"n": 1})
    bus = bus_arn(events)
    start, end = _window()

    def start_replay(**overrides):
        params = {"ReplayName": "r", "EventSourceArn": archive, "EventStartTime": start, "EventEndTime": end,
                  "Destination": {"Arn": bus}, **overrides}
        return error_of(events.start_replay, **params)

    assert start_replay(EventStartTime=end, EventEndTime=start) == (
        "ValidationException", "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
    assert start_replay(EventSourceArn=archive.replace("archive/errors", "archive/none")) == (
        "ValidationException", "Parameter EventSourceArn is not valid. Reason: Archive none does not exist.")
    assert start_replay(Destination={"Arn": archive}) == (
        "ValidationException", "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
    events.create_event_bus(Name="elsewhere")
    assert start_replay(Destination={"Arn": bus_arn(events, "elsewhere")}) == (
        "ValidationException", "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
    assert start_replay(Destination={"Arn": bus, "FilterArns": [bus]}) == (
        "ValidationException",
        "Parameter Destination.FilterArns is not valid. Reason: Rule must be on the destination event bus.")
    assert start_replay(Destination={"Arn": bus, "FilterArns": [bus.replace("event-bus/default", "rule/ghost")]}) == (
        "ResourceNotFoundException", "Rule ghost does not exist on EventBus default.")
    events.start_replay(ReplayName="r", EventSourceArn=archive, EventStartTime=start, EventEndTime=end,
                        Destination={"Arn": bus})
    assert start_replay() == ("ResourceAlreadyExistsException", "Replay r already exists.")
    for call in (events.describe_replay, events.cancel_replay):
        assert error_of(call, ReplayName="ghost") == ("ResourceNotFoundException", "Replay ghost does not exist.")


def test_the_aws_cli_archives_and_replays(events, aws_cli, server):
    bus = bus_arn(events)
    created = aws_cli("events", "create-archive", "--archive-name", "cli-archive", "--event-source-arn", bus,
                      "--event-pattern", json.dumps({"source": ["test.app"]}), "--retention-days", "3")
    assert created["State"] == "ENABLED"
    put(events, {"n": 1})
    assert wait_archived(events, "cli-archive", 1)["EventCount"] == 1
    assert aws_cli("events", "list-archives", "--name-prefix", "cli-")["Archives"][0]["RetentionDays"] == 3
    start, end = _window()
    started = aws_cli("events", "start-replay", "--replay-name", "cli-replay", "--event-source-arn",
                      created["ArchiveArn"], "--event-start-time", start.isoformat(), "--event-end-time",
                      end.isoformat(), "--destination", json.dumps({"Arn": bus}))
    assert started["State"] == "STARTING"
    advance_clock(server, 3)
    assert wait_replay(events, "cli-replay")["State"] == "COMPLETED"
    assert aws_cli("events", "describe-replay", "--replay-name", "cli-replay")["State"] == "COMPLETED"
    assert aws_cli("events", "list-replays")["Replays"][0]["ReplayName"] == "cli-replay"
    aws_cli("events", "delete-archive", "--archive-name", "cli-archive")
    assert aws_cli("events", "list-archives")["Archives"] == []
