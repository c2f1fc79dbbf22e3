"""Schedule expressions: ``rate()``, AWS's six-field ``cron()`` and (Scheduler only) ``at()``.

The grammar is the one the EventBridge user guide documents ("Schedule expressions for
rules": rate and cron references) and the EventBridge Scheduler user guide ("Schedule types on
EventBridge Scheduler": at, rate and cron with ScheduleExpressionTimezone):

- ``rate(value unit)``: a positive integer and minute|minutes|hour|hours|day|days, singular
  exactly when the value is 1 (``rate(1 minutes)`` and ``rate(5 minute)`` are refused).
- ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``: six fields; ``?`` in exactly
  one of the two day fields; ``, - * /`` everywhere but day-of-week (no ``/`` there),
  ``L``/``W`` in day-of-month, ``L``/``#`` in day-of-week, JAN-DEC and SUN-SAT (1 = SUN),
  years 1970-2199. Ranges may wrap (``FRI-MON``), steps run from a start (``5/15``).
- ``at(yyyy-mm-ddThh:mm:ss)``: one instant, in the schedule's time zone.

Times are epoch seconds of the cloud clock. Time zones (Scheduler) follow AWS's daylight
saving rules: a wall-clock time skipped when clocks spring forward does not run, one repeated
when they fall back runs once (the first time).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ScheduleExpressionError", "Schedule", "parse_schedule", "time_zone"]

# PutRule's text for any expression it refuses (the same for syntax and for range errors).
EVENTS_INVALID = "Parameter ScheduleExpression is not valid."

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"rate\(([0-9]+) ([a-z]+)\)")
_CRON = re.compile(r"cron\((.*)\)", re.S)
_AT = re.compile(r"at\(([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\)")

_MONTHS = {name: i + 1 for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}
_WEEKDAYS = {name: i + 1 for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
FIRST_YEAR, LAST_YEAR = 1970, 2199  # the year field's documented range


class ScheduleExpressionError(ValueError):
    """An expression the service refuses; ``str(e)`` is that service's message text."""


class _Invalid(Exception):
    """Internal: the expression is not valid (the public error is worded per service)."""


def _message(text: str, service: str) -> str:
    if service == "scheduler":
        return f"Invalid Schedule Expression {text}."
    return EVENTS_INVALID


def parse_schedule(text: str, *, service: str = "events") -> "Schedule":
    """Parse ``text`` as ``service`` ("events" or "scheduler", which also takes ``at()``)."""
    try:
        return _parse(text, service)
    except _Invalid:
        raise ScheduleExpressionError(_message(text, service)) from None


@lru_cache(maxsize=1024)
def _parse(text: str, service: str) -> "Schedule":
    if not isinstance(text, str):
        raise _Invalid()
    match = _RATE.fullmatch(text)
    if match:
        return _rate(text, int(match.group(1)), match.group(2))
    match = _CRON.fullmatch(text)
    if match:
        return CronSchedule(text, match.group(1))
    match = _AT.fullmatch(text) if service == "scheduler" else None
    if match:
        return AtSchedule(text, *(int(g) for g in match.groups()))
    raise _Invalid()


def time_zone(name: str | None) -> dt.tzinfo:
    """The zone an IANA name designates (``None`` is UTC); ScheduleExpressionError if unknown."""
    if name is None or name == "UTC":
        return dt.timezone.utc
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleExpressionError(f"Invalid time zone {name}.") from None


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    if not name or name.startswith("/") or ".." in name:
        raise ValueError(name)
    return ZoneInfo(name)


