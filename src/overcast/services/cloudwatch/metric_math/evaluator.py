"""Evaluation of a parsed expression against its request (see ``context.EvaluationContext``)."""

from __future__ import annotations

from overcast.services.cloudwatch.metric_math import arithmetic
from overcast.services.cloudwatch.metric_math.errors import ExpressionError
from overcast.services.cloudwatch.metric_math.functions import FUNCTIONS
from overcast.services.cloudwatch.metric_math.series import SeriesArray, is_array, is_series
from overcast.services.cloudwatch.metric_math.syntax_tree import (
    Array, Binary, Call, Number, Reference, Text, Unary,
)
from overcast.services.cloudwatch.metric_math.values import Keyword, unsupported


def evaluate(node, ctx):
    """The value of ``node``: a float, a TimeSeries, a SeriesArray (or a string argument)."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Reference):
        if node.name[0].isupper():
            return Keyword(node.name)
        return ctx.lookup(node.name)
    if isinstance(node, Unary):
        return arithmetic.unary(node.operator, evaluate(node.operand, ctx), ctx.dropped)
    if isinstance(node, Binary):
        left, right = evaluate(node.left, ctx), evaluate(node.right, ctx)
        for value in (left, right):
            if isinstance(value, str):
                raise unsupported(node.operator, [left, right])
        return arithmetic.binary(node.operator, left, right, ctx.dropped)
    if isinstance(node, Array):
        return _array([evaluate(item, ctx) for item in node.items])
    if isinstance(node, Call):
        function = FUNCTIONS.get(node.function)
        if function is None:
            raise ExpressionError(f"Unknown function: {node.function}")
        return function(ctx, [evaluate(argument, ctx) for argument in node.arguments])
    raise ExpressionError()


def _array(items) -> SeriesArray:
    result = SeriesArray()
    for item in items:
        if is_series(item):
            result.append(item)
        elif is_array(item):
            result.extend(item)
        else:
            raise unsupported("[]", items)
    return result
