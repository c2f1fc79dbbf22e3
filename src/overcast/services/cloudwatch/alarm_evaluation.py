"""The evaluation of one metric alarm from its recent period values, as CloudWatch does it.

CloudWatch reads more periods than EvaluationPeriods (the *evaluation range*: the AWS guide's
"How alarm state is evaluated when data is missing" shows an alarm of 3 evaluation periods
reading 5), then:

- with at least N real datapoints in the range, the N most recent real ones are evaluated and
  TreatMissingData plays no part;
- with fewer, every real datapoint of the range is evaluated and the missing ones are filled in
  as few times as possible (N minus the real ones) with the treatment: ``breaching`` and
  ``notBreaching`` count them as such; ``ignore`` counts them as unknown and keeps the current
  state when they could tip the outcome; ``missing`` evaluates the real datapoints alone
  (all of them must breach when there are fewer than DatapointsToAlarm), and with no real
  datapoint at all the alarm has INSUFFICIENT_DATA.

This reproduces the guide's table (3 of 3, range of 5; 0 fine, X breaching, - missing):
``0 - X - X`` OK everywhere; ``- - - - 0`` OK everywhere; ``- - - - -`` INSUFFICIENT_DATA,
kept, ALARM, OK; ``0 X X - X`` ALARM everywhere; ``- - X - -`` ALARM, kept, ALARM, OK.

A percentile alarm with EvaluateLowSampleCountPercentile ``ignore`` keeps its state while a
datapoint it would evaluate has too few samples to be significant: fewer than 10/(1-p)
samples for p in [0.5, 1), fewer than 10/p below 0.5 (the PutMetricAlarm guide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from overcast.services.cloudwatch.alarm_comparisons import breaches

ALARM, OK, INSUFFICIENT_DATA = "ALARM", "OK", "INSUFFICIENT_DATA"
TREATMENTS = ("breaching", "notBreaching", "ignore", "missing")
# The guide's example reads 5 periods for 3 evaluation periods: two more than evaluated.
EXTRA_RANGE_PERIODS = 2

_PERCENTILE = re.compile(r"^[pP](\d{1,2}(?:\.\d+)?|100(?:\.0+)?)$")


@dataclass(frozen=True)
class Datapoint:
    """One period of the evaluation range; ``value`` None when the period has no data."""
    timestamp: float
    value: float | None
    sample_count: float | None = None
    lower: float | None = None  # the anomaly band of the same period (band alarms)
    upper: float | None = None


@dataclass(frozen=True)
class Criteria:
    """What an alarm compares: N, M, the operator and threshold, and the missing-data rules."""
    evaluation_periods: int
    datapoints_to_alarm: int
    operator: str
    threshold: float | None = None
    treat_missing_data: str = "missing"
    low_sample_minimum: float | None = None  # set only for percentile alarms that ignore low counts


@dataclass
class Decision:
    """The outcome: ``state`` None keeps the current state."""
    state: str | None
    window: list[Datapoint] = field(default_factory=list)  # real datapoints evaluated, oldest first
    breaching: list[bool] = field(default_factory=list)  # per window datapoint
    filled: int = 0  # missing datapoints filled in
    filled_as: str | None = None  # "Breaching" / "NonBreaching" when the fills counted as such


def evaluation_range_periods(evaluation_periods: int) -> int:
    """How many periods the evaluation reads back."""
    return evaluation_periods + EXTRA_RANGE_PERIODS


def low_sample_minimum(statistic: str | None) -> float | None:
    """The sample count under which a percentile datapoint is not significant (None: not a
    percentile statistic, or p0/p100 where any count is)."""
    match = _PERCENTILE.match(statistic or "")
    if not match:
        return None
    p = float(match.group(1)) / 100.0
    if 0.5 <= p < 1.0:
        return 10.0 / (1.0 - p)
    if 0.0 < p < 0.5:
        return 10.0 / p
    return None


def decide(points: list[Datapoint], criteria: Criteria) -> Decision:
    """Evaluate the evaluation range ``points`` (oldest first, one per period)."""
    n, m = criteria.evaluation_periods, criteria.datapoints_to_alarm
    treatment = criteria.treat_missing_data
    window = [p for p in points if p.value is not None][-n:]
    minimum = criteria.low_sample_minimum
    if minimum is not None and any((p.sample_count or 0.0) < minimum for p in window):
        return Decision(None, window)
    flags = [breaches(criteria.operator, p.value, criteria.threshold, p.lower, p.upper) for p in window]
    fills = n - len(window)
    breaching = sum(flags)
    decision = Decision(None, window, flags, fills)
    if not window:
        decision.state = {"breaching": ALARM, "notBreaching": OK, "ignore": None}.get(treatment, INSUFFICIENT_DATA)
        decision.filled_as = _filled_as(treatment)
        return decision
    if fills and treatment == "missing":
        decision.state = ALARM if breaching >= min(m, len(window)) else OK
        return decision
    unknown = 0
    if fills and treatment == "breaching":
        breaching += fills
    elif fills and treatment == "ignore":
        unknown = fills
    if breaching >= m:
        decision.state = ALARM
    elif breaching + unknown < m:
        decision.state = OK
    # The reason names the fills when they went the way the alarm went.
    if fills and decision.state == {"breaching": ALARM, "notBreaching": OK}.get(treatment):
        decision.filled_as = _filled_as(treatment)
    return decision


def _filled_as(treatment: str) -> str | None:
    return {"breaching": "Breaching", "notBreaching": "NonBreaching"}.get(treatment)
