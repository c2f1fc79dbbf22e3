"""Strict mode checks a request's own parameters before authorizing it, as CloudWatch orders
them: these are the metric operations' checks (the operations run them again in open mode)."""

from __future__ import annotations

from overcast.services.cloudwatch.entity_checks import check_entities
from overcast.services.cloudwatch.errors import InvalidParameterValue
from overcast.services.cloudwatch.metric_data import check_get_metric_data, check_widget_request
from overcast.services.cloudwatch.query_checks import check_statistics_query
from overcast.services.cloudwatch.validation import MAX_METRICS, check_datum, check_namespace, require


def check_put_metric_data(params: dict, now: float) -> list[tuple]:
    """PutMetricData's parameters, checked; the data as the store takes them (namespace first)."""
    namespace = check_namespace(require(params, "Namespace"))
    metric_data = params.get("MetricData") or []
    entity_data = params.get("EntityMetricData") or []
    if not metric_data and not entity_data:
        require(params, "MetricData")
    if len(metric_data) > MAX_METRICS:
        raise InvalidParameterValue(f"The collection MetricData must not have a size greater than {MAX_METRICS}.")
    data = [check_datum(datum, f"MetricData.member.{i}", now) for i, datum in enumerate(metric_data, 1)]
    for e, entity in enumerate(entity_data, 1):
        # the entity only associates related telemetry (Explorer), which Overcast has no view
        # of: its metrics are stored as any others
        for i, datum in enumerate(entity.get("MetricData") or [], 1):
            data.append(check_datum(datum, f"EntityMetricData.member.{e}.MetricData.member.{i}", now))
    check_entities(entity_data, bool(params.get("StrictEntityValidation")))
    if len(data) > MAX_METRICS:
        raise InvalidParameterValue(f"The collection MetricData must not have a size greater than {MAX_METRICS}.")
    return [(namespace, *datum) for datum in data]


CHECKS = {
    "PutMetricData": check_put_metric_data,
    "GetMetricStatistics": check_statistics_query,
    "GetMetricData": check_get_metric_data,
    "GetMetricWidgetImage": check_widget_request,
}
