"""Shared helpers of the functions: type checks in CloudWatch's words and broadcasting."""

from __future__ import annotations

from overcast.services.cloudwatch.metric_math.errors import ExpressionError
from overcast.services.cloudwatch.metric_math.series import SeriesArray, is_array, is_scalar, is_series


class Keyword(str):
    """An upper-case bare word (REPEAT, LINEAR, ASC, AVG...): never a query Id, which starts
    with a lower-case letter."""


def type_name(value) -> str:
    if is_array(value):
        return "Array[TimeSeries]"
    if is_series(value):
        return "TimeSeries"
    if is_scalar(value):
        return "Scalar"
    return "String"


def unsupported(function: str, arguments) -> ExpressionError:
    """CloudWatch's text for arguments of the wrong kinds."""
    kinds = ", ".join(type_name(a) for a in arguments)
    return ExpressionError(f"Unsupported operand type(s) for {function}: '[{kinds}]'")


def check_arity(function: str, arguments, least: int, most: int) -> None:
    if not least <= len(arguments) <= most:
        raise ExpressionError(
            f"Invalid number of arguments for {function}: expected "
            f"{least if least == most else f'{least} to {most}'}, got {len(arguments)}")


def map_series(value, transform, function: str):
    """Apply ``transform(series) -> series`` to a series or to each series of an array."""
    if is_array(value):
        return SeriesArray(transform(s) for s in value)
    if is_series(value):
        return transform(value)
    raise unsupported(function, [value])

