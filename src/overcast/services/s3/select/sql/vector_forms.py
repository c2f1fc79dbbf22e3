"""The columnar forms beyond plain operators: LIKE, IN, IS, CAST, CASE, SUBSTRING and the
string functions. Each compile_* takes the compiler for its sub-expressions."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from . import nodes as n
from .casts import cast, is_number
from .errors import SelectError
from .vector_values import (
    Const,
    Fallback,
    NotVectorizable,
    as_bool,
    compare_values,
    is_decimal,
    kind_of,
    numeric,
    string_array,
    text_to_number,
)


def like_pattern(pattern: str, escape: str | None) -> str:
    """An S3 Select LIKE pattern (custom ESCAPE) in pyarrow's match_like syntax (escape \\)."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape is not None and ch == escape:
            if i + 1 >= len(pattern):
                raise NotVectorizable
            nxt = pattern[i + 1]
            out.append("\\" + nxt if nxt in "%_\\" else nxt)
            i += 2
            continue
        out.append("\\\\" if ch == "\\" else ch)
        i += 1
    return "".join(out)


def compile_like(node: n.Like, compile_vector):
    if not isinstance(node.pattern, n.Literal) or not isinstance(node.pattern.value, str):
        raise NotVectorizable
    escape = None
    if node.escape is not None:
        if not isinstance(node.escape, n.Literal) or not isinstance(node.escape.value, str):
            raise NotVectorizable
        escape = node.escape.value
        if len(escape) != 1:
            raise SelectError(
                "LikeInvalidInputs",
                "Invalid argument given to the LIKE clause in the SQL expression.",
            )
    pattern = like_pattern(node.pattern.value, escape)
    subject = compile_vector(node.subject)

    def like(env):
        matched = pc.match_like(string_array(subject(env)), pattern)
        return pc.invert(matched) if node.negated else matched

    return like


def compile_in(node: n.In, compile_vector):
    if not all(isinstance(o, n.Literal) and o.value is not None for o in node.options):
        raise NotVectorizable
    values = [o.value for o in node.options]
    if all(isinstance(v, str) for v in values):
        kind = "string"
    elif all(is_number(v) for v in values):
        kind = "number"
    else:
        raise NotVectorizable
    subject = compile_vector(node.subject)
    strings = pa.array(values, pa.string()) if kind == "string" else None
    numbers = pa.array([float(v) for v in values], pa.float64()) if kind == "number" else None

    def member(env):
        value = subject(env)
        if isinstance(value, Const):
            raise Fallback
        if kind == "string":
            found = pc.is_in(string_array(value), value_set=strings)
        else:
            value = numeric(value)
            found = pc.is_in(pc.cast(value, pa.float64()), value_set=numbers)
        found = pc.if_else(pc.is_valid(value), found, pa.scalar(None, pa.bool_()))
        return pc.invert(found) if node.negated else found

    return member


def compile_is(node: n.IsTest, compile_vector):
    subject = compile_vector(node.subject)

    def test(env):
        value = subject(env)
        if isinstance(value, Const):
            raise Fallback
        if node.what == "null":
            result = pc.is_null(value)
        elif node.what == "missing":
            result = pa.repeat(pa.scalar(False), len(value))  # a bound column is never MISSING
        else:
            result = pc.fill_null(pc.equal(as_bool(value), node.what == "true"), False)
        return pc.invert(result) if node.negated else result

    return test


