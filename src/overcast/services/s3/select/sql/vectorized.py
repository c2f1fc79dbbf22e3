"""The columnar evaluator: expressions over a whole pyarrow RecordBatch with pyarrow.compute.

compile_vector(node) returns fn(batch_env) -> pa.Array | Const, or raises NotVectorizable when
the expression has a construct compute cannot express the same way as the per-record
evaluator (rowwise.py, the reference). At run time an evaluation raises Fallback when this
batch's data needs the per-record path (a text that is not a number, an overflow, a type it
does not handle): the caller then evaluates that batch record by record, so both paths
always give the same answer.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from . import nodes as n
from .casts import INT_TEXT, NUMBER_TEXT, cast, is_number
from .errors import SelectError
from .missing import MISSING
from .rowwise import compare, concat, logical_and, logical_or, negate, negative

_INT_RE = "^" + INT_TEXT.pattern + "$"  # the same texts casts.text_number reads
_NUMBER_RE = "^" + NUMBER_TEXT.pattern + "$"
_COMPARE = {"=": pc.equal, "<>": pc.not_equal, "<": pc.less, "<=": pc.less_equal,
            ">": pc.greater, ">=": pc.greater_equal}  # fmt: skip
_ARITH = {"+": pc.add_checked, "-": pc.subtract_checked, "*": pc.multiply_checked,
          "/": pc.divide_checked}  # fmt: skip  (integer division truncates, as per record)


class NotVectorizable(Exception):
    """The expression needs the per-record evaluator (decided once, at compile time)."""


class Fallback(Exception):
    """This batch needs the per-record evaluator (decided per batch, from its data)."""


class Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _kind(value) -> str:
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


def _raw(value):
    if isinstance(value, Const):
        v = value.value
        return float(v) if isinstance(v, Decimal) else v
    return value


def _all_match(array: pa.Array, regex: str) -> bool:
    return pc.all(pc.match_substring_regex(array, regex)).as_py() is not False


def text_to_number(array: pa.Array) -> pa.Array:
    """A string column read as numbers the way rowwise.text_number reads each field."""
    try:
        trimmed = pc.utf8_trim_whitespace(array)
        if _all_match(array, _INT_RE):
            return pc.cast(trimmed, pa.int64())
        if _all_match(array, _NUMBER_RE):
            return pc.cast(trimmed, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    raise Fallback


def _numeric(value):
    if _kind(value) in ("int", "float"):
        return value
    raise Fallback  # text in arithmetic or against numbers: the per-record path's error


def _compare(op: str, a, b):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(compare(op, a.value, b.value))
    ka, kb = _kind(a), _kind(b)
    if "null" in (ka, kb) or "other" in (ka, kb):
        raise Fallback
    if ka != kb and not (ka in ("int", "float") and kb in ("int", "float")):
        raise Fallback  # types that do not compare: unequal, or an error, per record
    return _COMPARE[op](_raw(a), _raw(b))


def _bool(value):
    if isinstance(value, Const):
        v = value.value
        return v if isinstance(v, bool) or v is None else None
    if _kind(value) != "bool":
        raise Fallback
    return value


def _logic(fn, const_fn, a, b):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(const_fn(a.value, b.value))
    a, b = _bool(a), _bool(b)
    if isinstance(a, pa.Array) and isinstance(b, pa.Array):
        return fn(a, b)
    array, scalar = (a, b) if isinstance(a, pa.Array) else (b, a)
    return fn(array, pa.scalar(scalar, pa.bool_()))


def _is_decimal(value) -> bool:
    return isinstance(value, Const) and isinstance(value.value, Decimal)


def _arith(op: str, a, b):
    if isinstance(a, Const) and isinstance(b, Const) or _is_decimal(a) or _is_decimal(b):
        raise Fallback  # DECIMAL arithmetic stays exact, per record
    a, b = _numeric(a), _numeric(b)
    try:
        return _ARITH[op](_raw(a), _raw(b))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise Fallback from None


def _string_array(value) -> pa.Array:
    if isinstance(value, Const) or _kind(value) != "string":
        raise Fallback
    return value


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


def compile_vector(node: n.Node):
    if isinstance(node, n.Literal):
        if node.value is MISSING or not (
            node.value is None or isinstance(node.value, (bool, str)) or is_number(node.value)
        ):
            raise NotVectorizable
        const = Const(node.value)
        return lambda env: const
    if isinstance(node, n.Path):
        return lambda env: env.column(node)
    if isinstance(node, n.Unary):
        operand = compile_vector(node.operand)
        if node.op == "not":

            def invert(env):
                value = operand(env)
                if isinstance(value, Const):
                    return Const(negate(value.value))
                return pc.invert(_bool(value))

            return invert
        if node.op == "-":

            def minus(env):
                value = operand(env)
                if isinstance(value, Const):
                    return Const(negative(value.value))
                try:
                    return pc.negate_checked(_numeric(value))
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise Fallback from None

            return minus
        raise NotVectorizable
    if isinstance(node, n.Binary):
        left, right = compile_vector(node.left), compile_vector(node.right)
        op = node.op
        if op == "and":
            return lambda env: _logic(pc.and_kleene, logical_and, left(env), right(env))
        if op == "or":
            return lambda env: _logic(pc.or_kleene, logical_or, left(env), right(env))
        if op in _COMPARE:
            return lambda env: _compare(op, left(env), right(env))
        if op in _ARITH:
            return lambda env: _arith(op, left(env), right(env))
        if op == "||":
            return lambda env: _concat(left(env), right(env))
        raise NotVectorizable
    if isinstance(node, n.Like):
        return _compile_like(node)
    if isinstance(node, n.Between):
        subject = compile_vector(node.subject)
        low, high = compile_vector(node.low), compile_vector(node.high)

        def between(env):
            value = subject(env)
            inside = _logic(pc.and_kleene, logical_and,
                            _compare(">=", value, low(env)), _compare("<=", value, high(env)))  # fmt: skip
            if not node.negated:
                return inside
            return Const(negate(inside.value)) if isinstance(inside, Const) else pc.invert(inside)

        return between
    if isinstance(node, n.In):
        return _compile_in(node)
    if isinstance(node, n.IsTest):
        return _compile_is(node)
    if isinstance(node, n.Cast):
        return _compile_cast(node)
    if isinstance(node, n.Case):
        return _compile_case(node)
    if isinstance(node, n.Call):
        return _compile_call(node)
    raise NotVectorizable


def _concat(a, b):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(concat(a.value, b.value))
    for value in (a, b):
        if isinstance(value, Const) and not isinstance(value.value, str):
            raise Fallback
        if not isinstance(value, Const):
            _string_array(value)
    return pc.binary_join_element_wise(_raw(a), _raw(b), "")


def _compile_like(node: n.Like):
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
        matched = pc.match_like(_string_array(subject(env)), pattern)
        return pc.invert(matched) if node.negated else matched

    return like


def _compile_in(node: n.In):
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
            found = pc.is_in(_string_array(value), value_set=strings)
        else:
            value = _numeric(value)
            found = pc.is_in(pc.cast(value, pa.float64()), value_set=numbers)
        found = pc.if_else(pc.is_valid(value), found, pa.scalar(None, pa.bool_()))
        return pc.invert(found) if node.negated else found

    return member


def _compile_is(node: n.IsTest):
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
            result = pc.fill_null(pc.equal(_bool(value), node.what == "true"), False)
        return pc.invert(result) if node.negated else result

    return test


def _compile_cast(node: n.Cast):
    operand = compile_vector(node.operand)
    target = node.type_name
    if target not in ("INT", "FLOAT", "STRING"):
        raise NotVectorizable

    def converted(env):
        value = operand(env)
        if isinstance(value, Const):
            return Const(cast(value.value, target))
        kind = _kind(value)
        try:
            if target == "STRING":
                if kind == "string":
                    return value
                if kind == "int":
                    return pc.cast(value, pa.string())
                raise Fallback
            if kind == "string":
                number = text_to_number(value)
                if target == "INT" and _kind(number) == "float":
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


def _compile_substring(node: n.Call):
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
        text = _string_array(subject(env))
        return pc.utf8_slice_codeunits(text, start=begin, stop=stop)

    return substring


def _compile_call(node: n.Call):
    name = node.name
    if name == "SUBSTRING":
        return _compile_substring(node)
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
        text = _string_array(value)
        if name == "LOWER":
            return pc.utf8_lower(text)
        if name == "UPPER":
            return pc.utf8_upper(text)
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
    return pc.fill_null(_bool(value), False)


def _compile_case(node: n.Case):
    operand = compile_vector(node.operand) if node.operand is not None else None
    whens = [(compile_vector(c), compile_vector(r)) for c, r in node.whens]
    default = compile_vector(node.default) if node.default is not None else None

    def case(env):
        rows = env.batch.num_rows
        subject = operand(env) if operand is not None else None
        conditions, results = [], []
        for condition, result in whens:
            hit = _compare("=", subject, condition(env)) if operand is not None else condition(env)
            conditions.append(_condition(hit, rows))
            results.append(result(env))
        results.append(default(env) if default is not None else Const(None))
        kinds = {_kind(v) for v in results} - {"null"}
        if len(kinds) != 1 or any(_is_decimal(v) for v in results):
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
