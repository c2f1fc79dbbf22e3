"""When a schedule's runs fall (``firing.plan_run``), without a server: rate from the start,
cron and at in a time zone (daylight saving included), EndDate, one-time schedules ignoring
their dates, flexible windows within their bounds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from overcast.services.scheduler.firing import plan_run

OFF = {"Mode": "OFF"}


def _epoch(*args, zone: str = "UTC") -> float:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).timestamp()


def _spec(expression: str, zone: str | None = None, window: dict = OFF) -> dict:
    spec = {"ScheduleExpression": expression, "FlexibleTimeWindow": window}
    if zone:
        spec["ScheduleExpressionTimezone"] = zone
    return spec


def test_rate_runs_a_whole_number_of_periods_from_the_start():
    start = _epoch(2030, 1, 1, 0, 0)
    spec = _spec("rate(15 minutes)")
    assert plan_run(spec, after=start - 3600, start=start, end=None, created=0) == (start, start)
    assert plan_run(spec, after=start + 1, start=start, end=None, created=0)[0] == start + 900
    created = start + 7
    assert plan_run(spec, after=created, start=None, end=None, created=created)[0] == created + 900


def test_cron_in_a_time_zone_across_daylight_saving():
    spec = _spec("cron(30 9 * * ? *)", "America/New_York")
    before_change = _epoch(2030, 3, 9, 12, 0, zone="America/New_York")  # DST starts on 10 March 2030
    first = plan_run(spec, after=before_change, start=None, end=None, created=0)[0]
    assert first == _epoch(2030, 3, 10, 9, 30, zone="America/New_York")
    second = plan_run(spec, after=first, start=None, end=None, created=0)[0]
    assert second - first == 86400  # 9:30 local both days: 24 hours, as UTC moved an hour
    assert dt.datetime.fromtimestamp(second, dt.timezone.utc).hour == 13


def test_end_date_stops_a_recurring_schedule():
    start = _epoch(2030, 1, 1, 0, 0)
    spec = _spec("rate(10 minutes)")
    assert plan_run(spec, after=start + 600, start=start, end=start + 1500, created=0)[0] == start + 1200
    assert plan_run(spec, after=start + 1200, start=start, end=start + 1500, created=0) is None


def test_a_one_time_schedule_ignores_start_and_end_dates():
    when = _epoch(2030, 6, 1, 8, 0, zone="Europe/Paris")
    spec = _spec("at(2030-06-01T08:00:00)", "Europe/Paris")
    assert plan_run(spec, after=when - 10, start=when + 86400, end=when - 3600, created=0) == (when, when)
    assert plan_run(spec, after=when, start=None, end=None, created=0) is None


def test_a_flexible_window_stays_within_its_bounds():
    spec = _spec("rate(1 hour)", window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10})
    dues = set()
    for _ in range(200):
        nominal, due = plan_run(spec, after=0, start=None, end=None, created=0)
        assert nominal == 3600 and nominal <= due <= nominal + 600
        dues.add(due)
    assert len(dues) > 1  # spread over the window, not always its start
