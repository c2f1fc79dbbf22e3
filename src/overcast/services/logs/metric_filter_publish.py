"""Metric filters at ingestion: the events of a PutLogEvents batch that match a group's metric
filters become CloudWatch datapoints.

The listener runs after the batch is committed (``after_commit``). A group without metric
filters costs one dict lookup: the filters of each group are cached (compiled pattern and
transformation), dropped when a filter of the group is put or deleted.

Per filter and batch, the matching events' values are summed into one datum per metric
(dimension values) and minute of the events' timestamps, as a statistic set (SampleCount,
Sum, Minimum, Maximum), stamped with the earliest matching event's timestamp: CloudWatch's
minute statistics are those of the individual values. A filter with a defaultValue whose
pattern matched nothing in the batch publishes that value once, at the batch's latest event
(AWS: "the value to emit when a filter pattern does not match a log event").

The data go to CloudWatch's internal write (``put_service_metrics``, which takes a user
namespace as well) through the service registry: Logs never imports CloudWatch.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from overcast.services.logs.metric_transformations import Transformation, transformation_from_dict
from overcast.services.logs.system_fields import applies_to, system_fields

log = logging.getLogger("overcast.logs.metric_filters")
MINUTE_MS = 60_000


@dataclass(frozen=True)
class ActiveMetricFilter:
    name: str
    pattern: object  # filter_pattern.FilterPattern
    transformation: Transformation
    system_dimensions: tuple[tuple[str, str], ...] = ()  # emitSystemFieldDimensions, with the group's values


class MetricFilterPublisher:
    """The ingest listener of metric filters (registered by ``MetricFilterOperations``)."""

    def __init__(self, provider):
        self.provider = provider
        # group_id -> its active filters (group ids are never reused)
        self._cache: dict[int, list[ActiveMetricFilter]] = {}
        self._tasks: set[asyncio.Task] = set()

    def forget(self, group_id: int | None = None) -> None:
        """Drop the cached filters of one group (or all: reset)."""
        if group_id is None:
            self._cache.clear()
        else:
            self._cache.pop(group_id, None)

    def filters_of(self, group) -> list[ActiveMetricFilter]:
        cached = self._cache.get(group.group_id)
        if cached is not None:
            return cached
        from overcast.services.logs.filter_pattern import compile_pattern

        rows = self.provider.db.query(
            "SELECT filter_name, config FROM metric_filters WHERE group_id = ? ORDER BY filter_name",
            (group.group_id,))
        active = []
        fields = system_fields(group)
        for name, config in rows:
            item = json.loads(config)
            if not applies_to(item.get("fieldSelectionCriteria"), group):
                continue
            emitted = tuple((field, fields[field]) for field in item.get("emitSystemFieldDimensions") or ())
            active.append(ActiveMetricFilter(name, compile_pattern(item["filterPattern"]),
                                             transformation_from_dict(item["metricTransformations"][0]), emitted))
        self._cache[group.group_id] = active
        return active

    # -- the ingest listener ---------------------------------------------------------------

    def in_transaction(self, batch) -> None:
        """Metric filters write nothing durable with the events."""

    def after_commit(self, batch) -> None:
        filters = self.filters_of(batch.group)
        if not filters or not batch.events:
            return
        by_namespace: dict[str, list[dict]] = {}
        for active in filters:
            for namespace, datum in metric_data(active, batch.events):
                by_namespace.setdefault(namespace, []).append(datum)
        for namespace, data in by_namespace.items():
            self._publish(batch.scope, namespace, data)

    # -- into CloudWatch -------------------------------------------------------------------

    def _publish(self, scope, namespace: str, data: list[dict]) -> None:
        registry = self.provider.cloud.services
        if not registry.is_implemented("cloudwatch"):
            return
        cloudwatch = registry.loaded().get("cloudwatch")
        if cloudwatch is not None:
            _put(cloudwatch, scope, namespace, data)
            return
        # CloudWatch not loaded yet: load and start it off this call (once per process)
        task = asyncio.get_running_loop().create_task(self._publish_started(scope, namespace, data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish_started(self, scope, namespace: str, data: list[dict]) -> None:
        try:
            cloudwatch = await self.provider.cloud.services.started("cloudwatch")
        except Exception:  # noqa: BLE001 - metrics never break ingestion
            log.exception("loading CloudWatch for metric filters failed")
            return
        _put(cloudwatch, scope, namespace, data)


def _put(cloudwatch, scope, namespace: str, data: list[dict]) -> None:
    try:
        cloudwatch.put_service_metrics(scope, namespace, data)
        return
    except Exception:  # noqa: BLE001 - CloudWatch checks the data as a whole: find which it refuses
        if len(data) == 1:
            log.info("CloudWatch refused a metric filter datum for %s", namespace, exc_info=True)
            return
    for datum in data:  # a datum CloudWatch refuses (older than it takes) adds nothing; the others count
        _put(cloudwatch, scope, namespace, [datum])


def metric_data(active: ActiveMetricFilter, events) -> list[tuple[str, dict]]:
    """(namespace, PutMetricData datum) pairs one filter publishes for a batch's events."""
    transformation = active.transformation
    cells: dict[tuple, list[float]] = {}  # (dimensions, minute) -> [n, sum, min, max, first ms]
    match = active.pattern.match
    for event in events:
        found = match(event.message)
        if found is None:
            continue
        applied = transformation.apply(found)
        if applied is None:
            continue
        value, dimensions = applied
        if active.system_dimensions:
            dimensions = dimensions + active.system_dimensions
        key = (dimensions, event.timestamp // MINUTE_MS)
        cell = cells.get(key)
        if cell is None:
            cells[key] = [1.0, value, value, value, event.timestamp]
            continue
        cell[0] += 1.0
        cell[1] += value
        cell[2] = min(cell[2], value)
        cell[3] = max(cell[3], value)
        cell[4] = min(cell[4], event.timestamp)
    out = []
    for (dimensions, _), (n, total, low, high, first) in cells.items():
        out.append((transformation.namespace, {
            "MetricName": transformation.name, "Timestamp": first / 1000.0, "Unit": transformation.unit,
            "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions],
            "StatisticValues": {"SampleCount": n, "Sum": total, "Minimum": low, "Maximum": high}}))
    if not out and transformation.default is not None:
        latest = max(event.timestamp for event in events)
        out.append((transformation.namespace, {
            "MetricName": transformation.name, "Timestamp": latest / 1000.0, "Unit": transformation.unit,
            "Dimensions": [{"Name": name, "Value": value} for name, value in active.system_dimensions],
            "Value": transformation.default}))
    return out
