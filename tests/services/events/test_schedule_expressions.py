"""Schedule expressions: AWS's grammar (valid/invalid) and the next run of each (unit table).

The cases follow the EventBridge user guide ("Cron expressions reference", "Rate expressions
reference") and the EventBridge Scheduler user guide ("Schedule types on EventBridge
Scheduler": at(), time zones, daylight saving time).
"""

from __future__ import annotations

import datetime as dt

import pytest

from overcast.services.events.schedule_expressions import (
    EVENTS_INVALID,
    ScheduleExpressionError,
    parse_schedule,
)


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc).timestamp()


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# (expression, after (UTC), time zone, expected next run (UTC) or None)
NEXT_FIRE = [
    # rate(): one period after the reference time
    ("rate(1 minute)", "2024-01-01T00:00:00", "UTC", "2024-01-01T00:01:00"),
    ("rate(5 minutes)", "2024-01-01T00:00:30", "UTC", "2024-01-01T00:05:30"),
    ("rate(1 hour)", "2024-01-01T10:15:00", "UTC", "2024-01-01T11:15:00"),
    ("rate(12 hours)", "2024-01-01T00:00:00", "UTC", "2024-01-01T12:00:00"),
    ("rate(1 day)", "2024-02-28T08:00:00", "UTC", "2024-02-29T08:00:00"),
    ("rate(7 days)", "2024-01-01T00:00:00", "UTC", "2024-01-08T00:00:00"),
    # rate() days are 24 hours whatever the zone's daylight saving (Scheduler's guide)
    ("rate(1 day)", "2024-03-09T12:00:00", "America/New_York", "2024-03-10T12:00:00"),
    # cron(): basic times
    ("cron(0 12 * * ? *)", "2024-01-01T11:59:59", "UTC", "2024-01-01T12:00:00"),
    ("cron(0 12 * * ? *)", "2024-01-01T12:00:00", "UTC", "2024-01-02T12:00:00"),
    ("cron(15 10 ? * 6L 2022-2024)", "2024-01-01T00:00:00", "UTC", "2024-01-26T10:15:00"),
    ("cron(0 18 ? * MON-FRI *)", "2024-01-05T18:00:00", "UTC", "2024-01-08T18:00:00"),
    ("cron(0 8 1 * ? *)", "2024-01-01T08:00:00", "UTC", "2024-02-01T08:00:00"),
    ("cron(0/15 * * * ? *)", "2024-01-01T12:07:00", "UTC", "2024-01-01T12:15:00"),
    ("cron(0/10 * ? * MON-FRI *)", "2024-01-06T00:00:00", "UTC", "2024-01-08T00:00:00"),
    ("cron(0/5 8-17 ? * MON-FRI *)", "2024-01-08T17:55:00", "UTC", "2024-01-09T08:00:00"),
    ("cron(0 9 ? * 2#1 *)", "2024-01-01T09:00:00", "UTC", "2024-02-05T09:00:00"),
    ("cron(* * * * ? *)", "2024-01-01T00:00:00", "UTC", "2024-01-01T00:01:00"),
    ("cron(* * * * ? *)", "2024-01-01T00:00:01", "UTC", "2024-01-01T00:01:00"),
    ("cron(5/15 * * * ? *)", "2024-01-01T00:50:00", "UTC", "2024-01-01T01:05:00"),
    ("cron(1-31/30 1-1 ? * 1,7 *)", "2024-01-06T01:01:00", "UTC", "2024-01-06T01:31:00"),
    ("cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)", "2024-01-07T12:00:00", "UTC", "2024-01-08T08:00:00"),
    ("cron(30-30 13-13 ? * 2,4,6 *)", "2024-01-08T13:30:00", "UTC", "2024-01-10T13:30:00"),
    ("cron(0 0 L * ? *)", "2024-02-01T00:00:00", "UTC", "2024-02-29T00:00:00"),
    ("cron(0 0 L * ? *)", "2023-02-01T00:00:00", "UTC", "2023-02-28T00:00:00"),
    ("cron(0 10 15W * ? *)", "2024-06-01T00:00:00", "UTC", "2024-06-14T10:00:00"),  # 15th a Saturday
    ("cron(0 10 16W * ? *)", "2024-06-01T00:00:00", "UTC", "2024-06-17T10:00:00"),  # 16th a Sunday
    ("cron(0 10 1W * ? *)", "2024-06-01T00:00:00", "UTC", "2024-06-03T10:00:00"),  # 1st a Saturday
    ("cron(0 10 30W * ? *)", "2024-06-01T00:00:00", "UTC", "2024-06-28T10:00:00"),  # 30th a Sunday, last day
    ("cron(0 10 LW * ? *)", "2024-08-01T00:00:00", "UTC", "2024-08-30T10:00:00"),  # 31st a Saturday
    ("cron(0 10 ? * L *)", "2024-01-01T00:00:00", "UTC", "2024-01-06T10:00:00"),  # L: Saturday
    ("cron(0 10 ? * MON#2 *)", "2024-01-01T00:00:00", "UTC", "2024-01-08T10:00:00"),
    ("cron(0 10 ? * 3#5 *)", "2024-01-01T00:00:00", "UTC", "2024-01-30T10:00:00"),  # a fifth Tuesday
    ("cron(0 10 ? * FRIL *)", "2024-01-01T00:00:00", "UTC", "2024-01-26T10:00:00"),
    ("cron(0 0 29 2 ? *)", "2024-03-01T00:00:00", "UTC", "2028-02-29T00:00:00"),
    ("cron(0 0 31 * ? *)", "2024-04-01T00:00:00", "UTC", "2024-05-31T00:00:00"),
    ("cron(0 0 1 JAN,JUL ? *)", "2024-01-01T00:00:00", "UTC", "2024-07-01T00:00:00"),
    ("cron(0 0 1 NOV-FEB ? *)", "2024-03-01T00:00:00", "UTC", "2024-11-01T00:00:00"),  # wrapping range
    ("cron(0 0 ? * FRI-MON *)", "2024-01-02T00:00:00", "UTC", "2024-01-05T00:00:00"),  # wrapping range
    ("cron(0 0 ? * mon-sun *)", "2024-01-02T00:00:00", "UTC", "2024-01-03T00:00:00"),  # names ignore case
    ("cron(0 0 1 1 ? 2030)", "2024-06-01T00:00:00", "UTC", "2030-01-01T00:00:00"),
    ("cron(0 0 1 1 ? 1970)", "2024-06-01T00:00:00", "UTC", None),  # never again
    ("cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00", "UTC", None),
    ("cron(0 0 1 1 ? */50)", "2024-06-01T00:00:00", "UTC", "2070-01-01T00:00:00"),
    ("cron(0 0 1 1 ? 2030/500)", "2024-06-01T00:00:00", "UTC", "2030-01-01T00:00:00"),  # one year
    ("cron(59 23 31 12 ? *)", "2024-12-31T23:58:00", "UTC", "2024-12-31T23:59:00"),
    ("cron(0 0/6 * * ? *)", "2024-01-01T05:00:00", "UTC", "2024-01-01T06:00:00"),
    ("cron(0/5, 9-18, ?, *, MON-FRI, *)", "2024-01-05T18:55:00", "UTC", "2024-01-08T09:00:00"),
    # cron() in a time zone (Scheduler)
    ("cron(0 9 * * ? *)", "2024-01-15T00:00:00", "Europe/Paris", "2024-01-15T08:00:00"),
    ("cron(0 9 * * ? *)", "2024-07-15T00:00:00", "Europe/Paris", "2024-07-15T07:00:00"),
    ("cron(0 0 * * ? *)", "2024-01-01T00:00:00", "Asia/Kolkata", "2024-01-01T18:30:00"),
    # spring forward: 02:30 does not exist on 2024-03-10 in New York; that run is skipped
    ("cron(30 2 * * ? *)", "2024-03-10T00:00:00", "America/New_York", "2024-03-11T06:30:00"),
    ("cron(30 3 * * ? *)", "2024-03-10T00:00:00", "America/New_York", "2024-03-10T07:30:00"),
    # fall back: 01:30 happens twice on 2024-11-03 in New York; the schedule runs once
    ("cron(30 1 * * ? *)", "2024-11-03T05:00:00", "America/New_York", "2024-11-03T05:30:00"),
    ("cron(30 1 * * ? *)", "2024-11-03T05:30:00", "America/New_York", "2024-11-04T06:30:00"),
    ("cron(0/30 * * * ? *)", "2024-11-03T05:45:00", "America/New_York", "2024-11-03T07:00:00"),
    # at(): one run, in the schedule's zone
    ("at(2024-05-01T10:00:00)", "2024-01-01T00:00:00", "UTC", "2024-05-01T10:00:00"),
    ("at(2024-05-01T10:00:00)", "2024-01-01T00:00:00", "Europe/Paris", "2024-05-01T08:00:00"),
    ("at(2024-05-01T10:00:00)", "2024-05-01T10:00:00", "UTC", None),
    ("at(2024-02-29T23:59:59)", "2024-01-01T00:00:00", "America/Los_Angeles", "2024-03-01T07:59:59"),
]


