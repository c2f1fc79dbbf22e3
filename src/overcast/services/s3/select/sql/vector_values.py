"""The values of the columnar evaluator and the operators between them: a pyarrow Array or
a Const, their kinds, comparison, Kleene logic, checked arithmetic, concatenation; Fallback
when a batch's data needs the per-record path."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from .casts import INT_TEXT, NUMBER_TEXT
from .rowwise import compare, concat

_INT_RE = "^" + INT_TEXT.pattern + "$"  # the same texts casts.text_number reads
_NUMBER_RE = "^" + NUMBER_TEXT.pattern + "$"
COMPARE = {"=": pc.equal, "<>": pc.not_equal, "<": pc.less, "<=": pc.less_equal,
            ">": pc.greater, ">=": pc.greater_equal}  # fmt: skip
ARITH = {"+": pc.add_checked, "-": pc.subtract_checked, "*": pc.multiply_checked,
          "/": pc.divide_checked}  # fmt: skip  (integer division truncates, as per record)


class NotVectorizable(Exception):
    """The expression needs the per-record evaluator (decided once, at compile time)."""


class Fallback(Exception):
    """This batch needs the per-record evaluator (decided per batch, from its data)."""


class Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def kind_of(value) -> str:
    """'string' | 'int' | 'float' | 'bool' | 'null' | 'other' for an Array or a Const."""
    if isinstance(value, Const):
        v = value.value
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, int):
            return "int"
        if isinstance(v, (float, Decimal)):
            return "float"
        return "string" if isinstance(v, str) else "other"
    t = value.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_boolean(t):
        return "bool"
    return "other"


def raw(value):
    if isinstance(value, Const):
        v = value.value
        return float(v) if isinstance(v, Decimal) else v
    return value


def all_match(array: pa.Array, regex: str) -> bool:
    return pc.all(pc.match_substring_regex(array, regex)).as_py() is not False


def text_to_number(array: pa.Array) -> pa.Array:
    """A string column read as numbers the way rowwise.text_number reads each field."""
    try:
        trimmed = pc.utf8_trim_whitespace(array)
        if all_match(array, _INT_RE):
            return pc.cast(trimmed, pa.int64())
        if all_match(array, _NUMBER_RE):
            return pc.cast(trimmed, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    raise Fallback


def numeric(value):
    if kind_of(value) in ("int", "float"):
        return value
    raise Fallback  # text in arithmetic or against numbers: the per-record path's error


def compare_values(op: str, a, b):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(compare(op, a.value, b.value))
    ka, kb = kind_of(a), kind_of(b)
    if "null" in (ka, kb) or "other" in (ka, kb):
        raise Fallback
    if ka != kb and not (ka in ("int", "float") and kb in ("int", "float")):
        raise Fallback  # types that do not compare: unequal, or an error, per record
    return COMPARE[op](raw(a), raw(b))


def as_bool(value):
    if isinstance(value, Const):
        v = value.value
        return v if isinstance(v, bool) or v is None else None
    if kind_of(value) != "bool":
        raise Fallback
    return value


def logic(fn, const_fn, a, b):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(const_fn(a.value, b.value))
    a, b = as_bool(a), as_bool(b)
    if isinstance(a, pa.Array) and isinstance(b, pa.Array):
        return fn(a, b)
    array, scalar = (a, b) if isinstance(a, pa.Array) else (b, a)
    return fn(array, pa.scalar(scalar, pa.bool_()))


def is_decimal(value) -> bool:
    return isinstance(value, Const) and isinstance(value.value, Decimal)


def arithmetic_values(op: str, a, b):
    if isinstance(a, Const) and isinstance(b, Const) or is_decimal(a) or is_decimal(b):
        raise Fallback  # DECIMAL arithmetic stays exact, per record
    a, b = numeric(a), numeric(b)
    try:
        return ARITH[op](raw(a), raw(b))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise Fallback from None


def string_array(value) -> pa.Array:
    if isinstance(value, Const) or kind_of(value) != "string":
        raise Fallback
    return value


def concat_values(a, b):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(concat(a.value, b.value))
    for value in (a, b):
        if isinstance(value, Const) and not isinstance(value.value, str):
            raise Fallback
        if not isinstance(value, Const):
            string_array(value)
    return pc.binary_join_element_wise(raw(a), raw(b), "")
