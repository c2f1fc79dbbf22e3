"""CAST and the implicit number reading of text values (CSV fields are strings)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import SelectError
from .missing import MISSING
from .timestamps import as_timestamp, format_ion, parse_ion_timestamp

# ASCII digits and spaces only (Python's \d and \s would take other scripts' digits and spaces)
INT_TEXT = re.compile(r"[ \t\n\r\f\v]*[+-]?[0-9]+[ \t\n\r\f\v]*")
NUMBER_TEXT = re.compile(
    r"[ \t\n\r\f\v]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\f\v]*"
)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def type_of(value) -> str:
    """The type name AWS prints in CastFailed messages."""
    if value is None:
        return "NULL"
    if value is MISSING:
        return "MISSING"
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT"
    if isinstance(value, float):
        return "FLOAT"
    if isinstance(value, Decimal):
        return "DECIMAL"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, date):
        return "TIMESTAMP"
    if isinstance(value, dict):
        return "STRUCT"
    if isinstance(value, list):
        return "LIST"
    return "BLOB" if isinstance(value, bytes) else "STRING"


def cast_failed(value, target: str) -> SelectError:
    return SelectError(
        "CastFailed",
        f"Attempt to convert from one data type to another failed: cast from {type_of(value)} "
        f"to {target}.",
    )


def is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def text_number(text: str):
    """The number a text spells (int, else Decimal, else float for exponents), or None."""
    if INT_TEXT.fullmatch(text):
        return int(text)
    if NUMBER_TEXT.fullmatch(text):
        stripped = text.strip()
        if "e" in stripped or "E" in stripped:
            return float(stripped)
        return Decimal(stripped)
    return None


def _check_int(result: int, value):
    if not INT_MIN <= result <= INT_MAX:
        raise cast_failed(value, "INT")
    return result


def cast(value, target: str):
    if value is None or value is MISSING:
        return value
    try:
        return _CASTS[target](value)
    except SelectError:
        raise
    except (ValueError, TypeError, ArithmeticError, InvalidOperation, OverflowError):
        raise cast_failed(value, target) from None


def _to_int(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return _check_int(value, value)
    if isinstance(value, (float, Decimal)):
        return _check_int(int(value), value)
    if isinstance(value, str):
        number = text_number(value)
        if number is None:
            raise cast_failed(value, "INT")
        return _check_int(int(number), value)
    raise cast_failed(value, "INT")


def _to_float(value):
    if isinstance(value, (bool, int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        number = text_number(value)
        if number is None:
            raise cast_failed(value, "FLOAT")
        return float(number)
    raise cast_failed(value, "FLOAT")


def _to_decimal(value):
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        number = text_number(value)
        if number is None:
            raise cast_failed(value, "DECIMAL")
        return Decimal(value.strip()) if not isinstance(number, float) else Decimal(repr(number))
    raise cast_failed(value, "DECIMAL")


def to_text(value) -> str:
    """The text form of a scalar (CAST AS STRING, ||, the CSV writer's view)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text.replace("e+", "E").replace("e-", "E-").replace("inf", "Infinity")
    if isinstance(value, date):
        return format_ion(as_timestamp(value))
    if isinstance(value, (int, Decimal)):
        return str(value)
    raise TypeError


def _to_string(value):
    return to_text(value)


def _to_bool(value):
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    raise cast_failed(value, "BOOL")


def _to_timestamp(value):
    if isinstance(value, date):
        return as_timestamp(value)
    if isinstance(value, str):
        parsed = parse_ion_timestamp(value)
        if parsed is not None:
            return parsed
    raise cast_failed(value, "TIMESTAMP")


_CASTS = {
    "INT": _to_int,
    "FLOAT": _to_float,
    "DECIMAL": _to_decimal,
    "STRING": _to_string,
    "BOOL": _to_bool,
    "TIMESTAMP": _to_timestamp,
}
