"""Dynamic labels: ``${...}`` in a query's Label, filled from the returned series (the "Using
dynamic labels" guide): ``${LABEL}`` (the default label), ``${PROP('MetricName')}``,
``${PROP('Namespace')}``, ``${PROP('Dim.<name>')}``, ``${PROP('Period')}``, ``${PROP('Stat')}``,
``${PROP('AccountId')}``, ``${PROP('Region')}``,
``${SUM}``, ``${AVG}``, ``${MIN}``, ``${MAX}``, ``${FIRST}``, ``${LAST}``,
``${DATAPOINT_COUNT}``, ``${MIN_MAX_RANGE}``, ``${FIRST_LAST_RANGE}``, ``${FIRST_TIME}``,
``${LAST_TIME}`` (in LabelOptions.Timezone). An unknown placeholder is left as written."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)(?:\('([^']*)'\))?\}")
TIMEZONE = re.compile(r"^[+-]\d{4}$")


def offset_of(zone: str | None) -> timezone:
    """The fixed offset of a LabelOptions.Timezone (``+0130``, ``-0500``; UTC by default)."""
    if not zone:
        return timezone.utc
    sign = 1 if zone[0] == "+" else -1
    return timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])))


def render(label: str, default_label: str, timestamps: list[float], values: list[float],
           source: dict | None, period: int, zone: timezone) -> str:
    """``label`` with its placeholders replaced."""
    if "${" not in label:
        return label
    ordered = sorted(zip(timestamps, values))

    def replace(match: re.Match) -> str:
        name, argument = match.group(1), match.group(2)
        if name == "PROP":
            return _property(argument or "", source, period, match.group(0))
        if name == "LABEL":
            return default_label
        value = _statistic(name, ordered, zone)
        return match.group(0) if value is None else value
    return _PLACEHOLDER.sub(replace, label)


def _property(name: str, source: dict | None, period: int, written: str) -> str:
    if name == "Period":
        return str(period)
    if source is None:
        return written
    if name.startswith("Dim."):
        return source["Dimensions"].get(name[4:], "")
    return {"MetricName": source["MetricName"], "Namespace": source["Namespace"], "Stat": source["Stat"],
            "AccountId": source.get("AccountId"), "Region": source.get("Region")}.get(name) or written


def _statistic(name: str, ordered: list[tuple[float, float]], zone: timezone) -> str | None:
    values = [v for _, v in ordered]
    if name == "DATAPOINT_COUNT":
        return str(len(values))
    if name in ("FIRST_TIME", "LAST_TIME"):
        if not ordered:
            return ""
        stamp = ordered[0][0] if name == "FIRST_TIME" else ordered[-1][0]
        return datetime.fromtimestamp(stamp, zone).strftime("%Y-%m-%dT%H:%M:%S%z")
    numbers = {
        "SUM": lambda: math.fsum(values),
        "AVG": lambda: math.fsum(values) / len(values),
        "MIN": lambda: min(values),
        "MAX": lambda: max(values),
        "FIRST": lambda: values[0],
        "LAST": lambda: values[-1],
        "MIN_MAX_RANGE": lambda: max(values) - min(values),
        "FIRST_LAST_RANGE": lambda: values[-1] - values[0],
    }
    if name not in numbers:
        return None
    return format_number(numbers[name]()) if values else ""


def format_number(value: float) -> str:
    """A number as a label shows it: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
