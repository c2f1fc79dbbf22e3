"""Operators between scalars, time series and arrays.

Between two series, a point exists where both have one (timestamps are aligned, the others
dropped); a scalar applies to every point; an array applies the operator to each of its series.
Comparisons and logic give 1 (true) or 0 (false), as IF expects."""

from __future__ import annotations

import math
import operator

from overcast.services.cloudwatch.metric_math.errors import ExpressionError
from overcast.services.cloudwatch.metric_math.series import (
    DroppedPoints, SeriesArray, is_array, is_scalar, is_series,
)
from overcast.services.cloudwatch.metric_math.values import type_name


def _divide(a: float, b: float) -> float:
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _power(a: float, b: float) -> float:
    try:
        result = a ** b
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return math.nan if isinstance(result, complex) else float(result)


BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "^": _power,
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b),
    ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b),
    "&&": lambda a, b: float(bool(a) and bool(b)),
    "||": lambda a, b: float(bool(a) or bool(b)),
}


def _checked(function):
    def apply(a: float, b: float) -> float:
        try:
            return function(a, b)
        except OverflowError:
            return math.inf
    return apply


def binary(symbol: str, left, right, dropped: DroppedPoints):
    """``left <symbol> right`` for any mix of scalars, series and arrays."""
    function = _checked(BINARY[symbol])
    if is_array(left) and is_array(right):
        raise ExpressionError(f"Unsupported operand type(s) for {symbol}: "
                              f"'[{type_name(left)}, {type_name(right)}]'")
    if is_array(left):
        return SeriesArray(binary(symbol, s, right, dropped) for s in left)
    if is_array(right):
        return SeriesArray(binary(symbol, left, s, dropped) for s in right)
    if is_scalar(left) and is_scalar(right):
        return dropped.scalar(function(left, right))
    if is_series(left) and is_scalar(right):
        return left.derive(dropped.keep({t: function(v, right) for t, v in left.points.items()}))
    if is_scalar(left) and is_series(right):
        return right.derive(dropped.keep({t: function(left, v) for t, v in right.points.items()}))
    if is_series(left) and is_series(right):
        shared = left.points.keys() & right.points.keys()
        return left.derive(dropped.keep({t: function(left.points[t], right.points[t]) for t in shared}))
    raise ExpressionError(f"Unsupported operand type(s) for {symbol}: "
                          f"'[{type_name(left)}, {type_name(right)}]'")


def unary(symbol: str, operand, dropped: DroppedPoints):
    """``-x``, ``+x`` and ``NOT x`` (1 where x is 0, else 0)."""
    transform = {"-": operator.neg, "+": lambda v: v, "!": lambda v: float(not v)}[symbol]
    if is_array(operand):
        return SeriesArray(unary(symbol, s, dropped) for s in operand)
    if is_series(operand):
        return operand.derive({t: transform(v) for t, v in operand.points.items()})
    if is_scalar(operand):
        return transform(operand)
    raise ExpressionError(f"Unsupported operand type(s) for {symbol}: '[{type_name(operand)}]'")