def compile_cast(node: n.Cast, compile_vector):
    operand = compile_vector(node.operand)
    target = node.type_name
    if target not in ("INT", "FLOAT", "STRING"):
        raise NotVectorizable

    def converted(env):
        value = operand(env)
        if isinstance(value, Const):
            return Const(cast(value.value, target))
        kind = kind_of(value)
        try:
            if target == "STRING":
                if kind == "string":
                    return value
                if kind == "int":
                    return pc.cast(value, pa.string())
                raise Fallback
            if kind == "string":
                number = text_to_number(value)
                if target == "INT" and kind_of(number) == "float":
                    raise Fallback
                return pc.cast(number, pa.int64() if target == "INT" else pa.float64())
            if kind == "int":
                return pc.cast(value, pa.int64() if target == "INT" else pa.float64())
            if kind == "float" and target == "FLOAT":
                return pc.cast(value, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        raise Fallback

    return converted


def _int_literal(node: n.Node) -> int:
    if isinstance(node, n.Literal) and type(node.value) is int:
        return node.value
    raise NotVectorizable


def compile_substring(node: n.Call, compile_vector):
    """SUBSTRING with literal bounds: the same window functions.substring takes."""
    start = _int_literal(node.args[1])
    begin = max(start, 1) - 1
    stop = None
    if len(node.args) > 2:
        length = _int_literal(node.args[2])
        if length < 0:
            raise NotVectorizable  # the per-record path's error
        stop = max(start + length - 1, begin)
    subject = compile_vector(node.args[0])

    def substring(env):
        text = string_array(subject(env))
        return pc.utf8_slice_codeunits(text, start=begin, stop=stop)

    return substring


def compile_call(node: n.Call, compile_vector):
    name = node.name
    if name == "SUBSTRING":
        return compile_substring(node, compile_vector)
    if name not in ("LOWER", "UPPER", "CHAR_LENGTH", "CHARACTER_LENGTH", "TRIM"):
        raise NotVectorizable
    args = [compile_vector(a) for a in node.args]
    if name == "TRIM" and len(args) > 1 and not (
        isinstance(node.args[1], n.Literal) and isinstance(node.args[1].value, str)
    ):
        raise NotVectorizable
    chars = node.args[1].value if name == "TRIM" and len(args) > 1 else " "
    side = node.options.get("side")

    def function(env):
        value = args[0](env)
        text = string_array(value)
        if name in ("LOWER", "UPPER"):
            # compute maps case letter by letter; full case mapping (ß -> SS, as the
            # per-record path does) only differs outside ASCII: that text goes per record
            if pc.any(pc.invert(pc.string_is_ascii(text))).as_py():
                raise Fallback
            return pc.utf8_lower(text) if name == "LOWER" else pc.utf8_upper(text)
        if name in ("CHAR_LENGTH", "CHARACTER_LENGTH"):
            return pc.cast(pc.utf8_length(text), pa.int64())
        if chars == "":
            return text
        trim = {"leading": pc.utf8_ltrim, "trailing": pc.utf8_rtrim}.get(side, pc.utf8_trim)
        return trim(text, characters=chars)

    return function


_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}


def _condition(value, rows: int) -> pa.Array:
    """A WHEN condition as a mask: only TRUE selects its branch."""
    if isinstance(value, Const):
        return pa.array([value.value is True] * rows, pa.bool_())
    return pc.fill_null(as_bool(value), False)


def compile_case(node: n.Case, compile_vector):
    operand = compile_vector(node.operand) if node.operand is not None else None
    whens = [(compile_vector(c), compile_vector(r)) for c, r in node.whens]
    default = compile_vector(node.default) if node.default is not None else None

    def case(env):
        rows = env.batch.num_rows
        subject = operand(env) if operand is not None else None
        conditions, results = [], []
        for condition, result in whens:
            value = condition(env)
            hit = compare_values("=", subject, value) if operand is not None else value
            conditions.append(_condition(hit, rows))
            results.append(result(env))
        results.append(default(env) if default is not None else Const(None))
        kinds = {kind_of(v) for v in results} - {"null"}
        if len(kinds) != 1 or any(is_decimal(v) for v in results):
            raise Fallback  # mixed result types: the per-record path keeps each as it is
        arrow_type = _ARROW_TYPES.get(kinds.pop())
        if arrow_type is None:
            raise Fallback
        values = [
            pa.scalar(v.value, arrow_type) if isinstance(v, Const)
            else (v if v.type == arrow_type else pc.cast(v, arrow_type))
            for v in results
        ]  # fmt: skip
        names = [str(i) for i in range(len(conditions))]
        return pc.case_when(pc.make_struct(*conditions, field_names=names), *values)

    return case
