"""The ``AWS/Lambda`` metrics of asynchronous invocation, per FunctionName (and for the account,
without dimensions), as the Lambda developer guide lists them: AsyncEventsReceived (events
queued), AsyncEventAge (milliseconds from queueing to each attempt), AsyncEventsDropped (events
that never ran successfully: retries exhausted, too old, zero concurrency), and the
DestinationDeliveryFailures / DeadLetterErrors of records and events Lambda could not send.
Counted in memory (``cloud.service_metrics``), written to CloudWatch each minute."""

from __future__ import annotations

NAMESPACE = "AWS/Lambda"


def count_async(provider, scope, function_name: str, metric: str, value: float = 1.0, unit: str = "Count") -> None:
    metrics = provider.cloud.service_metrics
    metrics.count(scope, NAMESPACE, metric, (("FunctionName", function_name),), value, unit)
    metrics.count(scope, NAMESPACE, metric, (), value, unit)