class Schedule:
    """A parsed expression; ``next_fire`` gives the first run strictly after a time."""

    kind: str = ""

    def __init__(self, text: str):
        self.expression = text

    def next_fire(self, after: float, tz: str = "UTC", *, start: float | None = None) -> float | None:
        """The first run strictly after ``after`` (epoch seconds), or None if there is none.

        ``tz`` is the schedule's time zone (cron and at; rate ignores it). ``start`` is when a
        rate schedule began counting (a rule's creation, a schedule's StartDate): its runs
        fall at ``start + k * period`` (k >= 0, so a start still to come is the first run);
        without it the next run is one period after ``after``.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.expression}>"


def _rate(text: str, value: int, unit: str) -> "RateSchedule":
    singular = unit[:-1] if unit.endswith("s") else unit
    if value < 1 or singular not in _UNIT_SECONDS:
        raise _Invalid()
    if (value == 1) != (unit == singular):  # rate(1 minute) and rate(5 minutes) only
        raise _Invalid()
    return RateSchedule(text, value * _UNIT_SECONDS[singular])


class RateSchedule(Schedule):
    kind = "rate"

    def __init__(self, text: str, period: int):
        super().__init__(text)
        self.period = period

    def next_fire(self, after: float, tz: str = "UTC", *, start: float | None = None) -> float | None:
        try:
            if start is None:
                return after + self.period
            if start > after:  # a start still to come (Scheduler's StartDate) is the first run
                return start
            periods = int((after - start) // self.period) + 1
            due = start + periods * self.period
            while due <= after:  # float rounding at the boundary
                due += self.period
            return due
        except OverflowError:  # rate(<hundreds of digits> days): no run within any time a float holds
            return None


class AtSchedule(Schedule):
    kind = "at"

    def __init__(self, text: str, year: int, month: int, day: int, hour: int, minute: int, second: int):
        super().__init__(text)
        try:
            self.wall = dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            raise _Invalid() from None

    def next_fire(self, after: float, tz: str = "UTC", *, start: float | None = None) -> float | None:
        due = self.wall.replace(tzinfo=time_zone(tz)).timestamp()
        return due if due > after else None


# -- cron -------------------------------------------------------------------------------------

class _Field:
    """One numeric cron field: its bounds and the names it takes."""

    def __init__(self, low: int, high: int, names: dict[str, int] | None = None, max_step: int | None = None):
        self.low, self.high, self.names = low, high, names or {}
        self.max_step = high if max_step is None else max_step


_MINUTES = _Field(0, 59)
_HOURS = _Field(0, 23)
_DAYS = _Field(1, 31)
_MONTH = _Field(1, 12, _MONTHS)
_WEEKDAY = _Field(1, 7, _WEEKDAYS)
_YEAR = _Field(FIRST_YEAR, LAST_YEAR, max_step=9999)  # no bound but the digits: one year then

_NUMBER = re.compile(r"[0-9]{1,4}")


def _value(token: str, field: _Field) -> int:
    if _NUMBER.fullmatch(token):
        value = int(token)
    else:
        value = field.names.get(token.upper(), -1)
    if not field.low <= value <= field.high:
        raise _Invalid()
    return value


def _span(start: int, end: int, field: _Field, step: int = 1) -> set[int]:
    """Values from start to end by step; a range running past the top wraps (FRI-MON)."""
    if start <= end:
        return set(range(start, end + 1, step))
    if field is _YEAR:
        raise _Invalid()
    width = field.high - field.low + 1
    return {field.low + (start - field.low + i) % width for i in range(0, end + width - start + 1, step)}


def _values(text: str, field: _Field, allow_step: bool = True) -> set[int]:
    """A field of ``*``, values, ranges, steps and lists of them, as the set of its values."""
    result: set[int] = set()
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not allow_step or not _NUMBER.fullmatch(step_text):
                raise _Invalid()
            step = int(step_text)
            if not 1 <= step <= field.max_step:  # cron(*/60 ...) is refused
                raise _Invalid()
        if base == "*":
            result |= _span(field.low, field.high, field, step)
        elif "-" in base:
            first, _, last = base.partition("-")
            result |= _span(_value(first, field), _value(last, field), field, step)
        elif slash:  # 5/15: from 5 to the top
            result |= _span(_value(base, field), field.high, field, step)
        else:
            result.add(_value(base, field))
    return result


def _list_items(field: str) -> str:
    """A field without empty list items: EventBridge takes ``cron(0/5, 9-18, ?, *, MON-FRI, *)``
    (reported accepted by PutRule and the console) as if the stray commas were not there."""
    if "," not in field:
        return field
    items = [item for item in field.split(",") if item]
    if not items:
        raise _Invalid()
    return ",".join(items)


class CronSchedule(Schedule):
    kind = "cron"

    def __init__(self, text: str, body: str):
        super().__init__(text)
        fields = body.split()
        if len(fields) != 6 or body != body.strip():
            raise _Invalid()
        minutes, hours, dom, months, dow, years = (_list_items(field) for field in fields)
        if (dom == "?") == (dow == "?"):  # exactly one of the day fields is '?'
            raise _Invalid()
        self.minutes = sorted(_values(minutes, _MINUTES))
        self.hours = sorted(_values(hours, _HOURS))
        self.months = _values(months, _MONTH)
        self.years = sorted(_values(years, _YEAR))
        self._year_set = set(self.years)
        self.day_of_month = None if dom == "?" else _day_of_month_rule(dom)
        self.day_of_week = None if dow == "?" else _day_of_week_rule(dow)

    # A day matches when its day field's rule says so (the other field is '?').
    def _day_matches(self, day: dt.date) -> bool:
        rule = self.day_of_month if self.day_of_month is not None else self.day_of_week
        return rule(day)

    def next_fire(self, after: float, tz: str = "UTC", *, start: float | None = None) -> float | None:
        zone = time_zone(tz)
        local = dt.datetime.fromtimestamp(after, zone).replace(tzinfo=None, fold=0)
        wall = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        day, first_minute = wall.date(), wall.hour * 60 + wall.minute
        while day is not None:
            if day.year in self._year_set and day.month in self.months and self._day_matches(day):
                for hour in self.hours:
                    if hour * 60 + 59 < first_minute:
                        continue
                    for minute in self.minutes:
                        if hour * 60 + minute < first_minute:
                            continue
                        due = _instant(day, hour, minute, zone)
                        if due is not None and due > after:
                            return due
            day, first_minute = self._next_day(day), 0
        return None

    def _next_day(self, day: dt.date) -> dt.date | None:
        """The next day worth looking at: skips whole months and years that cannot match."""
        day = day + dt.timedelta(days=1)
        while True:
            if day.year not in self._year_set:
                later = [y for y in self.years if y > day.year]
                if not later:
                    return None
                day = dt.date(later[0], 1, 1)
            if day.month in self.months:
                return day
            if day.month == 12:
                day = dt.date(day.year + 1, 1, 1)
            else:
                day = dt.date(day.year, day.month + 1, 1)


def _instant(day: dt.date, hour: int, minute: int, zone: dt.tzinfo) -> float | None:
    """The epoch time of a wall-clock minute in ``zone``; None if clocks skipped it (DST).

    A repeated wall-clock time (clocks falling back) maps to its first occurrence (fold 0),
    so a schedule runs once for it.
    """
    wall = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    if zone is dt.timezone.utc:
        return wall.timestamp()
    due = wall.timestamp()
    back = dt.datetime.fromtimestamp(due, zone)
    if (back.hour, back.minute, back.day) != (hour, minute, day.day):
        return None  # in the spring-forward gap: this run does not happen
    return due


def _day_of_month_rule(text: str):
    """Day-of-month: values, L (last day), LW (last weekday), nW (weekday nearest n)."""
    if text == "L":
        return lambda day: day.day == _month_length(day)
    if text == "LW":
        return lambda day: day.day == _nearest_weekday(day, _month_length(day))
    if text.endswith("W"):
        target = _value(text[:-1], _DAYS)
        return lambda day: day.day == _nearest_weekday(day, target)
    days = _values(text, _DAYS)
    return lambda day: day.day in days


def _day_of_week_rule(text: str):
    """Day-of-week (1 = SUN): values, L (Saturday), nL (last n of the month), n#k (k-th n)."""
    if text == "L":
        return lambda day: _aws_weekday(day) == 7
    if len(text) > 1 and text.endswith("L"):
        weekday = _value(text[:-1], _WEEKDAY)
        return lambda day: _aws_weekday(day) == weekday and day.day + 7 > _month_length(day)
    if "#" in text:
        weekday_text, _, nth_text = text.partition("#")
        weekday = _value(weekday_text, _WEEKDAY)
        if not (len(nth_text) == 1 and nth_text in "12345"):
            raise _Invalid()
        nth = int(nth_text)
        return lambda day: _aws_weekday(day) == weekday and (day.day - 1) // 7 + 1 == nth
    weekdays = _values(text, _WEEKDAY, allow_step=False)  # the guide lists no '/' for this field
    return lambda day: _aws_weekday(day) in weekdays


def _aws_weekday(day: dt.date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Python: Monday 0 .. Sunday 6; AWS: SUN 1 .. SAT 7


def _month_length(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: dt.date, target: int) -> int | None:
    """The weekday (Mon-Fri) nearest day ``target`` of ``day``'s month, not leaving the month."""
    length = _month_length(day)
    if target > length:
        return None
    weekday = dt.date(day.year, day.month, target).weekday()
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return target + 1 if target < length else target - 2
    return target
