"""The ``AWS/Logs`` metrics CloudWatch Logs publishes (``runtime/service_metrics.py`` counts
them in memory and flushes each minute of the cloud clock into CloudWatch).

From "Monitoring with CloudWatch metrics" (CloudWatch Logs User Guide):

- ``IncomingBytes`` (Bytes) and ``IncomingLogEvents`` (None): what PutLogEvents (and the
  internal writer) accepted, per ``LogGroupName`` and account-wide (no dimension). The bytes are
  the messages' uncompressed UTF-8 size, as ``storedBytes`` counts them.
- ``ForwardedBytes`` (Bytes), ``ForwardedLogEvents`` (None), ``DeliveryErrors`` (None) and
  ``DeliveryThrottling`` (None): what subscription filters delivered or failed to, per
  ``LogGroupName``, ``DestinationType`` and ``FilterName`` and account-wide; counted through
  ``LogsMetrics.forwarded`` / ``delivery_failed`` by whatever delivers.

Ingestion is counted by an ingestion listener after each batch's commit from the batch's
totals (``count``, ``size``): four dictionary updates per batch, nothing per event.
"""

from __future__ import annotations

from overcast.services.logs.models import IngestedBatch

NAMESPACE = "AWS/Logs"
_ACCOUNT_WIDE = ()


class LogsMetrics:
    """Counts Logs' own metrics into the cloud's service metrics."""

    def __init__(self, service_metrics):
        self.metrics = service_metrics
        self._group_dimensions: dict[str, tuple] = {}

    def _group(self, name: str) -> tuple:
        dimensions = self._group_dimensions.get(name)
        if dimensions is None:
            if len(self._group_dimensions) > 10_000:  # names come and go: keep the cache bounded
                self._group_dimensions.clear()
            dimensions = self._group_dimensions[name] = (("LogGroupName", name),)
        return dimensions

    # -- the ingestion listener ------------------------------------------------------------

    def in_transaction(self, batch: IngestedBatch) -> None:
        """Nothing durable: metrics count what was committed."""

    def after_commit(self, batch: IngestedBatch) -> None:
        count = batch.count  # the batch's totals: its events are never built here
        if not count:
            return
        size = float(batch.size)
        count_metric = self.metrics.count
        for dimensions in (self._group(batch.group.name), _ACCOUNT_WIDE):
            count_metric(batch.scope, NAMESPACE, "IncomingBytes", dimensions, size, "Bytes")
            count_metric(batch.scope, NAMESPACE, "IncomingLogEvents", dimensions, float(count), "None")

    # -- subscription deliveries -----------------------------------------------------------

    @staticmethod
    def _delivery(group: str, destination_type: str, filter_name: str) -> tuple:
        return ((("DestinationType", destination_type), ("FilterName", filter_name), ("LogGroupName", group)),
                _ACCOUNT_WIDE)

    def forwarded(self, scope, group: str, destination_type: str, filter_name: str, events: int,
                  size: int) -> None:
        """A subscription filter delivered ``events`` events of ``size`` bytes (``destination_type``:
        Lambda, Kinesis, Firehose...)."""
        for dimensions in self._delivery(group, destination_type, filter_name):
            self.metrics.count(scope, NAMESPACE, "ForwardedBytes", dimensions, float(size), "Bytes")
            self.metrics.count(scope, NAMESPACE, "ForwardedLogEvents", dimensions, float(events), "None")

    def delivery_failed(self, scope, group: str, destination_type: str, filter_name: str,
                        throttled: bool = False) -> None:
        """A delivery the destination refused (``DeliveryErrors``) or throttled
        (``DeliveryThrottling``)."""
        name = "DeliveryThrottling" if throttled else "DeliveryErrors"
        for dimensions in self._delivery(group, destination_type, filter_name):
            self.metrics.count(scope, NAMESPACE, name, dimensions, 1.0, "None")