@pytest.mark.parametrize("expression,after,tz,expected", NEXT_FIRE)
def test_next_fire(expression, after, tz, expected):
    schedule = parse_schedule(expression, service="scheduler")
    assert _iso(schedule.next_fire(_epoch(after), tz)) == expected


VALID = [
    "rate(1 minute)", "rate(2 minutes)", "rate(1 hour)", "rate(24 hours)", "rate(1 day)",
    "rate(365 days)", "cron(0 12 * * ? *)", "cron(0 20 * * ? *)", "cron(15 10 ? * 6L 2019-2022)",
    "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 LW * ? *)", "cron(0 0 3W * ? *)",
    "cron(*/59 * * * ? *)", "cron(0 */23 * * ? *)", "cron(0 0 */31 * ? *)", "cron(0 0 1 */12 ? *)",
    "cron(0 0 ? JAN-DEC SUN-SAT 1970-2199)", "cron(0,15,30,45 * * * ? *)", "cron(0 0 ? * SAT,SUN *)",
    "cron(0 0 ? * 1-7 *)", "cron(0 0 1-15 * ? *)", "cron(1-31/30 1-1 ? * 1,7 *)",
    # stray commas are ignored (boto/boto3#2876: PutRule and the console accept this one)
    "cron(0/5, 9-18, ?, *, MON-FRI, *)", "cron(0 0 1,,2 * ? *)",
]


