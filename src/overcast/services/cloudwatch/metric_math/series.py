"""The values metric math computes with: scalars (float), time series and arrays of them.

A time series is a mapping from timestamp (epoch seconds, start of the period) to value, with
the label CloudWatch shows for it and the period its points stand for. Points that are not
finite (a division by zero, a log of a negative number) are dropped, as CloudWatch drops them,
and the evaluation remembers that it dropped some (the ``ArithmeticError`` message)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class TimeSeries:
    label: str
    points: dict[float, float]
    period: int
    # The metric this series was read from (SEARCH / METRICS results: for labels and bands).
    source: dict | None = field(default=None, compare=False)

    def timestamps(self) -> list[float]:
        return sorted(self.points)

    def values(self) -> list[float]:
        return [self.points[t] for t in self.timestamps()]

    def derive(self, points: dict[float, float], label: str | None = None) -> "TimeSeries":
        """A series with the same label, period and source but other points."""
        return TimeSeries(self.label if label is None else label, points, self.period, self.source)


class SeriesArray(list):
    """An array of time series (``[m1, m2]``, ``METRICS()``, ``SEARCH(...)``)."""


class DroppedPoints:
    """Collects whether any non-finite point was dropped while evaluating one query."""

    def __init__(self):
        self.any = False

    def keep(self, points: dict[float, float]) -> dict[float, float]:
        finite = {t: v for t, v in points.items() if math.isfinite(v)}
        if len(finite) != len(points):
            self.any = True
        return finite

    def scalar(self, value: float) -> float:
        if not math.isfinite(value):
            self.any = True
        return value


def is_series(value) -> bool:
    return isinstance(value, TimeSeries)


def is_array(value) -> bool:
    return isinstance(value, SeriesArray)


def is_scalar(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
