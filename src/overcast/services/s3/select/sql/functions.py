"""The scalar SQL functions of S3 Select, over Python values (NULL = None, plus MISSING)."""

from __future__ import annotations

from datetime import date, datetime

from .casts import cast, is_number, type_of
from .errors import SelectError
from .missing import MISSING
from .time_format import to_string
from .timestamps import as_timestamp, date_add, date_diff, extract, parse_ion_timestamp, utcnow


def wrong_type() -> SelectError:
    return SelectError(
        "IncorrectSqlFunctionArgumentType",
        "Incorrect type of arguments in function call in the SQL expression.",
    )


def _absent(value) -> bool:
    return value is None or value is MISSING


def _text(value) -> str:
    if not isinstance(value, str):
        raise wrong_type()
    return value


def _int(value) -> int:
    if isinstance(value, bool) or not is_number(value):
        if isinstance(value, str):
            return cast(value, "INT")
        raise wrong_type()
    return int(value)


def _timestamp(value) -> datetime:
    if isinstance(value, date):
        return as_timestamp(value)
    if isinstance(value, str):
        parsed = parse_ion_timestamp(value)
        if parsed is not None:
            return parsed
    raise wrong_type()


def substring(text, start, length=None):
    text = _text(text)
    start = _int(start)
    if length is None:
        return text[max(start, 1) - 1 :]
    length = _int(length)
    if length < 0:
        raise SelectError(
            "EvaluatorInvalidArguments",
            "Incorrect number of arguments in the function call in the SQL expression.",
        )
    end = start + length  # exclusive, 1-based
    begin = max(start, 1)
    if end <= begin:
        return ""
    return text[begin - 1 : end - 1]


def trim(text, chars=None, side="both"):
    text = _text(text)
    chars = " " if chars is None else _text(chars)
    if side == "leading":
        return text.lstrip(chars)
    if side == "trailing":
        return text.rstrip(chars)
    return text.strip(chars)


def coalesce(*values):
    for value in values:
        if not _absent(value):
            return value
    return None


def call(name: str, args: list, options: dict, equals=None):
    """Evaluate function ``name`` on already-evaluated ``args``."""
    if name == "COALESCE":
        return coalesce(*args)
    if name == "NULLIF":
        first, second = args
        if _absent(first):  # AWS: NULLIF(missing, null) is null
            return None
        return None if equals(first, second) is True else first
    if name == "UTCNOW":
        return utcnow()
    for value in args:
        if value is MISSING:
            return None if name != "TRIM" else MISSING
        if value is None:
            return None
    if name in ("CHAR_LENGTH", "CHARACTER_LENGTH"):
        return len(_text(args[0]))
    if name == "LOWER":
        return _text(args[0]).lower()
    if name == "UPPER":
        return _text(args[0]).upper()
    if name == "TRIM":
        return trim(args[0], args[1] if len(args) > 1 else None, options["side"])
    if name == "SUBSTRING":
        return substring(*args)
    if name == "TO_STRING":
        return to_string(_timestamp(args[0]), _text(args[1]))
    if name == "TO_TIMESTAMP":
        parsed = parse_ion_timestamp(_text(args[0]))
        if parsed is None:
            raise SelectError(
                "CastFailed",
                f"Attempt to convert from one data type to another failed: cast from "
                f"{type_of(args[0])} to TIMESTAMP.",
            )
        return parsed
    if name == "EXTRACT":
        return extract(options["part"], _timestamp(args[0]))
    if name == "DATE_ADD":
        try:
            return date_add(options["part"], _int(args[0]), _timestamp(args[1]))
        except (OverflowError, ValueError):
            raise SelectError(
                "IntegerOverflow", "Int overflow or underflow in the SQL expression."
            ) from None
    if name == "DATE_DIFF":
        return date_diff(options["part"], _timestamp(args[0]), _timestamp(args[1]))
    raise SelectError("UnsupportedFunction", "Encountered an unsupported SQL function.")
