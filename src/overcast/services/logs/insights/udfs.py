"""Python functions registered on the reader connection for what SQLite has no built-in for:
regular expressions, ``parse`` captures, lenient number conversion, natural sort keys, IP
checks, calendar periods and the aggregates ``pct``, ``stddev``, ``earliest``/``latest`` and
``sortsFirst``/``sortsLast``. All are deterministic; a bad value gives NULL, never an error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import ipaddress
import math
import re
import sqlite3
import struct

INT64 = 2 ** 63  # SQLite's integers are 64-bit: a larger number is answered as a float
_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def to_number(value):
    """A number, from a number or a string spelling one; else None."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        number = float(value)
        if number.is_integer() and not any(c in value for c in ".eE") and abs(number) < INT64:
            return int(value)
        return number
    return None


def absolute(value):
    return abs(value) if not (isinstance(value, int) and value <= -INT64) else float(-value)


def to_text(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@functools.lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def regex_match(value, pattern):
    if value is None:
        return None
    return 1 if compiled(pattern).search(to_text(value)) else 0


class ParseCache:
    """``parse`` defines several fields from one match: the last match is kept so each field
    of the same event costs one dictionary look-up, not another search."""

    def __init__(self):
        self.key = None
        self.groups = None

    def capture(self, value, pattern, group):
        if value is None:
            return None
        key = (value, pattern)
        if key != self.key:
            match = compiled(pattern).search(to_text(value))
            self.key = key
            self.groups = match.groupdict() if match and match.re.groupindex else (match.groups() if match else None)
        if self.groups is None:
            return None
        if isinstance(self.groups, dict):
            return self.groups.get(group)
        index = int(group)
        return self.groups[index] if index < len(self.groups) else None


# -- natural sort (the ``sort`` command's order) ----------------------------------------------

_CHUNKS = re.compile(r"\d+|\D")


def sort_key(value):
    """A text key whose byte order is Logs Insights' sort order: values that are numbers after
    all others, in numeric order; other values compared chunk by chunk, runs of digits by their
    length then their value, other characters by their Unicode value."""
    if value is None:
        return None
    number = to_number(value)
    if number is not None:
        bits = struct.unpack(">Q", struct.pack(">d", float(number)))[0]
        bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)
        return "\U0010FFFF" + format(bits, "016x")
    out = []
    for chunk in _CHUNKS.findall(to_text(value)):
        if chunk.isdigit():
            # "0" keeps digits' place among other characters; the length decides before the value
            out.append("0" + chr(0x21 + min(len(chunk), 0xFFFF)) + chunk)
        else:
            out.append(chunk)
    return "".join(out)


# -- dates --------------------------------------------------------------------------------------

DAY_MS = 86_400_000


@functools.lru_cache(maxsize=4096)
def _month_of_day(day: int) -> int:
    """Months since year 0 of the UTC day ``day`` (days since the epoch); cached: a query
    binning a million events by month meets only a few hundred distinct days."""
    when = dt.datetime(1970, 1, 1) + dt.timedelta(days=day)
    return when.year * 12 + (when.month - 1)


def _month_start_ms(index):
    year, month = divmod(index, 12)
    return calendar.timegm((year, month + 1, 1, 0, 0, 0)) * 1000


MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z: the calendar's end


