"""What an expression needs from the request it belongs to (implemented by ``metric_queries``)."""

from __future__ import annotations

from typing import Protocol

from overcast.services.cloudwatch.metric_math.series import DroppedPoints, SeriesArray, TimeSeries


class EvaluationContext(Protocol):
    start: float            # the request's StartTime (epoch s, rounded as CloudWatch rounds it)
    end: float              # the request's EndTime (exclusive)
    period: int             # the period of this expression's points
    dropped: DroppedPoints  # notes non-finite points dropped (the ArithmeticError message)

    def lookup(self, query_id: str):
        """The value of another query of the request; ExpressionError when there is none."""

    def metric_ids(self) -> list[str]:
        """The Ids of the request's MetricStat queries, in request order (for METRICS())."""

    def search(self, expression: str, statistic: str, period: int) -> SeriesArray:
        """The series of the stored metrics a SEARCH expression matches."""

    def anomaly_band(self, series: TimeSeries, deviations: float) -> SeriesArray:
        """The lower and upper bounds of the expected values of ``series``."""

    def grid(self, period: int) -> list[float]:
        """Every period start of the request's time range at ``period``."""
