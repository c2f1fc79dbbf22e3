"""The metrics Overcast's own services publish (``AWS/SQS``, ``AWS/S3``, ``AWS/SNS``, ``AWS/Usage``).

Services never write CloudWatch's tables: they count into this collector (``cloud.service_metrics``)
and it hands each minute's data to CloudWatch through one sink (``Cloud`` wires it to the
CloudWatch provider's ``put_service_metrics``; the runtime imports no service)::

    metrics.count(scope, "AWS/SQS", "NumberOfMessagesSent", (("QueueName", name),), 1.0)
    metrics.sample("AWS/SQS", sampler)      # sampler(now) -> iterable of (scope, name, dims, value, unit)

- ``count`` is the hot-path call: one dict lookup and a few float operations, no I/O. Counts
  of one key within a minute become one datum with ``StatisticValues`` (SampleCount, Sum,
  Minimum, Maximum), as AWS's own metrics carry them (SentMessageSize's Average is Sum over
  SampleCount).
- Samplers are gauges read once a minute (ApproximateNumberOfMessagesVisible...). A sampler
  may yield ``None`` as the value of a counted metric: "this resource is active, publish 0
  unless something was counted" (AWS publishes zeros for active queues and topics).
- A periodic job on the cloud clock, on the minute, flushes everything: the datum's timestamp
  is the start of the minute just ended, so an alarm evaluated at the minute sees it. Moving
  the clock runs one flush per minute passed, each sampling the state at its own time.
- Samplers registered with a longer ``interval`` (S3's daily storage metrics) run only when
  the flush time is a multiple of it (midnight UTC for a day).
"""

from __future__ import annotations

import inspect
import logging
import math
from typing import Callable, Iterable

from overcast.storage.scope import Scope

log = logging.getLogger("overcast.service_metrics")

MINUTE = 60.0
_COUNTED_OVER_SAMPLED = None  # marker: a sampler's "0 unless counted"

# botocore service name -> the ``Service`` dimension AWS/Usage gives its calls
USAGE_SERVICE_NAMES = {
    "cloudwatch": "CloudWatch", "ec2": "EC2", "iam": "IAM", "kms": "KMS", "s3": "S3", "sns": "SNS",
    "sqs": "SQS", "sts": "STS", "xray": "XRay", "logs": "Logs", "events": "Events", "lambda": "Lambda",
    "scheduler": "Scheduler",
}

Dimensions = tuple[tuple[str, str], ...]
Sample = tuple[object, str, Dimensions, "float | None", str]
Sampler = Callable[[float], Iterable[Sample]]
# sink(scope, namespace, data): data are PutMetricData MetricData entries (Timestamp in epoch s)
Sink = Callable[[object, str, list[dict]], None]


class ServiceMetrics:
    """In-memory counts and registered gauges, flushed into CloudWatch each minute."""

    def __init__(self, clock, scheduler, sink: Sink | None = None):
        self.clock = clock
        self.scheduler = scheduler
        self.sink = sink
        # (scope, namespace, name, dimensions, unit) -> [sample count, sum, minimum, maximum]
        self._counts: dict[tuple, list[float]] = {}
        # (account, region, service, operation) -> its AWS/Usage key (built once per operation)
        self._call_keys: dict[tuple, tuple] = {}
        self._samplers: list[tuple[str, Sampler, float]] = []
        self._job: int | None = None

    # -- what services call ----------------------------------------------------------------

    def count(self, scope, namespace: str, name: str, dimensions: Dimensions, value: float = 1.0,
              unit: str = "Count") -> None:
        """Add ``value`` to this minute's datum of the metric (O(1), no I/O)."""
        key = (scope, namespace, name, dimensions, unit)
        cell = self._counts.get(key)
        if cell is None:
            self._counts[key] = [1.0, value, value, value]
            return
        cell[0] += 1.0
        cell[1] += value
        if value < cell[2]:
            cell[2] = value
        elif value > cell[3]:
            cell[3] = value

    def count_call(self, account: str, region: str, service: str, operation: str) -> None:
        """One API call for ``AWS/Usage`` CallCount (Service/Type/Resource/Class as AWS documents
        them: the service's short name, ``API``, the operation, ``None``; no unit)."""
        key = (account, region, service, operation)
        counted = self._call_keys.get(key)
        if counted is None:
            dimensions = (("Class", "None"), ("Resource", operation),
                          ("Service", USAGE_SERVICE_NAMES.get(service, service)), ("Type", "API"))
            counted = self._call_keys[key] = (Scope(account, region), "AWS/Usage", "CallCount", dimensions, "None")
        cell = self._counts.get(counted)
        if cell is None:
            self._counts[counted] = [1.0, 1.0, 1.0, 1.0]
        else:
            cell[0] += 1.0
            cell[1] += 1.0

    def sample(self, namespace: str, sampler: Sampler, interval: float = MINUTE) -> None:
        """Register a gauge source read at every flush whose time is a multiple of ``interval``."""
        self._samplers.append((namespace, sampler, float(interval)))

    # -- the flush -------------------------------------------------------------------------

    def start(self) -> None:
        """Flush on every minute of the cloud clock from now on (periodic jobs live in memory)."""
        if self._job is not None:
            self.scheduler.cancel(self._job)
        first = math.floor(self.clock.now() / MINUTE) * MINUTE + MINUTE
        self._job = self.scheduler.every(MINUTE, self.flush, first=first)

    def reset(self) -> None:
        """Forget what was counted (``POST /_overcast/reset``); flushes restart on the minute."""
        self._counts = {}
        if self._job is not None:
            self.start()

    async def flush(self) -> None:
        """Hand the minute just ended to the sink: counts as statistic sets, then the samples
        (a sampler with a longer interval stamps its data with the start of the interval ended)."""
        now = self.clock.now()
        minute = math.floor(now / MINUTE) * MINUTE
        stamp = minute - MINUTE
        counts, self._counts = self._counts, {}
        batches: dict[tuple, list[dict]] = {}
        for (scope, namespace, name, dimensions, unit), (n, total, low, high) in counts.items():
            batches.setdefault((scope, namespace), []).append({
                "MetricName": name, "Dimensions": _dimensions(dimensions), "Timestamp": stamp, "Unit": unit,
                "StatisticValues": {"SampleCount": n, "Sum": total, "Minimum": low, "Maximum": high},
            })
        for namespace, sampler, interval in self._samplers:
            if interval > MINUTE and minute % interval:
                continue
            sampled_at = minute - interval
            try:
                for scope, name, dimensions, value, unit in sampler(now):
                    if value is _COUNTED_OVER_SAMPLED:
                        if (scope, namespace, name, dimensions, unit) in counts:
                            continue
                        value = 0.0
                    batches.setdefault((scope, namespace), []).append({
                        "MetricName": name, "Dimensions": _dimensions(dimensions), "Timestamp": sampled_at,
                        "Unit": unit, "Value": float(value),
                    })
            except Exception:  # noqa: BLE001 - one broken sampler must not stop the others
                log.exception("the %s metrics sampler failed", namespace)
        if self.sink is None or not batches:
            return
        for (scope, namespace), data in batches.items():
            try:
                result = self.sink(scope, namespace, data)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # noqa: BLE001 - metrics never break the cloud
                log.exception("publishing %s metrics failed", namespace)


def _dimensions(dimensions: Dimensions) -> list[dict]:
    return [{"Name": name, "Value": value} for name, value in dimensions]
