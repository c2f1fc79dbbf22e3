"""Alarms as DescribeAlarms shows them (MetricAlarm and CompositeAlarm structures)."""

from __future__ import annotations

from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, Alarm

_METRIC_ORDER = ("AlarmDescription", "OKActions", "AlarmActions", "InsufficientDataActions", "MetricName", "Namespace",
                 "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
                 "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                 "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId")
_COMPOSITE_ORDER = ("AlarmDescription", "AlarmRule", "OKActions", "AlarmActions", "InsufficientDataActions",
                    "ActionsSuppressedBy", "ActionsSuppressedReason", "ActionsSuppressor",
                    "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod")


def alarm_view(alarm: Alarm) -> dict:
    """The alarm's DescribeAlarms entry."""
    config = alarm.config
    out: dict = {"AlarmName": alarm.name, "AlarmArn": alarm.arn}
    order = _COMPOSITE_ORDER if alarm.kind == COMPOSITE_ALARM else _METRIC_ORDER
    out["AlarmConfigurationUpdatedTimestamp"] = alarm.config_updated
    out["ActionsEnabled"] = alarm.actions_enabled
    for key in order:
        if config.get(key) is not None:
            out[key] = config[key]
    out["StateValue"] = alarm.state_value
    out["StateReason"] = alarm.state_reason
    if alarm.state_reason_data:
        out["StateReasonData"] = alarm.state_reason_data
    out["StateUpdatedTimestamp"] = alarm.state_updated
    out["StateTransitionedTimestamp"] = alarm.state_transitioned
    return out
