"""PutMetricData's checks, in AWS's words (``InvalidParameterValue``,
``InvalidParameterCombination``, ``MissingParameter``), parameters named by their query
paths (``MetricData.member.3.Values``) as CloudWatch names them in every protocol.

The limits (PutMetricData reference and the CloudWatch quotas page): 1,000 metrics a request
(MetricData and EntityMetricData together), 30 dimensions, 150 Values, values within
[-2^360, 2^360] and finite, timestamps from two weeks back to two hours ahead, StorageResolution
1 or 60, namespaces beginning with ``AWS/`` reserved for AWS.
"""

from __future__ import annotations

import math
from datetime import datetime

from overcast.services.cloudwatch.errors import InvalidParameterCombination, InvalidParameterValue, MissingParameter

UNITS = ("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
         "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
         "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
         "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None")
_UNIT_SET = frozenset(UNITS)
MAX_METRICS = 1000
MAX_DIMENSIONS = 30
MAX_VALUES = 150
VALUE_LIMIT = 2.0 ** 360
PAST_LIMIT = 14 * 86400
FUTURE_LIMIT = 2 * 3600


def epoch(value) -> float:
    """Epoch seconds of a parsed timestamp (aware datetime or number)."""
    return value.timestamp() if isinstance(value, datetime) else float(value)


def require(params: dict, name: str, path: str | None = None):
    value = params.get(name)
    if value is None:
        raise MissingParameter(f"The parameter {path or name} is required.")
    return value


def check_length(value: str, path: str, low: int, high: int) -> None:
    if not isinstance(value, str) or len(value) < low:
        raise InvalidParameterValue(f"The parameter {path} must be longer than {low - 1} character.")
    if len(value) > high:
        raise InvalidParameterValue(f"The parameter {path} must be shorter than {high + 1} characters.")


def check_namespace(namespace, path: str = "Namespace", reserved: bool = True) -> str:
    check_length(namespace, path, 1, 255)
    if namespace.startswith(":") or any(ord(c) < 32 for c in namespace):
        raise InvalidParameterValue(f"The value {namespace} for parameter {path} is invalid.")
    if reserved and namespace.startswith("AWS/"):
        raise InvalidParameterValue(f"The value {namespace} for parameter {path} is invalid.")
    return namespace


def check_unit(unit, path: str) -> None:
    if unit is not None and unit not in _UNIT_SET:
        raise InvalidParameterValue(f"The parameter {path} must be a value in the set [ {', '.join(UNITS)} ].")


def check_dimensions(dimensions, path: str, limit: int = MAX_DIMENSIONS) -> dict[str, str]:
    """The dimensions as a dict (names unique, as CloudWatch requires)."""
    dimensions = dimensions or []
    if len(dimensions) > limit:
        raise InvalidParameterValue(f"The collection {path} must not have a size greater than {limit}.")
    out: dict[str, str] = {}
    for i, dimension in enumerate(dimensions, 1):
        member = f"{path}.member.{i}"
        name = require(dimension, "Name", f"{member}.Name")
        value = require(dimension, "Value", f"{member}.Value")
        check_length(name, f"{member}.Name", 1, 255)
        check_length(value, f"{member}.Value", 1, 1024)
        if name in out:
            raise InvalidParameterValue(f"No Metric may specify the same dimension name twice: {name}")
        out[name] = value
    return out


def _check_number(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidParameterValue(f"The value {value} for parameter {path} is invalid.")
    number = float(value)
    if not math.isfinite(number) or abs(number) > VALUE_LIMIT:
        raise InvalidParameterValue(f"The value {_spell(number)} for parameter {path} is invalid.")
    return number


def _spell(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def check_datum(datum: dict, path: str, now: float) -> tuple:
    """One MetricDatum, checked; returns the store's datum tuple (namespace left out)."""
    name = require(datum, "MetricName", f"{path}.MetricName")
    check_length(name, f"{path}.MetricName", 1, 255)
    dimensions = check_dimensions(datum.get("Dimensions"), f"{path}.Dimensions")
    value, values, counts, stats = (datum.get("Value"), datum.get("Values"), datum.get("Counts"),
                                    datum.get("StatisticValues"))
    if value is not None and stats is not None:
        raise InvalidParameterCombination(f"The parameters {path}.Value and {path}.StatisticValues are mutually "
                                          "exclusive and you have specified both.")
    if values and (value is not None or stats is not None):
        other = "Value" if value is not None else "StatisticValues"
        raise InvalidParameterCombination(f"The parameters {path}.{other} and {path}.Values are mutually "
                                          "exclusive and you have specified both.")
    if value is None and stats is None and not values:
        raise InvalidParameterCombination(f"At least one of the parameters {path}.Value, {path}.StatisticValues "
                                          f"and {path}.Values must be specified.")
    if values is not None and len(values) > MAX_VALUES:
        raise InvalidParameterValue(f"The collection {path}.Values must not have a size greater than {MAX_VALUES}.")
    if counts and not values:
        raise InvalidParameterCombination(f"The parameter {path}.Counts must be specified with {path}.Values.")
    if counts and len(counts) != len(values):
        raise InvalidParameterValue(f"The parameters {path}.Values and {path}.Counts must be of the same size.")
    statistic_values = None
    if stats is not None:
        statistic_values = {}
        for field in ("SampleCount", "Sum", "Minimum", "Maximum"):
            statistic_values[field] = _check_number(require(stats, field, f"{path}.StatisticValues.{field}"),
                                                    f"{path}.StatisticValues.{field}")
        if statistic_values["SampleCount"] <= 0:
            raise InvalidParameterValue(f"The value {_spell(statistic_values['SampleCount'])} for parameter "
                                        f"{path}.StatisticValues.SampleCount is invalid.")
        if statistic_values["Minimum"] > statistic_values["Maximum"]:
            raise InvalidParameterValue(f"The parameter {path}.StatisticValues.Maximum must be greater than "
                                        f"{path}.StatisticValues.Minimum.")
        points, weights = [], []
    elif values:
        points = [_check_number(v, f"{path}.Values.member.{i}") for i, v in enumerate(values, 1)]
        weights = [_check_number(c, f"{path}.Counts.member.{i}") for i, c in enumerate(counts, 1)] if counts \
            else [1.0] * len(points)
        for i, weight in enumerate(weights, 1):
            if weight < 0:
                raise InvalidParameterValue(f"The value {_spell(weight)} for parameter {path}.Counts.member.{i} "
                                            "is invalid.")
    else:
        points, weights = [_check_number(value, f"{path}.Value")], [1.0]
    unit = datum.get("Unit")
    check_unit(unit, f"{path}.Unit")
    resolution = datum.get("StorageResolution")
    if resolution is not None and resolution not in (1, 60):
        raise InvalidParameterValue(f"The value {resolution} for parameter {path}.StorageResolution is invalid.")
    stamp = epoch(datum["Timestamp"]) if datum.get("Timestamp") is not None else now
    if stamp < now - PAST_LIMIT:
        raise InvalidParameterValue(f"The parameter {path}.Timestamp must specify a time within the past two weeks.")
    if stamp > now + FUTURE_LIMIT:
        raise InvalidParameterValue(f"The parameter {path}.Timestamp must specify a time no more than two hours "
                                    "in the future.")
    return (name, dimensions, stamp, points, weights, unit, resolution or 60, statistic_values)
