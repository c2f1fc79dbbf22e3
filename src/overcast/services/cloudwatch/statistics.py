"""Statistics of one period's aggregate, as CloudWatch defines them (the "CloudWatch
statistics definitions" page).

- ``SampleCount``, ``Sum``, ``Average``, ``Minimum``, ``Maximum``: exact.
- ``pNN`` (p0 to p100, decimals allowed): the smallest value with at least NN% of the
  samples at or below it.
- ``tm``/``wm``/``tc``/``ts`` (trimmed mean, winsorized mean, trimmed count, trimmed sum):
  ``tm90`` (= ``tm(:90%)``), ``TM(2%:98%)`` (percent boundaries: the samples ranked between
  them, a sample split by a boundary counting in part), ``TM(150:1000)`` (absolute
  boundaries: values greater than 150 and at most 1000). ``wm`` replaces the values outside
  the boundaries by the boundary values instead of dropping them. ``IQM`` = ``tm(25%:75%)``.
- ``PR(x:y)``: the percentage of samples greater than x and at most y (either bound may be
  left out, not both).

The extended statistics read the aggregate's distribution; when it has none (a statistic set
that is not one repeated value, or negative values: AWS has no percentiles then) they are
None and the datapoint leaves them out.
"""

from __future__ import annotations

import math
import re

from overcast.services.cloudwatch.metric_store import Aggregate

BASIC = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

_NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"
_PERCENTILE = re.compile(rf"p({_NUMBER})")
_SHORT = re.compile(rf"(tm|wm|tc|ts)({_NUMBER})", re.IGNORECASE)
_RANGE = re.compile(rf"(tm|wm|tc|ts|pr)\(({_NUMBER}%?)?:({_NUMBER}%?)?\)", re.IGNORECASE)


class _Spec:
    __slots__ = ("kind", "low", "high", "percent")

    def __init__(self, kind, low, high, percent):
        self.kind, self.low, self.high, self.percent = kind, low, high, percent


def parse_extended_statistic(stat: str) -> _Spec | None:
    """The parsed form of an extended statistic, or None when its syntax is not one AWS takes."""
    if not isinstance(stat, str):
        return None
    if stat == "IQM":
        return _Spec("tm", 25.0, 75.0, True)
    match = _PERCENTILE.fullmatch(stat)
    if match:
        value = float(match.group(1))
        return _Spec("p", value, value, True) if value <= 100 else None
    match = _SHORT.fullmatch(stat)
    if match:
        value = float(match.group(2))
        return _Spec(match.group(1).lower(), 0.0, value, True) if value <= 100 else None
    match = _RANGE.fullmatch(stat)
    if not match:
        return None
    kind, low, high = match.group(1).lower(), match.group(2), match.group(3)
    if low is None and high is None:
        return None
    marks = {bound.endswith("%") for bound in (low, high) if bound is not None}
    if len(marks) != 1:
        return None  # percent and absolute boundaries mixed
    percent = marks.pop()
    if kind == "pr" and percent:
        return None  # percentile rank takes values, not percentages
    low_value = float(low.rstrip("%")) if low is not None else None
    high_value = float(high.rstrip("%")) if high is not None else None
    if percent:
        low_value = 0.0 if low_value is None else low_value
        high_value = 100.0 if high_value is None else high_value
        if high_value > 100 or low_value > high_value:
            return None
    elif low_value is not None and high_value is not None and low_value > high_value:
        return None
    return _Spec(kind, low_value, high_value, percent)


def check_extended_statistic(stat: str) -> bool:
    """Whether ``stat`` is an extended statistic AWS accepts (syntax and bounds)."""
    return parse_extended_statistic(stat) is not None


def statistic_value(aggregate: Aggregate, stat: str) -> float | None:
    """The value of ``stat`` (a basic or extended statistic) for one period, or None when it
    cannot be computed (no distribution, an empty trimmed range)."""
    if stat == "SampleCount":
        return aggregate.sample_count
    if stat == "Sum":
        return aggregate.total
    if stat == "Average":
        return aggregate.total / aggregate.sample_count if aggregate.sample_count else None
    if stat == "Minimum":
        return aggregate.minimum
    if stat == "Maximum":
        return aggregate.maximum
    spec = parse_extended_statistic(stat)
    pairs = aggregate.distribution
    if spec is None or not pairs:
        return None
    total = sum(count for _, count in pairs)
    if spec.kind == "p":
        return _percentile(pairs, total, spec.low)
    if spec.kind == "pr":
        low = -math.inf if spec.low is None else spec.low
        high = math.inf if spec.high is None else spec.high
        inside = sum(count for value, count in pairs if low < value <= high)
        return 100.0 * inside / total
    if spec.percent:
        return _ranked(spec.kind, pairs, total, spec.low, spec.high)
    return _bounded(spec.kind, pairs, total, spec.low, spec.high)


def _percentile(pairs, total, percent) -> float:
    if percent <= 0:
        return pairs[0][0]
    rank = total * percent / 100.0
    seen = 0.0
    for value, count in pairs:
        seen += count
        if seen >= rank - 1e-9 * total:
            return value
    return pairs[-1][0]


def _ranked(kind, pairs, total, low_percent, high_percent) -> float | None:
    """tm/wm/tc/ts over the samples ranked between two percentages."""
    low_rank, high_rank = total * low_percent / 100.0, total * high_percent / 100.0
    weight = weighted = 0.0
    seen = 0.0
    for value, count in pairs:
        inside = max(0.0, min(seen + count, high_rank) - max(seen, low_rank))
        weight += inside
        weighted += inside * value
        seen += count
    if kind == "wm":
        low_edge = _percentile(pairs, total, low_percent)
        high_edge = _percentile(pairs, total, high_percent)
        return (weighted + low_rank * low_edge + (total - high_rank) * high_edge) / total
    return _trimmed(kind, weight, weighted)


def _bounded(kind, pairs, total, low, high) -> float | None:
    """tm/wm/tc/ts over the values greater than ``low`` and at most ``high``."""
    low = -math.inf if low is None else low
    high = math.inf if high is None else high
    if kind == "wm":
        return sum(min(max(value, low), high) * count for value, count in pairs) / total
    weight = weighted = 0.0
    for value, count in pairs:
        if low < value <= high:
            weight += count
            weighted += count * value
    return _trimmed(kind, weight, weighted)


def _trimmed(kind, weight, weighted) -> float | None:
    if kind == "tc":
        return weight
    if kind == "ts":
        return weighted
    return weighted / weight if weight else None
