"""The StateReason texts and StateReasonData JSON CloudWatch writes for a metric alarm.

The shapes follow what AWS sends (alarm notifications and DescribeAlarms answers):

- "Threshold Crossed: 1 datapoint [5.0 (03/12/26 10:00:00)] was greater than the threshold (3.0)."
- with DatapointsToAlarm: "Threshold Crossed: 3 out of the last 3 datapoints [...] were greater
  than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition)."
- band alarms: "Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (...)] was greater than
  the upper thresholds [225.7] (minimum 1 datapoint for OK -> ALARM transition)."
- "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was
  treated as [Breaching]." / "1 datapoint was received for 3 periods and 2 missing datapoints
  were treated as [Breaching]."
- "Insufficient Data: 1 datapoint was unknown."

Datapoints are listed most recent first, with their period's start as dd/mm/yy HH:MM:SS UTC;
numbers as Java prints a double (5.0, 1.0E7). StateReasonData is compact JSON with
version, queryDate, startDate, unit, statistic, period, recentDatapoints (oldest first),
threshold (or recentLower/UpperThresholds) and evaluatedDatapoints, in that order.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from dataclasses import dataclass

from overcast.services.cloudwatch.alarm_comparisons import BAND_OPERATORS, band_words, static_words
from overcast.services.cloudwatch.alarm_evaluation import ALARM, INSUFFICIENT_DATA, OK, Criteria, Decision

INITIAL_REASON = "Unchecked: Initial alarm creation"


@dataclass(frozen=True)
class ReasonContext:
    """What the texts mention besides the decision."""
    criteria: Criteria
    datapoints_to_alarm_given: bool  # "out of the last" wording
    old_state: str
    now: float
    period: int
    statistic: str | None = None  # single-metric alarms only
    unit: str | None = None


def java_double(value: float) -> str:
    """A double as Java's Double.toString writes it (what AWS's texts show)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e7:
        text = repr(float(value))
        return text if "." in text else text + ".0"
    # Java switches to computerized scientific notation outside [1e-3, 1e7): 1.0E7, 2.5E-4.
    sign, digits, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    text = "".join(map(str, digits))
    scientific = len(text) - 1 + exponent
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{scientific}"


def reason_date(timestamp: float) -> str:
    return time.strftime("%d/%m/%y %H:%M:%S", time.gmtime(timestamp))


def iso_millis(timestamp: float) -> str:
    """2022-11-08T11:26:05.399+0000, CloudWatch's timestamps inside JSON texts."""
    millis = int(round(timestamp * 1000))
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}+0000"


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _verb(number: int) -> str:
    return "was" if number == 1 else "were"


def state_reason(decision: Decision, ctx: ReasonContext) -> str:
    """The StateReason of a decision that moves (or confirms) the alarm's state."""
    criteria = ctx.criteria
    n = criteria.evaluation_periods
    band = criteria.operator in BAND_OPERATORS
    prefix = "Thresholds Crossed" if band else "Threshold Crossed"
    state = decision.state
    if state == INSUFFICIENT_DATA:
        return f"Insufficient Data: {_count(n, 'datapoint')} {_verb(n)} unknown."
    if decision.filled_as is not None:
        fills = decision.filled
        received = len(decision.window)
        head = "no datapoints were received" if not received else \
            f"{_count(received, 'datapoint')} {_verb(received)} received"
        return (f"{prefix}: {head} for {_count(n, 'period')} and {_count(fills, 'missing datapoint')} "
                f"{_verb(fills)} treated as [{decision.filled_as}].")
    wanted = state == ALARM
    listed = [p for p, flag in zip(decision.window, decision.breaching) if flag == wanted][::-1]
    values = ", ".join(f"{java_double(p.value)} ({reason_date(p.timestamp)})" for p in listed)
    k = len(listed)
    if band:
        lowers = ", ".join(java_double(p.lower) for p in listed if p.lower is not None)
        uppers = ", ".join(java_double(p.upper) for p in listed if p.upper is not None)
        comparison = band_words(criteria.operator, not wanted, lowers, uppers)
    else:
        comparison = f"{static_words(criteria.operator, not wanted)} the threshold ({java_double(criteria.threshold)})"
    if band or ctx.datapoints_to_alarm_given:
        minimum = _minimum(state, criteria)
        return (f"{prefix}: {k} out of the last {n} datapoints [{values}] {_verb(k)} {comparison} "
                f"(minimum {_count(minimum, 'datapoint')} for {ctx.old_state} -> {state} transition).")
    return f"{prefix}: {_count(k, 'datapoint')} [{values}] {_verb(k)} {comparison}."


def _minimum(state: str, criteria: Criteria) -> int:
    """Breaching datapoints needed for ALARM; fine ones that end an ALARM (N - M + 1)."""
    if state == ALARM:
        return criteria.datapoints_to_alarm
    return criteria.evaluation_periods - criteria.datapoints_to_alarm + 1


def state_reason_data(decision: Decision, ctx: ReasonContext) -> str:
    """StateReasonData: the JSON document AWS attaches to an evaluated state."""
    criteria = ctx.criteria
    band = criteria.operator in BAND_OPERATORS
    data: dict = {"version": "1.0", "queryDate": iso_millis(ctx.now)}
    if decision.window:
        data["startDate"] = iso_millis(decision.window[0].timestamp)
    if ctx.unit:
        data["unit"] = ctx.unit
    if ctx.statistic:
        data["statistic"] = ctx.statistic
    data["period"] = ctx.period
    data["recentDatapoints"] = [p.value for p in decision.window]
    if band:
        if criteria.operator != "GreaterThanUpperThreshold":
            data["recentLowerThresholds"] = [p.lower for p in decision.window]
        if criteria.operator != "LessThanLowerThreshold":
            data["recentUpperThresholds"] = [p.upper for p in decision.window]
    else:
        data["threshold"] = criteria.threshold
    evaluated = _evaluated(decision, criteria)
    if evaluated:
        data["evaluatedDatapoints"] = [_evaluated_entry(p, ctx, criteria.operator) for p in evaluated]
    return json.dumps(data, separators=(",", ":"))


def _evaluated(decision: Decision, criteria: Criteria) -> list:
    """The most recent datapoints that decided the state (as many as the transition needs)."""
    if decision.state not in (ALARM, OK) or decision.filled_as is not None:
        return []
    wanted = decision.state == ALARM
    listed = [p for p, flag in zip(decision.window, decision.breaching) if flag == wanted][::-1]
    return listed[:_minimum(decision.state, criteria)]


def _evaluated_entry(point, ctx: ReasonContext, operator: str) -> dict:
    entry: dict = {"timestamp": iso_millis(point.timestamp)}
    if ctx.statistic and point.sample_count is not None:
        entry["sampleCount"] = point.sample_count
    entry["value"] = point.value
    if operator == "GreaterThanUpperThreshold":
        entry["threshold"] = point.upper
    elif operator == "LessThanLowerThreshold":
        entry["threshold"] = point.lower
    return entry
