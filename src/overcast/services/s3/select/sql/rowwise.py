"""The per-record evaluator: compiles an expression into a closure over one record's env.

It is the reference semantics (the vectorized path must agree with it) and the only path for
JSON records and for what pyarrow.compute cannot express. NULL is None; MISSING propagates
like NULL except where the dialect tells them apart (IS MISSING, output omission).
"""

from __future__ import annotations

import math
import re
from datetime import date, timezone
from functools import lru_cache

from . import nodes as n
from .casts import INT_MAX, INT_MIN, cast, is_number, to_text
from .errors import SelectError, cannot_evaluate
from .functions import call
from .missing import MISSING
from .timestamps import as_timestamp, parse_ion_timestamp


def _absent(value) -> bool:
    return value is None or value is MISSING


def _null_of(a, b):
    return MISSING if (a is MISSING or b is MISSING) else None


def coerce_pair(a, b):
    """Bring two non-null values to comparable types, or return None when they cannot be."""
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if is_number(a) and is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            return float(a), float(b)
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    if isinstance(a, date) or isinstance(b, date):
        a2 = parse_ion_timestamp(a) if isinstance(a, str) else a
        b2 = parse_ion_timestamp(b) if isinstance(b, str) else b
        if isinstance(a2, date) and isinstance(b2, date):
            utc = timezone.utc
            return as_timestamp(a2).astimezone(utc), as_timestamp(b2).astimezone(utc)
        return None
    if type(a) is type(b) and isinstance(a, (list, dict)):
        return a, b
    return None


def compare(op: str, a, b):
    """PartiQL's comparison as S3 Select applies it: values of types that cannot be compared
    are simply unequal, but ordering them is an error (CSV text needs a CAST to be a number)."""
    if _absent(a) or _absent(b):
        return _null_of(a, b)
    pair = coerce_pair(a, b)
    if pair is None:
        if op in ("=", "<>"):
            return op == "<>"
        raise cannot_evaluate()
    a, b = pair
    try:
        if op == "=":
            return a == b
        if op == "<>":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    except TypeError:
        return None


def equals(a, b):
    return compare("=", a, b)


def _number_operand(value):
    if is_number(value):
        return value
    raise cannot_evaluate()


def _check_int(value):
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise SelectError("IntegerOverflow", "Int overflow or underflow in the SQL expression.")
    return value


def arithmetic(op: str, a, b):
    if _absent(a) or _absent(b):
        return _null_of(a, b)
    a, b = _number_operand(a), _number_operand(b)
    if isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
    if op == "+":
        return _check_int(a + b)
    if op == "-":
        return _check_int(a - b)
    if op == "*":
        return _check_int(a * b)
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
        return _check_int(quotient if op == "/" else a - b * quotient)
    if op == "/":
        return a / b
    return math.fmod(a, b) if isinstance(a, float) else a - b * int(a / b)


def concat(a, b):
    if _absent(a) or _absent(b):
        return _null_of(a, b)
    try:
        return to_text(a) + to_text(b)
    except TypeError:
        return None


@lru_cache(maxsize=256)
def like_regex(pattern: str, escape: str | None) -> re.Pattern:
    parts, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape is not None and ch == escape:
            if i + 1 >= len(pattern):
                raise like_invalid()
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def like_invalid() -> SelectError:
    return SelectError(
        "LikeInvalidInputs", "Invalid argument given to the LIKE clause in the SQL expression."
    )


def like(subject, pattern, escape=None):
    if _absent(subject) or _absent(pattern) or escape is not None and _absent(escape):
        return None
    if not isinstance(subject, str) or not isinstance(pattern, str):
        return None
    if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
        raise like_invalid()
    return like_regex(pattern, escape).fullmatch(subject) is not None


def truth(value):
    """Three-valued logic operand: True, False or None (unknown)."""
    return value if isinstance(value, bool) else None


def logical_and(a, b):
    a, b = truth(a), truth(b)
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def logical_or(a, b):
    a, b = truth(a), truth(b)
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def negate(value):
    value = truth(value)
    return None if value is None else not value


def negative(value):
    if _absent(value):
        return value
    return _check_int(-_number_operand(value))


