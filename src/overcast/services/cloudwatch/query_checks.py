"""GetMetricStatistics' parameter checks, in AWS's words and order."""

from __future__ import annotations

import math
from dataclasses import dataclass

from overcast.services.cloudwatch.errors import InvalidParameterCombination, InvalidParameterValue
from overcast.services.cloudwatch.statistics import BASIC, check_extended_statistic
from overcast.services.cloudwatch.validation import check_dimensions, check_length, check_unit, epoch, require

# GetMetricStatistics answers at most 1,440 datapoints (its documentation).
MAX_DATAPOINTS = 1440
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)


@dataclass
class StatisticsQuery:
    namespace: str
    name: str
    dimensions: dict[str, str]
    start: float
    end: float
    period: int
    statistics: list[str]
    extended: list[str]
    unit: str | None


def check_period(period, path: str = "Period") -> int:
    """A period is 1, 5, 10, 20, 30 or a multiple of 60 seconds."""
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise InvalidParameterValue(f"The parameter {path} must be greater than 0.")
    if period not in HIGH_RESOLUTION_PERIODS and period % 60 != 0:
        raise InvalidParameterValue(f"The parameter {path} must be a multiple of 60.")
    return period


def check_statistics_query(params: dict, now: float) -> StatisticsQuery:
    namespace = require(params, "Namespace")
    check_length(namespace, "Namespace", 1, 255)
    name = require(params, "MetricName")
    check_length(name, "MetricName", 1, 255)
    start = epoch(require(params, "StartTime"))
    end = epoch(require(params, "EndTime"))
    period = check_period(require(params, "Period"))
    dimensions = check_dimensions(params.get("Dimensions"), "Dimensions")
    statistics = params.get("Statistics") or []
    extended = params.get("ExtendedStatistics") or []
    if bool(statistics) == bool(extended):
        raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics, but not both.")
    if len(statistics) > 5:
        raise InvalidParameterValue("The collection Statistics must not have a size greater than 5.")
    if len(extended) > 10:
        raise InvalidParameterValue("The collection ExtendedStatistics must not have a size greater than 10.")
    for i, stat in enumerate(statistics, 1):
        if stat not in BASIC:
            raise InvalidParameterValue(f"The parameter Statistics.member.{i} must be a value in the set "
                                        f"[ {', '.join(BASIC)} ].")
    for i, stat in enumerate(extended, 1):
        if not check_extended_statistic(stat):
            raise InvalidParameterValue(f"The value {stat} for parameter ExtendedStatistics.member.{i} is invalid.")
    unit = params.get("Unit")
    check_unit(unit, "Unit")
    if start >= end:
        raise InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
    requested = math.ceil((end - start) / period)
    if requested > MAX_DATAPOINTS:
        raise InvalidParameterCombination(
            f"You have requested up to {requested} datapoints, which exceeds the limit of {MAX_DATAPOINTS}. You may "
            "reduce the datapoints requested by increasing Period, or decreasing the time range.")
    return StatisticsQuery(namespace, name, dimensions, start, end, period, list(statistics), list(extended), unit)
