"""Schedules fire on the cloud clock (``POST /_overcast/clock``): at() once (and deleted with
ActionAfterCompletion DELETE), rate() and cron() in the schedule's time zone between StartDate
and EndDate, flexible windows, disabled schedules, context attributes in Input."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import botocore.exceptions
import pytest
from scheduler_helpers import OFF, advance, drain, make_queue, now, target


def _at(epoch: float, zone: str = "UTC") -> str:
    wall = dt.datetime.fromtimestamp(epoch, ZoneInfo(zone))
    return f"at({wall.strftime('%Y-%m-%dT%H:%M:%S')})"


def test_at_fires_once_then_the_schedule_is_deleted(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    when = int(now(server)) + 120
    scheduler.create_schedule(Name="once", ScheduleExpression=_at(when), FlexibleTimeWindow=OFF,
                              ActionAfterCompletion="DELETE", Target=target(arn, Input='{"n": 1}'))
    scheduler.create_schedule(Name="kept", ScheduleExpression=_at(when), FlexibleTimeWindow=OFF,
                              Target=target(arn, Input='{"n": 2}'))
    advance(server, when - now(server) - 5)
    assert drain(sqs, url) == []
    advance(server, 10)
    assert sorted(json.loads(m["Body"])["n"] for m in drain(sqs, url)) == [1, 2]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        scheduler.get_schedule(Name="once")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert scheduler.get_schedule(Name="kept")["State"] == "ENABLED"  # NONE: it stays, spent
    advance(server, 86400)
    assert drain(sqs, url) == []


def test_at_in_a_time_zone(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    when = int(now(server)) + 3600
    scheduler.create_schedule(Name="tz", ScheduleExpression=_at(when, "Asia/Kolkata"),
                              ScheduleExpressionTimezone="Asia/Kolkata", FlexibleTimeWindow=OFF, Target=target(arn))
    advance(server, when - now(server) - 5)
    assert drain(sqs, url) == []
    advance(server, 10)
    assert len(drain(sqs, url)) == 1


def test_rate_fires_every_period(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    scheduler.create_schedule(Name="r", ScheduleExpression="rate(10 minutes)", FlexibleTimeWindow=OFF,
                              Target=target(arn, Input="<aws.scheduler.scheduled-time>"))
    advance(server, 35 * 60)  # at once (no StartDate), then every 10 minutes
    bodies = [m["Body"] for m in drain(sqs, url)]
    assert len(bodies) == 4
    times = sorted(dt.datetime.strptime(b, "%Y-%m-%dT%H:%M:%SZ").timestamp() for b in bodies)
    assert [b - a for a, b in zip(times, times[1:])] == [600, 600, 600]


def test_cron_in_the_schedules_time_zone(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    zone = ZoneInfo("America/New_York")
    local = dt.datetime.fromtimestamp(now(server), zone)
    hour = (local.hour + 2) % 24
    day = local.date() if hour > local.hour else local.date() + dt.timedelta(days=1)
    expected = dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=zone).timestamp()
    scheduler.create_schedule(Name="c", ScheduleExpression=f"cron(30 {hour} * * ? *)",
                              ScheduleExpressionTimezone="America/New_York", FlexibleTimeWindow=OFF,
                              Target=target(arn))
    advance(server, expected - now(server) - 5)
    assert drain(sqs, url) == []
    advance(server, 10)
    assert len(drain(sqs, url)) == 1
    advance(server, 86400 - 20)
    assert drain(sqs, url) == []
    advance(server, 30)
    assert len(drain(sqs, url)) == 1


def test_a_flexible_window_fires_once_within_its_bounds(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    scheduler.create_schedule(Name="f", ScheduleExpression="rate(1 hour)",
                              FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                              Target=target(arn, Input="<aws.scheduler.scheduled-time>"))
    advance(server, 15 * 60 + 10)  # the first run (at creation) somewhere in its window
    [message] = drain(sqs, url, AttributeNames=["SentTimestamp"])
    nominal = dt.datetime.strptime(message["Body"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp()
    sent = int(message["Attributes"]["SentTimestamp"]) / 1000
    assert nominal <= sent <= nominal + 15 * 60 + 1


def test_start_and_end_dates_bound_the_runs(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    start = now(server) + 3600
    scheduler.create_schedule(Name="b", ScheduleExpression="rate(10 minutes)", FlexibleTimeWindow=OFF,
                              StartDate=dt.datetime.fromtimestamp(start, dt.timezone.utc),
                              EndDate=dt.datetime.fromtimestamp(start + 25 * 60, dt.timezone.utc),
                              Target=target(arn))
    advance(server, 3600 - 5)
    assert drain(sqs, url) == []
    advance(server, 3 * 3600)
    assert len(drain(sqs, url)) == 3  # at the start, then 10 and 20 minutes later


def test_a_disabled_schedule_does_not_fire_until_enabled(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    request = dict(Name="d", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF, Target=target(arn))
    scheduler.create_schedule(State="DISABLED", **request)
    advance(server, 3600)
    assert drain(sqs, url) == []
    scheduler.update_schedule(State="ENABLED", **request)
    advance(server, 301)
    assert len(drain(sqs, url)) == 1
    scheduler.delete_schedule(Name="d")
    advance(server, 3600)
    assert drain(sqs, url) == []


def test_context_attributes_in_the_input(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    schedule_arn = scheduler.create_schedule(
        Name="ctx", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
        Target=target(arn, Input='{"arn": "<aws.scheduler.schedule-arn>", "attempt": <aws.scheduler.attempt-number>, '
                                 '"id": "<aws.scheduler.execution-id>"}'))["ScheduleArn"]
    advance(server, 1)  # the first run is at creation
    [message] = drain(sqs, url)
    body = json.loads(message["Body"])
    assert body["arn"] == schedule_arn and body["attempt"] == 1 and body["id"]


def test_a_recurring_schedule_with_delete_goes_after_its_last_run(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    start = now(server) + 600
    scheduler.create_schedule(Name="ending", ScheduleExpression="rate(10 minutes)", FlexibleTimeWindow=OFF,
                              StartDate=dt.datetime.fromtimestamp(start, dt.timezone.utc),
                              EndDate=dt.datetime.fromtimestamp(start + 900, dt.timezone.utc),
                              ActionAfterCompletion="DELETE", Target=target(arn))
    advance(server, 600 + 5)
    assert len(drain(sqs, url)) == 1
    assert scheduler.get_schedule(Name="ending")["State"] == "ENABLED"
    advance(server, 600)
    assert len(drain(sqs, url)) == 1  # the last run (start + 10 minutes; the next would pass EndDate)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        scheduler.get_schedule(Name="ending")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_updating_the_expression_moves_the_next_run(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, arn = make_queue(sqs)
    request = dict(Name="moved", FlexibleTimeWindow=OFF, Target=target(arn))
    when = int(now(server)) + 7200
    scheduler.create_schedule(ScheduleExpression=_at(when), **request)
    scheduler.update_schedule(ScheduleExpression=_at(when - 3600), **request)
    advance(server, when - 3600 - now(server) + 5)
    assert len(drain(sqs, url)) == 1
    advance(server, 3600)
    assert drain(sqs, url) == []  # the first time was replaced, not added to
