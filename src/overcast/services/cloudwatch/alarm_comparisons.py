"""The ComparisonOperators of PutMetricAlarm: whether a datapoint breaches, and the words AWS
writes in a StateReason for it ("was greater than the threshold (3.0)")."""

from __future__ import annotations

STATIC_OPERATORS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                    "LessThanOrEqualToThreshold")
# Only for alarms on an anomaly detection band (ThresholdMetricId).
BAND_OPERATORS = ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold")
OPERATORS = STATIC_OPERATORS + BAND_OPERATORS

_STATIC_WORDS = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def breaches(operator: str, value: float, threshold: float | None = None, lower: float | None = None,
             upper: float | None = None) -> bool:
    """True when ``value`` is on the alarming side (band operators compare with the band's
    ``lower``/``upper`` bounds of the same period)."""
    if operator == "GreaterThanOrEqualToThreshold":
        return value >= threshold
    if operator == "GreaterThanThreshold":
        return value > threshold
    if operator == "LessThanThreshold":
        return value < threshold
    if operator == "LessThanOrEqualToThreshold":
        return value <= threshold
    if operator == "LessThanLowerOrGreaterThanUpperThreshold":
        return value < lower or value > upper
    if operator == "LessThanLowerThreshold":
        return value < lower
    if operator == "GreaterThanUpperThreshold":
        return value > upper
    raise ValueError(f"unknown comparison operator {operator}")


def static_words(operator: str, negated: bool) -> str:
    """"greater than" / "not greater than" (static thresholds)."""
    words = _STATIC_WORDS[operator]
    return f"not {words}" if negated else words


def band_words(operator: str, negated: bool, lowers: str, uppers: str) -> str:
    """The band's wording, with the listed bounds: "less than the lower thresholds [1.0] or
    greater than the upper thresholds [2.0]" (negated: "not less than ... or not greater than")."""
    no = "not " if negated else ""
    lower = f"{no}less than the lower thresholds [{lowers}]"
    upper = f"{no}greater than the upper thresholds [{uppers}]"
    if operator == "LessThanLowerThreshold":
        return lower
    if operator == "GreaterThanUpperThreshold":
        return upper
    return f"{lower} or {upper}"
