"""The alarm operations (owned by the "alarms" helper; empty until written: its operations answer 501)."""

from __future__ import annotations


class AlarmOperations:
    """The alarm operations of the CloudWatch provider."""
