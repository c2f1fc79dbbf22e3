"""Lambda alarm actions: the event CloudWatch invokes a function with, kept until Overcast runs
Lambda (the Lambda service then delivers the stored invocations, oldest first).

The event's shape is AWS's (alarm actions that invoke Lambda): source ``aws.cloudwatch``,
alarmArn, accountId, time, region, and alarmData with the alarm's name, its new state
(value, reason, reasonData, timestamp), previousState and configuration (description and the
metrics as MetricDataQuery-like structures with lower-case keys).
"""

from __future__ import annotations

import json

from overcast.services.cloudwatch.alarm_reasons import iso_millis
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, Alarm


def invocation_event(alarm: Alarm, old_state: str, old_reason: str | None = None) -> dict:
    config = alarm.config
    state = {"value": alarm.state_value, "reason": alarm.state_reason, "timestamp": iso_millis(alarm.state_updated)}
    if alarm.state_reason_data:
        state["reasonData"] = alarm.state_reason_data
    data: dict = {"alarmName": alarm.name, "state": state, "previousState": {"value": old_state}}
    if old_reason:
        data["previousState"]["reason"] = old_reason
    configuration: dict = {}
    if config.get("AlarmDescription") is not None:
        configuration["description"] = config["AlarmDescription"]
    if alarm.kind == COMPOSITE_ALARM:
        configuration["alarmRule"] = config.get("AlarmRule")
    else:
        configuration["metrics"] = configuration_metrics(config)
    data["configuration"] = configuration
    return {"source": "aws.cloudwatch", "alarmArn": alarm.arn, "accountId": alarm.account,
            "time": iso_millis(alarm.state_updated), "region": alarm.region, "alarmData": data}


def configuration_metrics(config: dict) -> list[dict]:
    """The alarm's metrics as its events show them (MetricDataQuery-like, lower-case keys)."""
    if config.get("Metrics"):
        out = []
        for query in config["Metrics"]:
            entry: dict = {"id": query["Id"]}
            stat = query.get("MetricStat")
            if stat:
                metric = stat.get("Metric", {})
                entry["metricStat"] = {"metric": {"namespace": metric.get("Namespace"), "name": metric.get("MetricName"),
                                                  "dimensions": {d["Name"]: d["Value"]
                                                                 for d in metric.get("Dimensions", [])}},
                                       "period": stat.get("Period"), "stat": stat.get("Stat")}
            if query.get("Expression"):
                entry["expression"] = query["Expression"]
            if query.get("Label"):
                entry["label"] = query["Label"]
            entry["returnData"] = query.get("ReturnData", True)
            out.append(entry)
        return out
    return [{"id": "m1", "metricStat": {
        "metric": {"namespace": config.get("Namespace"), "name": config.get("MetricName"),
                   "dimensions": {d["Name"]: d["Value"] for d in config.get("Dimensions", [])}},
        "period": config.get("Period"), "stat": config.get("Statistic") or config.get("ExtendedStatistic")},
        "returnData": True}]


def store_invocation(db, alarm: Alarm, function_arn: str, event: dict, now: float) -> None:
    db.execute("INSERT INTO alarm_lambda_invocations (seq, account, region, function_arn, event, created) VALUES "
               "((SELECT COALESCE(MAX(seq), 0) + 1 FROM alarm_lambda_invocations), ?, ?, ?, ?, ?)",
               (alarm.account, alarm.region, function_arn, json.dumps(event, separators=(",", ":")), now))


def pending_invocations(db) -> list[tuple[int, str, str, str, dict]]:
    """(seq, account, region, function ARN, event) of the stored invocations, oldest first."""
    rows = db.query("SELECT seq, account, region, function_arn, event FROM alarm_lambda_invocations ORDER BY seq")
    return [(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]