# -- compiling -----------------------------------------------------------------------------


def compile_row(node: n.Node):
    """A function env -> value for ``node`` (env.resolve(path), env.aggregate(slot))."""
    if isinstance(node, n.Literal):
        value = node.value
        return lambda env: value
    if isinstance(node, n.Path):
        return lambda env: env.resolve(node)
    if isinstance(node, n.ListValue):
        items = [compile_row(x) for x in node.items]
        return lambda env: [v for v in (item(env) for item in items) if v is not MISSING]
    if isinstance(node, n.Aggregate):
        slot = node.slot
        return lambda env: env.aggregate(slot)
    if isinstance(node, n.Unary):
        operand = compile_row(node.operand)
        if node.op == "not":
            return lambda env: negate(operand(env))
        if node.op == "-":
            return lambda env: negative(operand(env))
        return lambda env: _plus(operand(env))
    if isinstance(node, n.Binary):
        return _compile_binary(node)
    if isinstance(node, n.Like):
        subject, pattern = compile_row(node.subject), compile_row(node.pattern)
        escape = compile_row(node.escape) if node.escape is not None else None
        if escape is None:
            result = lambda env: like(subject(env), pattern(env))  # noqa: E731
        else:
            result = lambda env: like(subject(env), pattern(env), escape(env))  # noqa: E731
        return (lambda env: negate(result(env))) if node.negated else result
    if isinstance(node, n.Between):
        subject, low, high = (compile_row(x) for x in (node.subject, node.low, node.high))

        def between(env):
            value = subject(env)
            return logical_and(compare(">=", value, low(env)), compare("<=", value, high(env)))

        return (lambda env: negate(between(env))) if node.negated else between
    if isinstance(node, n.In):
        subject = compile_row(node.subject)
        options = [compile_row(x) for x in node.options]

        def member(env):
            value = subject(env)
            result = False
            for option in options:
                result = logical_or(result, compare("=", value, option(env)))
                if result is True:
                    return True
            return result

        return (lambda env: negate(member(env))) if node.negated else member
    if isinstance(node, n.IsTest):
        subject = compile_row(node.subject)
        test = {
            "null": lambda v: v is None or v is MISSING,
            "missing": lambda v: v is MISSING,
            "true": lambda v: v is True,
            "false": lambda v: v is False,
        }[node.what]
        if node.negated:
            return lambda env: not test(subject(env))
        return lambda env: test(subject(env))
    if isinstance(node, n.Case):
        return _compile_case(node)
    if isinstance(node, n.Cast):
        operand, target = compile_row(node.operand), node.type_name
        return lambda env: cast(operand(env), target)
    if isinstance(node, n.Call):
        args = [compile_row(x) for x in node.args]
        name, options = node.name, node.options
        return lambda env: call(name, [a(env) for a in args], options, equals)
    raise TypeError(f"cannot evaluate {type(node).__name__}")


def _plus(value):
    if _absent(value):
        return value
    return _number_operand(value)


def _compile_binary(node: n.Binary):
    left, right = compile_row(node.left), compile_row(node.right)
    op = node.op
    if op == "and":

        def both(env):
            a = left(env)
            if a is False:
                return False
            return logical_and(a, right(env))

        return both
    if op == "or":

        def either(env):
            a = left(env)
            if a is True:
                return True
            return logical_or(a, right(env))

        return either
    if op in ("=", "<>", "<", "<=", ">", ">="):
        return lambda env: compare(op, left(env), right(env))
    if op == "||":
        return lambda env: concat(left(env), right(env))
    return lambda env: arithmetic(op, left(env), right(env))


def _compile_case(node: n.Case):
    operand = compile_row(node.operand) if node.operand is not None else None
    whens = [(compile_row(c), compile_row(r)) for c, r in node.whens]
    default = compile_row(node.default) if node.default is not None else (lambda env: None)

    def case(env):
        subject = operand(env) if operand is not None else None
        for cond, result in whens:
            hit = compare("=", subject, cond(env)) if operand is not None else cond(env)
            if hit is True:
                return result(env)
        return default(env)

    return case


__all__ = ["compile_row", "compare", "equals", "like_regex"]
