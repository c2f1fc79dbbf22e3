"""Scheduler's CloudWatch metrics (``AWS/Scheduler``), as the Scheduler user guide lists them
("Monitoring EventBridge Scheduler with CloudWatch"): each is published for the account (no
dimension) and for the schedule's group (dimension ``ScheduleGroup``).

InvocationAttemptCount for every call of a target; TargetErrorCount for every call the target
refused; InvocationDroppedCount for a run given up without reaching a dead-letter queue;
InvocationsSentToDeadLetterCount and InvocationsFailedToBeSentToDeadLetterCount for the
dead-letter queue. Counted in memory (``runtime/service_metrics.py``), published each minute.
"""

from __future__ import annotations

from overcast.storage.scope import Scope

NAMESPACE = "AWS/Scheduler"


class SchedulerMetrics:
    def __init__(self, provider):
        self.metrics = provider.cloud.service_metrics

    def count(self, scope: Scope, group: str, name: str) -> None:
        self.metrics.count(scope, NAMESPACE, name, (), 1.0)
        self.metrics.count(scope, NAMESPACE, name, (("ScheduleGroup", group),), 1.0)
