"""``CloudWatch Alarm State Change``: the event CloudWatch puts on the default bus of the
alarm's account and region at every state transition of a metric or composite alarm
(CloudWatch user guide, "Alarm events and EventBridge"; delivery guaranteed, so it goes through
the cloud's durable service-event publisher).

The detail: alarmName; state and previousState, each with value, reason, reasonData (when
there is one) and timestamp (CloudWatch's ``2019-10-02T17:04:40.989+0000``), a composite
alarm's state also with actionsSuppressedBy / actionsSuppressedReason while its actions are
suppressed; configuration with the description and the metrics (metric alarms) or the
alarmRule and the suppressor settings (composite alarms).
"""

from __future__ import annotations

from overcast.services.cloudwatch.alarm_lambda import configuration_metrics
from overcast.services.cloudwatch.alarm_reasons import iso_millis
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, Alarm

SOURCE = "aws.cloudwatch"
DETAIL_TYPE = "CloudWatch Alarm State Change"
_SUPPRESSOR_SETTINGS = (("ActionsSuppressor", "actionsSuppressor"),
                        ("ActionsSuppressorWaitPeriod", "actionsSuppressorWaitPeriod"),
                        ("ActionsSuppressorExtensionPeriod", "actionsSuppressorExtensionPeriod"))


def previous_state(alarm: Alarm) -> dict:
    """The alarm's state as the event's previousState shows it (read before it changes)."""
    return _state(alarm.state_value, alarm.state_reason, alarm.state_reason_data, alarm.state_updated)


def state_change_detail(alarm: Alarm, previous: dict) -> dict:
    config = alarm.config
    state = _state(alarm.state_value, alarm.state_reason, alarm.state_reason_data, alarm.state_updated)
    if alarm.kind == COMPOSITE_ALARM and config.get("ActionsSuppressedBy"):
        state = {"actionsSuppressedBy": config["ActionsSuppressedBy"],
                 "actionsSuppressedReason": config.get("ActionsSuppressedReason"), **state}
    configuration: dict = {}
    if config.get("AlarmDescription") is not None:
        configuration["description"] = config["AlarmDescription"]
    if alarm.kind == COMPOSITE_ALARM:
        configuration["alarmRule"] = config.get("AlarmRule")
        for key, name in _SUPPRESSOR_SETTINGS:
            if config.get(key) is not None:
                configuration[name] = config[key]
    else:
        configuration["metrics"] = configuration_metrics(config)
    return {"alarmName": alarm.name, "state": state, "previousState": previous, "configuration": configuration}


def publish_state_change(cloud, alarm: Alarm, previous: dict) -> None:
    cloud.service_events.publish(alarm.scope, source=SOURCE, detail_type=DETAIL_TYPE,
                                 detail=state_change_detail(alarm, previous), resources=[alarm.arn],
                                 time=alarm.state_updated)


def _state(value: str, reason: str, reason_data: str | None, timestamp: float) -> dict:
    out = {"value": value, "reason": reason}
    if reason_data:
        out["reasonData"] = reason_data
    out["timestamp"] = iso_millis(timestamp)
    return out
