"""Scalar codecs every protocol shares: timestamps, blobs, special floats, booleans.

AWS protocols write the same scalar types in a few fixed ways. This module is the one place
that knows them, so the query/ec2/json/cbor and the REST protocols agree to the character.

Timestamps come in three formats (the ``timestampFormat`` trait picks one, otherwise the
protocol's default does):

- ``iso8601``: ``2024-05-01T12:00:00.123Z`` (query, ec2, rest-xml bodies, rest query strings);
- ``rfc822``: ``Wed, 01 May 2024 12:00:00 GMT`` (REST headers);
- ``unixTimestamp``: seconds since the epoch as a number, fractions for milliseconds (json,
  rest-json bodies; cbor carries it as tag 1).

Values handed to the serializers may be aware or naive ``datetime`` (naive means UTC), numbers
(epoch seconds) or already formatted strings; parsed timestamps are always aware UTC datetimes.
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

ISO8601 = "iso8601"
RFC822 = "rfc822"
UNIX = "unixtimestamp"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A stored epoch past the last instant a datetime holds (an expiry many days away) is written
# as that instant: serializing a far date must never fail the answer.
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
_LATEST_SECONDS = (_LATEST - _EPOCH).total_seconds()


def timestamp_format(shape, default: str) -> str:
    """The lower-case timestamp format of ``shape`` (its ``timestampFormat`` trait or ``default``)."""
    return (shape.serialization.get("timestampFormat") or default).lower()


def to_datetime(value) -> datetime:
    """An aware UTC datetime for a datetime (naive = UTC), epoch number or timestamp text."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _EPOCH + timedelta(seconds=min(max(value, 0), _LATEST_SECONDS))
    if isinstance(value, str):
        return parse_timestamp(value)
    raise TypeError(f"not a timestamp: {value!r}")


def format_timestamp(value, fmt: str):
    """``value`` written in ``fmt`` (lower-case name): text for iso8601/rfc822, a number for unix.

    iso8601 carries milliseconds (``.000Z``), as AWS writes it; unix timestamps are an int
    when whole, else a float with millisecond precision.
    """
    dt = to_datetime(value)
    if fmt == UNIX:
        delta = dt - _EPOCH  # integer arithmetic: float seconds * 1000 can land on x.999
        millis = delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000
        return millis // 1000 if millis % 1000 == 0 else millis / 1000
    if fmt == RFC822:
        return format_datetime(dt.replace(microsecond=0), usegmt=True)
    return f"{dt.strftime('%Y-%m-%dT%H:%M:%S')}.{dt.microsecond // 1000:03d}Z"


def parse_timestamp(value) -> datetime:
    """An aware UTC datetime from any of the three wire formats (text or epoch number).

    Raises ``ValueError`` when ``value`` is no timestamp at all.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"not a timestamp: {value!r}")
        try:
            return _EPOCH + timedelta(seconds=value)
        except OverflowError as exc:
            raise ValueError(f"timestamp out of range: {value!r}") from exc
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    first = text[0]
    if first.isdigit() and len(text) >= 10 and text[4:5] == "-":
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            dt = _parse_iso_fallback(text)
        return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
    if first.isdigit() or first in "-+.":
        try:
            return parse_timestamp(float(text))
        except ValueError:
            pass
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"not a timestamp: {value!r}") from exc
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _parse_iso_fallback(text: str) -> datetime:
    # fromisoformat refuses more than 6 fraction digits and a few other valid ISO forms
    # ("2024-05-01T12:00:00.1234567Z"); trim the fraction to microseconds and retry.
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}" if digits else head + rest
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}") from exc


def encode_blob(value) -> str:
    """Base64 text of a blob (``str`` values are encoded as UTF-8 first, as botocore does)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def decode_blob(text) -> bytes:
    """The bytes of base64 ``text``; raises ``ValueError`` when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"not base64: {text!r}") from exc


def format_float(value) -> str:
    """Text of a float as AWS writes it: ``NaN``, ``Infinity``, ``-Infinity`` or the shortest repr."""
    value = float(value)
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def json_float(value):
    """A float for a JSON body: finite values as numbers, specials as the strings AWS sends."""
    value = float(value)
    if math.isfinite(value):
        return value
    return format_float(value)


def parse_float(value) -> float:
    """A float from wire text or number (``NaN``/``Infinity``/``-Infinity`` included).

    Raises ``ValueError`` for anything else (booleans too, which ``float()`` would accept).
    """
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text in ("NaN", "Infinity", "-Infinity"):
            return float(text.replace("Infinity", "inf").replace("NaN", "nan"))
        lowered = text.lower()
        if "n" in lowered or "i" in lowered:  # "nan", "inf", "infinity" in other spellings
            raise ValueError(f"not a number: {value!r}")
        return float(text)
    raise ValueError(f"not a number: {value!r}")


def parse_integer(value) -> int:
    """An integer from wire text or a JSON number; raises ``ValueError`` otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(f"not an integer: {value!r}")


def parse_boolean(value) -> bool:
    """A boolean from ``true``/``false`` text (any case) or a JSON/CBOR boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    raise ValueError(f"not a boolean: {value!r}")


def format_boolean(value) -> str:
    """``true`` or ``false``."""
    return "true" if value else "false"
