"""GetMetricData, GetMetricWidgetImage (owned by the "math" helper; empty until written: its operations answer 501)."""

from __future__ import annotations


class MetricDataOperations:
    """The GetMetricData,GetMetricWidgetImage operations of the CloudWatch provider."""
