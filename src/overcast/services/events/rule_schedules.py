"""EventBridge: rules with a ScheduleExpression firing on the cloud clock (the schedules helper)."""

from __future__ import annotations


class RuleScheduleOperations:
    pass
