"""EventBridge's CloudWatch metrics (``AWS/Events``), as the "Monitoring Amazon EventBridge"
page describes them, counted in memory (``runtime/service_metrics.py``) and published each
minute. Cheap: counts are tallied per rule in a dict and handed to the collector once per
batch (``flush``: after an ``accept_events`` call, after a delivery batch), no I/O.

Rule metrics carry the dimension sets AWS publishes them under: none (the account's total),
``RuleName``, and ``EventBusName`` + ``RuleName``.

- TriggeredRules: a rule matched an event (one per event and rule); MatchedEvents: an event
  matched a rule.
- InvocationAttempts: every attempt to invoke a target; RetryInvocationAttempts: those that
  were retries; SuccessfulInvocationAttempts: those that succeeded.
- Invocations: a target invocation once it is settled (delivered or given up);
  FailedInvocations: given up (retries exhausted or not retryable).
- InvocationsSentToDlq / InvocationsFailedToBeSentToDlq: the dead-letter queue took the event,
  or refused it too.
- DeadLetterInvocations: a target not invoked at all, e.g. an event that would loop back
  onto the bus it came from.
- IngestionToInvocationStartLatency / IngestionToInvocationCompleteLatency (milliseconds, per
  bus and for the account): from the event's ingestion to a target's first attempt, and to its
  successful delivery (one datum per delivery, so Average/Minimum/Maximum/p99 mean what they say).
- PutEventsRequestSize (bytes), PutEventsEntriesCount, PutEventsFailedEntriesCount,
  PutEventsApproximateCallCount / SuccessCount / FailedCount: per PutEvents call, no dimension.
"""

from __future__ import annotations

from overcast.storage.scope import Scope

NAMESPACE = "AWS/Events"


class EventsMetrics:
    def __init__(self, metrics):
        self.metrics = metrics
        self._keys: dict[int, tuple] = {}  # rule_id -> (scope, dimension sets)
        self._pending: dict[tuple[int, str], list] = {}  # (rule_id, metric) -> [rule, count]

    def reset(self) -> None:
        self._keys.clear()
        self._pending.clear()

    def _rule_key(self, rule) -> tuple:
        key = self._keys.get(rule.rule_id)
        if key is None:
            key = self._keys[rule.rule_id] = (Scope(rule.account, rule.region), (
                (), (("RuleName", rule.name),), (("EventBusName", rule.bus_name), ("RuleName", rule.name))))
        return key

    def _count(self, rule, name: str, value: float = 1.0) -> None:
        cell = self._pending.get((rule.rule_id, name))
        if cell is None:
            self._pending[(rule.rule_id, name)] = [rule, value]
        else:
            cell[1] += value

    def flush(self) -> None:
        """Hand the tallied rule counts to the collector."""
        pending, self._pending = self._pending, {}
        count = self.metrics.count
        for (_, name), (rule, value) in pending.items():
            scope, dimension_sets = self._rule_key(rule)
            for dimensions in dimension_sets:
                count(scope, NAMESPACE, name, dimensions, value)

    def rule_matched(self, rule, events: int) -> None:
        self._count(rule, "TriggeredRules", float(events))
        self._count(rule, "MatchedEvents", float(events))

    def attempted(self, rule, retry: bool) -> None:
        self._count(rule, "InvocationAttempts")
        if retry:
            self._count(rule, "RetryInvocationAttempts")

    def delivered(self, rule) -> None:
        self._count(rule, "SuccessfulInvocationAttempts")
        self._count(rule, "Invocations")

    def failed(self, rule) -> None:
        self._count(rule, "Invocations")
        self._count(rule, "FailedInvocations")

    def dead_lettered(self, rule, sent: bool) -> None:
        self._count(rule, "InvocationsSentToDlq" if sent else "InvocationsFailedToBeSentToDlq")

    def not_invoked(self, rule) -> None:
        self._count(rule, "DeadLetterInvocations")

    def latency(self, rule, name: str, milliseconds: float) -> None:
        """One delivery's IngestionToInvocation{Start,Complete}Latency (not tallied: a datum each)."""
        scope = self._rule_key(rule)[0]
        count = self.metrics.count
        count(scope, NAMESPACE, name, (), milliseconds, "Milliseconds")
        count(scope, NAMESPACE, name, (("EventBusName", rule.bus_name),), milliseconds, "Milliseconds")

    def put_events(self, scope, entries: int, failed: int, size: int) -> None:
        count = self.metrics.count
        count(scope, NAMESPACE, "PutEventsApproximateCallCount", (), 1.0)
        count(scope, NAMESPACE, "PutEventsApproximateSuccessCount" if failed < entries
              else "PutEventsApproximateFailedCount", (), 1.0)
        count(scope, NAMESPACE, "PutEventsEntriesCount", (), float(entries))
        if failed:
            count(scope, NAMESPACE, "PutEventsFailedEntriesCount", (), float(failed))
        count(scope, NAMESPACE, "PutEventsRequestSize", (), float(size), "Bytes")
