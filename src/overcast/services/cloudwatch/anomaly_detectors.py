"""Put/Describe/DeleteAnomalyDetector (owned by the "alarms" helper; empty until written: its operations answer 501)."""

from __future__ import annotations


class AnomalyDetectorOperations:
    """The Put/Describe/DeleteAnomalyDetector operations of the CloudWatch provider."""
