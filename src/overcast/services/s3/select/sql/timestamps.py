"""S3 Select timestamps: Ion text in and out (precision kept), date parts, DATE_ADD/DATE_DIFF."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

PRECISIONS = ("year", "month", "day", "minute", "second", "fraction")

_ION_TS = re.compile(
    r"(?P<y>\d{4})(?:T|-(?P<mo>\d{2})(?:T|-(?P<d>\d{2})"
    r"(?:T(?:(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?"
    r"(?P<off>Z|[+-]\d{2}:\d{2})?)?)?))"
)


class Timestamp(datetime):
    """A datetime that remembers the precision and offset its Ion text had.

    ``str()`` gives the Ion text AWS writes in results (``2007-04-05T14:30Z``, ``2010T``).
    """

    precision: str = "fraction"
    fraction_digits: int = 6
    offset_known: bool = True

    def __str__(self) -> str:
        return format_ion(self)


def make(dt: datetime, precision: str, fraction_digits: int = 0, offset_known: bool = True):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    ts = Timestamp(
        dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, dt.tzinfo
    )
    ts.precision = precision
    ts.fraction_digits = fraction_digits
    ts.offset_known = offset_known
    return ts


def as_timestamp(dt) -> Timestamp:
    """Any date or datetime (Parquet DATE and naive TIMESTAMP columns included) as a
    Timestamp; a value without an offset is UTC."""
    if isinstance(dt, Timestamp):
        return dt
    if not isinstance(dt, datetime):  # a date
        return make(datetime(dt.year, dt.month, dt.day), "day", 0, offset_known=False)
    digits = 6 if dt.microsecond else 0
    return make(dt, "fraction" if digits else "second", digits)


def parse_ion_timestamp(text: str) -> Timestamp | None:
    match = _ION_TS.fullmatch(text.strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        year, month, day = int(g["y"]), int(g["mo"] or 1), int(g["d"] or 1)
        hour, minute = int(g["h"] or 0), int(g["mi"] or 0)
        second = int(g["s"] or 0)
        fraction = g["f"] or ""
        micro = int((fraction + "000000")[:6]) if fraction else 0
        offset, known = timezone.utc, True
        if g["h"] is None:
            known = False
        elif g["off"] and g["off"] != "Z":
            sign = -1 if g["off"][0] == "-" else 1
            hours, minutes = int(g["off"][1:3]), int(g["off"][4:6])
            if g["off"] == "-00:00":
                known = False
            else:
                offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
        dt = datetime(year, month, day, hour, minute, second, micro, offset)
    except ValueError:
        return None
    if g["mo"] is None:
        precision = "year"
    elif g["d"] is None:
        precision = "month"
    elif g["h"] is None:
        precision = "day"
    elif g["s"] is None:
        precision = "minute"
    elif not fraction:
        precision = "second"
    else:
        precision = "fraction"
    return make(dt, precision, len(fraction), known)


def _offset_text(ts: datetime, known: bool) -> str:
    if not known:
        return "-00:00"
    delta = ts.utcoffset() or timedelta(0)
    if not delta:
        return "Z"
    total = int(delta.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def format_ion(value: datetime) -> str:
    ts = as_timestamp(value)
    p = ts.precision
    if p == "year":
        return f"{ts.year:04d}T"
    if p == "month":
        return f"{ts.year:04d}-{ts.month:02d}T"
    date = f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}"
    if p == "day":
        return date
    time = f"{ts.hour:02d}:{ts.minute:02d}"
    if p in ("second", "fraction"):
        time += f":{ts.second:02d}"
    if p == "fraction" and ts.fraction_digits:
        time += "." + f"{ts.microsecond:06d}".ljust(ts.fraction_digits, "0")[: ts.fraction_digits]
    return f"{date}T{time}{_offset_text(ts, ts.offset_known)}"


def extract(part: str, value: datetime) -> int:
    ts = as_timestamp(value)
    if part == "timezone_hour" or part == "timezone_minute":
        minutes = int((ts.utcoffset() or timedelta(0)).total_seconds() // 60)
        sign = -1 if minutes < 0 else 1
        hours, rest = divmod(abs(minutes), 60)
        return sign * (hours if part == "timezone_hour" else rest)
    return getattr(ts, part)


def _raise_precision(ts: Timestamp, part: str) -> str:
    """DATE_ADD keeps the precision of its timestamp, adding as much as the part needs."""
    needed = {"year": "year", "month": "month", "day": "day", "hour": "minute",
              "minute": "minute", "second": "second"}[part]  # fmt: skip
    if PRECISIONS.index(needed) > PRECISIONS.index(ts.precision):
        return needed
    return ts.precision


def date_add(part: str, amount: int, value: datetime) -> Timestamp:
    ts = as_timestamp(value)
    if part in ("year", "month"):
        months = ts.year * 12 + (ts.month - 1) + (amount * 12 if part == "year" else amount)
        year, month = divmod(months, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise OverflowError
        day = min(ts.day, calendar.monthrange(year, month)[1])
        moved = ts.replace(year=year, month=month, day=day)
    else:
        moved = ts + timedelta(**{part + "s": amount})
    return make(moved, _raise_precision(ts, part), ts.fraction_digits, ts.offset_known)


def date_diff(part: str, first: datetime, second: datetime) -> int:
    a = as_timestamp(first).astimezone(timezone.utc)
    b = as_timestamp(second).astimezone(timezone.utc)
    if part in ("year", "month"):
        months = (b.year - a.year) * 12 + (b.month - a.month)
        rest_a = (a.day, a.hour, a.minute, a.second, a.microsecond)
        rest_b = (b.day, b.hour, b.minute, b.second, b.microsecond)
        if months > 0 and rest_b < rest_a:
            months -= 1
        elif months < 0 and rest_b > rest_a:
            months += 1
        return int(months / 12) if part == "year" else months
    seconds = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}[part]
    delta = (b - a).total_seconds()
    return int(delta / seconds)


def utcnow() -> Timestamp:
    now = datetime.now(timezone.utc)
    return make(now.replace(microsecond=(now.microsecond // 1000) * 1000), "fraction", 3)