@pytest.mark.parametrize("expression", VALID)
def test_valid_expressions(expression):
    assert parse_schedule(expression).expression == expression


INVALID = [
    "", "rate", "rate()", "rate(5)", "rate(minutes)", "rate(1 minutes)", "rate(5 minute)",
    "rate(0 minutes)", "rate(1 hours)", "rate(2 hour)", "rate(1 days)", "rate(5 seconds)",
    "rate(5 weeks)", "rate(-5 minutes)", "rate(1.5 hours)", "rate(5  minutes)", "rate(5 Minutes)",
    "rate(5 minutes daily)", "Rate(5 minutes)", " rate(5 minutes)", "rate(5 minutes) ",
    "cron()", "cron(0 12 * * ?)", "cron(0 12 * * ? * *)", "cron(0 12 * * * *)", "cron(0 12 ? * ? *)",
    "cron(0 12 1 * MON *)", "cron(60 12 * * ? *)", "cron(0 24 * * ? *)", "cron(0 12 0 * ? *)",
    "cron(0 12 32 * ? *)", "cron(0 12 * 13 ? *)", "cron(0 12 * 0 ? *)", "cron(0 12 ? * 0 *)",
    "cron(0 12 ? * 8 *)", "cron(0 12 * * ? 1969)", "cron(0 12 * * ? 2200)", "cron(*/60 * * * ? *)",
    "cron(0 */24 * * ? *)", "cron(0/0 * * * ? *)", "cron(15 12 ? * -1 *)", "cron(0 0 ? * 1/2 *)",
    "cron(0 0 ? * MON#6 *)", "cron(0 0 ? * MON#0 *)", "cron(0 0 ? * 8#1 *)", "cron(0 0 32W * ? *)",
    "cron(0 0 L * L *)", "cron(L 0 * * ? *)", "cron(0 0 W * ? *)", "cron(0 0 * * ? 2030-2020)",
    "cron(0 0 * FOO ? *)", "cron(0 0 ? * MONDAY *)", "cron(0 0 , * ? *)", "cron(0 0 ,, * ? *)",
    "cron(0 0 * * ? *", "cron(a b c d e f)", "cron(0 0 1- * ? *)", "cron(0 0 ?, * ?, *)",
    "cron( 0 12 * * ? *)", "cron(0 12 * * ? * )", "at(2024-05-01T10:00:00)",
]


@pytest.mark.parametrize("expression", INVALID)
def test_invalid_expressions_get_put_rules_text(expression):
    with pytest.raises(ScheduleExpressionError) as caught:
        parse_schedule(expression)
    assert str(caught.value) == EVENTS_INVALID == "Parameter ScheduleExpression is not valid."


@pytest.mark.parametrize("expression", [
    "at(2024-02-30T10:00:00)", "at(2024-05-01 10:00:00)", "at(2024-05-01T24:00:00)", "at(2024-5-1T10:00:00)",
    "at(2024-05-01T10:00)", "rate(1 minutes)", "cron(0 12 * * * *)",
])
def test_scheduler_wording(expression):
    with pytest.raises(ScheduleExpressionError) as caught:
        parse_schedule(expression, service="scheduler")
    assert str(caught.value) == f"Invalid Schedule Expression {expression}."


def test_kinds():
    assert parse_schedule("rate(5 minutes)").kind == "rate"
    assert parse_schedule("cron(0 12 * * ? *)").kind == "cron"
    assert parse_schedule("at(2030-01-01T00:00:00)", service="scheduler").kind == "at"


def test_rate_counts_from_its_start():
    schedule = parse_schedule("rate(5 minutes)")
    start = _epoch("2024-01-01T00:00:10")
    assert _iso(schedule.next_fire(start, start=start)) == "2024-01-01T00:05:10"
    assert _iso(schedule.next_fire(_epoch("2024-01-01T00:05:10"), start=start)) == "2024-01-01T00:10:10"
    # after a long pause: the next run on the same grid, once (not one per missed period)
    assert _iso(schedule.next_fire(_epoch("2024-01-01T03:01:00"), start=start)) == "2024-01-01T03:05:10"
    # a start still to come (Scheduler's StartDate) is the first run
    assert _iso(schedule.next_fire(start - 100, start=start)) == "2024-01-01T00:00:10"


def test_a_rate_beyond_any_date_never_runs():
    schedule = parse_schedule(f"rate({'9' * 400} days)")  # longer than the model's 256
    assert schedule.next_fire(0.0) is None
    assert schedule.next_fire(100.0, start=50.0) is None


def test_unknown_time_zone_is_refused():
    with pytest.raises(ScheduleExpressionError):
        parse_schedule("cron(0 12 * * ? *)").next_fire(0.0, "Mars/Olympus_Mons")
