"""Strict mode checks a request's own parameters before authorizing it, as CloudWatch orders
them: these are the operations' own checks (the operations run them again in open mode).
Every check is called ``check(params, now, region)``: the metric checks read the cloud clock,
the alarm checks the request's region (an action ARN of another region is refused)."""

from __future__ import annotations

from overcast.services.cloudwatch.alarm_request_checks import (check_alarm_names, check_describe_alarm_history,
                                                               check_describe_alarms,
                                                               check_describe_alarms_for_metric, check_set_alarm_state)
from overcast.services.cloudwatch.alarm_validation import check_metric_alarm
from overcast.services.cloudwatch.composite_validation import check_composite_parameters
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


def _at(check):
    """A check of the clock alone (the metric operations)."""
    return lambda params, now, region: check(params, now)


def _in(check):
    """A check of the request's region alone (creating alarms)."""
    return lambda params, now, region: check(params, region)


def _alone(check):
    """A check of the parameters alone."""
    return lambda params, now, region: check(params)


CHECKS = {
    "PutMetricData": _at(check_put_metric_data),
    "GetMetricStatistics": _at(check_statistics_query),
    "GetMetricData": _at(check_get_metric_data),
    "GetMetricWidgetImage": _at(check_widget_request),
    "PutMetricAlarm": _in(check_metric_alarm),
    "PutCompositeAlarm": _in(check_composite_parameters),
    "DescribeAlarms": _alone(check_describe_alarms),
    "DescribeAlarmsForMetric": _alone(check_describe_alarms_for_metric),
    "DescribeAlarmHistory": _alone(check_describe_alarm_history),
    "SetAlarmState": _alone(check_set_alarm_state),
    "DeleteAlarms": _alone(check_alarm_names),
    "EnableAlarmActions": _alone(check_alarm_names),
    "DisableAlarmActions": _alone(check_alarm_names),
}