def month_floor(ms, months):
    ms = to_number(ms)
    if ms is None or not months or not 0 <= ms <= MAX_MS:
        return None
    index = _month_of_day(int(ms) // DAY_MS)
    return _month_start_ms(index - index % months)


def month_ceil(ms, months):
    floor = month_floor(ms, months)
    if floor is None or floor == to_number(ms):
        return floor
    index = _month_of_day(floor // DAY_MS) + months
    return _month_start_ms(index) if index < 10_000 * 12 else None


# -- IP addresses -----------------------------------------------------------------------------

def _ip(value, version=None):
    try:
        address = ipaddress.ip_address(to_text(value).strip())
    except (ValueError, AttributeError):
        return None
    return address if version is None or address.version == version else None


def _in_subnet(value, subnet, version=None):
    address = _ip(value, version)
    if address is None or subnet is None:
        return 0 if value is not None else None
    try:
        network = ipaddress.ip_network(to_text(subnet).strip(), strict=False)
    except ValueError:
        return 0
    return 1 if address.version == network.version and address in network else 0


def _safe(fn):
    def call(*args):
        try:
            return fn(*args)
        except (ValueError, TypeError, OverflowError, ZeroDivisionError):
            return None
    return call


def _finite(fn):
    """A float function whose infinite or NaN answers are NULL (no number to show)."""
    def call(*args):
        value = fn(*args)
        return value if math.isfinite(value) else None
    return call


def _numbers(fn):
    def call(*args):
        values = [to_number(a) for a in args]
        if any(v is None for v in values):
            return None
        return fn(*values)
    return call


# -- aggregates -------------------------------------------------------------------------------

class Percentile:
    def __init__(self):
        self.values = []
        self.rank = None

    def step(self, value, rank):
        if value is not None:
            self.values.append(value)
        if rank is not None:
            self.rank = rank

    def finalize(self):
        if not self.values or self.rank is None:
            return None
        self.values.sort()
        # nearest rank
        index = max(0, min(len(self.values) - 1, math.ceil(self.rank / 100 * len(self.values)) - 1))
        return self.values[index]


class StdDev:
    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def step(self, value):
        if value is None:
            return
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (value - self.mean)

    def finalize(self):
        if self.n == 0:
            return None
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0


class Earliest:
    newer = staticmethod(lambda ts, best: ts < best)

    def __init__(self):
        self.best, self.value = None, None

    def step(self, ts, value):
        if value is None or ts is None:
            return
        if self.best is None or self.newer(ts, self.best):
            self.best, self.value = ts, value

    def finalize(self):
        return self.value


class Latest(Earliest):
    newer = staticmethod(lambda ts, best: ts >= best)


class SortsFirst:
    pick = staticmethod(lambda key, best: key < best)

    def __init__(self):
        self.key, self.value = None, None

    def step(self, value):
        if value is None:
            return
        key = sort_key(value)
        if self.key is None or self.pick(key, self.key):
            self.key, self.value = key, value

    def finalize(self):
        return self.value


class SortsLast(SortsFirst):
    pick = staticmethod(lambda key, best: key > best)


def register(conn: sqlite3.Connection) -> None:
    """Registers every ``oc_`` function on ``conn`` (idempotent)."""
    det = {"deterministic": True}
    parse_cache = ParseCache()
    conn.create_function("oc_num", 1, to_number, **det)
    conn.create_function("oc_text", 1, to_text, **det)
    conn.create_function("oc_regex", 2, regex_match, **det)
    conn.create_function("oc_parse", 3, parse_cache.capture, **det)
    conn.create_function("oc_sortkey", 1, sort_key, **det)
    conn.create_function("oc_month_floor", 2, month_floor, **det)
    conn.create_function("oc_month_ceil", 2, month_ceil, **det)
    conn.create_function("oc_is_ip", 1, lambda v: None if v is None else int(_ip(v) is not None), **det)
    conn.create_function("oc_is_ipv4", 1, lambda v: None if v is None else int(_ip(v, 4) is not None), **det)
    conn.create_function("oc_is_ipv6", 1, lambda v: None if v is None else int(_ip(v, 6) is not None), **det)
    conn.create_function("oc_ip_in_subnet", 2, _in_subnet, **det)
    conn.create_function("oc_ipv4_in_subnet", 2, lambda v, n: _in_subnet(v, n, 4), **det)
    conn.create_function("oc_ipv6_in_subnet", 2, lambda v, n: _in_subnet(v, n, 6), **det)
    conn.create_function("oc_greatest", -1, _numbers(lambda *v: max(v)), **det)
    conn.create_function("oc_least", -1, _numbers(lambda *v: min(v)), **det)
    conn.create_function("oc_ln", 1, _safe(_numbers(_finite(math.log))), **det)
    conn.create_function("oc_sqrt", 1, _safe(_numbers(_finite(math.sqrt))), **det)
    conn.create_function("oc_pow", 2, _safe(_numbers(_finite(math.pow))), **det)
    conn.create_function("oc_abs", 1, _numbers(absolute), **det)
    conn.create_function("oc_divide", 2, _safe(_numbers(lambda a, b: a / b)), **det)
    conn.create_function("oc_mod", 2, _safe(_numbers(math.fmod)), **det)
    conn.create_aggregate("oc_pct", 2, Percentile)
    conn.create_aggregate("oc_stddev", 1, StdDev)
    conn.create_aggregate("oc_earliest", 2, Earliest)
    conn.create_aggregate("oc_latest", 2, Latest)
    conn.create_aggregate("oc_sorts_first", 1, SortsFirst)
    conn.create_aggregate("oc_sorts_last", 1, SortsLast)
