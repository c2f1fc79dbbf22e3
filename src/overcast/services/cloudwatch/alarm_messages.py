"""The JSON message CloudWatch publishes to an SNS topic when an alarm changes state.

Shape of AWS's notifications: AlarmName, AlarmDescription, AWSAccountId,
AlarmConfigurationUpdatedTimestamp, NewStateValue, NewStateReason, StateChangeTime, Region
(the region's long name, "US East (N. Virginia)"), AlarmArn, OldStateValue, OKActions,
AlarmActions, InsufficientDataActions and Trigger (the metric, statistic in capitals, its
dimensions as ``{"value", "name"}``, period, evaluation settings; ``Metrics`` for metric math).
Composite alarms send AlarmRule and TriggeringChildren instead of Trigger. The subject is
``ALARM: "name" in US East (N. Virginia)``.
"""

from __future__ import annotations

import functools
import json
import os

from overcast.services.cloudwatch.alarm_reasons import iso_millis
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, Alarm


@functools.lru_cache(maxsize=None)
def _region_names() -> dict[str, str]:
    import botocore

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    names = {}
    for partition in data.get("partitions", []):
        for region, info in partition.get("regions", {}).items():
            # alarm notifications keep the older "EU (Ireland)" style of Europe's regions
            names[region] = info.get("description", region).replace("Europe (", "EU (")
    return names


def region_name(region: str) -> str:
    return _region_names().get(region, region)


def subject(alarm: Alarm, new_state: str) -> str:
    text = f'{new_state}: "{alarm.name}" in {region_name(alarm.region)}'
    return text[:100]  # an SNS subject has at most 100 characters


def notification(alarm: Alarm, old_state: str, triggering: list[dict] | None = None) -> dict:
    """The message of a transition of ``alarm`` (already in its new state)."""
    config = alarm.config
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": config.get("AlarmDescription"),
        "AWSAccountId": alarm.account,
        "AlarmConfigurationUpdatedTimestamp": iso_millis(alarm.config_updated),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": iso_millis(alarm.state_updated),
        "Region": region_name(alarm.region),
        "AlarmArn": alarm.arn,
        "OldStateValue": old_state,
        "OKActions": config.get("OKActions", []),
        "AlarmActions": config.get("AlarmActions", []),
        "InsufficientDataActions": config.get("InsufficientDataActions", []),
    }
    if alarm.kind == COMPOSITE_ALARM:
        message["AlarmRule"] = config.get("AlarmRule")
        message["TriggeringChildren"] = triggering or []
    else:
        message["Trigger"] = trigger(config)
    return message


def trigger(config: dict) -> dict:
    """The alarm's metric and criteria as the notification's Trigger shows them."""
    out: dict = {}
    if config.get("Metrics"):
        out["Metrics"] = [_trigger_query(query) for query in config["Metrics"]]
        out["Period"] = config.get("_period")
    else:
        out["MetricName"] = config.get("MetricName")
        out["Namespace"] = config.get("Namespace")
        if config.get("ExtendedStatistic"):
            out["StatisticType"] = "ExtendedStatistic"
            out["ExtendedStatistic"] = config["ExtendedStatistic"]
        else:
            out["StatisticType"] = "Statistic"
            out["Statistic"] = config.get("Statistic", "").upper()
        out["Unit"] = config.get("Unit")
        out["Dimensions"] = [{"value": d["Value"], "name": d["Name"]} for d in config.get("Dimensions", [])]
        out["Period"] = config.get("Period")
    out["EvaluationPeriods"] = config.get("EvaluationPeriods")
    if config.get("DatapointsToAlarm") is not None:
        out["DatapointsToAlarm"] = config["DatapointsToAlarm"]
    out["ComparisonOperator"] = config.get("ComparisonOperator")
    if config.get("ThresholdMetricId") is not None:
        out["ThresholdMetricId"] = config["ThresholdMetricId"]
    else:
        out["Threshold"] = config.get("Threshold")
    out["TreatMissingData"] = config.get("TreatMissingData", "missing")
    out["EvaluateLowSampleCountPercentile"] = config.get("EvaluateLowSampleCountPercentile", "")
    return out


def _trigger_query(query: dict) -> dict:
    out: dict = {"Id": query["Id"]}
    stat = query.get("MetricStat")
    if stat is not None:
        metric = stat.get("Metric", {})
        out["MetricStat"] = {
            "Metric": {"Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in metric.get("Dimensions", [])],
                       "MetricName": metric.get("MetricName"), "Namespace": metric.get("Namespace")},
            "Period": stat.get("Period"), "Stat": stat.get("Stat")}
    if query.get("Expression") is not None:
        out["Expression"] = query["Expression"]
    if query.get("Label") is not None:
        out["Label"] = query["Label"]
    out["ReturnData"] = query.get("ReturnData", True)
    return out
