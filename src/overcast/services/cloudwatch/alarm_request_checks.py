"""The parameter checks of the alarm operations that read, drive and delete alarms.

They are the operations' own checks (``alarms.py`` runs them in open mode) and, through
``request_checks.py``, strict mode runs them before authorizing the request, as CloudWatch
orders them: a malformed request is refused for anyone, before who may call it is asked.
"""

from __future__ import annotations

import json

from overcast.services.cloudwatch.alarm_evaluation import ALARM, INSUFFICIENT_DATA, OK
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, METRIC_ALARM
from overcast.services.cloudwatch.alarm_validation import check_alarm_name
from overcast.services.cloudwatch.errors import (InvalidFormat, InvalidParameterCombination, InvalidParameterValue,
                                                 MissingParameter)
from overcast.services.cloudwatch.validation import check_length

STATES = (OK, ALARM, INSUFFICIENT_DATA)
ALARM_TYPES = (COMPOSITE_ALARM, METRIC_ALARM)
HISTORY_TYPES = ("ConfigurationUpdate", "StateUpdate", "Action", "AlarmContributorStateUpdate",
                 "AlarmContributorAction")
SCAN_ORDERS = ("TimestampDescending", "TimestampAscending")
MAX_NAMES = 100  # AlarmNames in one DescribeAlarms / DeleteAlarms / Enable/DisableAlarmActions


def _check_state(state) -> str:
    if state not in STATES:
        raise InvalidParameterValue(f"The parameter StateValue must be a value in the set [ {', '.join(STATES)} ].")
    return state


def _check_types(types) -> None:
    for alarm_type in types or []:
        if alarm_type not in ALARM_TYPES:
            raise InvalidParameterValue(f"The parameter AlarmTypes must be a value in the set "
                                        f"[ {', '.join(ALARM_TYPES)} ].")


def check_alarm_names(params: dict) -> list:
    """DeleteAlarms, EnableAlarmActions, DisableAlarmActions: the AlarmNames list."""
    names = params.get("AlarmNames")
    if names is None:
        raise MissingParameter("The parameter AlarmNames is required.")
    if len(names) > MAX_NAMES:
        raise InvalidParameterValue(f"The collection AlarmNames must not have a size greater than {MAX_NAMES}.")
    return names


def check_describe_alarms(params: dict) -> None:
    names, prefix = params.get("AlarmNames"), params.get("AlarmNamePrefix")
    if names is not None and len(names) > MAX_NAMES:
        raise InvalidParameterValue(f"The collection AlarmNames must not have a size greater than {MAX_NAMES}.")
    if names and prefix is not None:
        raise InvalidParameterCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive "
                                          "and you have specified both.")
    for key in ("ChildrenOfAlarmName", "ParentsOfAlarmName"):
        if params.get(key) is not None and any(params.get(other) for other in (
                "AlarmNames", "AlarmNamePrefix", "StateValue", "ActionPrefix", "AlarmTypes",
                "ChildrenOfAlarmName" if key == "ParentsOfAlarmName" else "ParentsOfAlarmName")):
            raise InvalidParameterCombination(f"If {key} is specified, only MaxRecords and NextToken "
                                              "may also be specified.")
    if params.get("StateValue") is not None:
        _check_state(params["StateValue"])
    _check_types(params.get("AlarmTypes"))


def check_describe_alarms_for_metric(params: dict) -> None:
    if params.get("MetricName") is None:
        raise MissingParameter("The parameter MetricName is required.")
    if params.get("Namespace") is None:
        raise MissingParameter("The parameter Namespace is required.")


def check_describe_alarm_history(params: dict) -> None:
    if params.get("AlarmName") is not None:
        check_length(params["AlarmName"], "AlarmName", 1, 255)
    item_type = params.get("HistoryItemType")
    if item_type is not None and item_type not in HISTORY_TYPES:
        raise InvalidParameterValue(f"The parameter HistoryItemType must be a value in the set "
                                    f"[ {', '.join(HISTORY_TYPES)} ].")
    _check_types(params.get("AlarmTypes"))
    if (params.get("ScanBy") or SCAN_ORDERS[0]) not in SCAN_ORDERS:
        raise InvalidParameterValue(f"The parameter ScanBy must be a value in the set [ {', '.join(SCAN_ORDERS)} ].")


def check_set_alarm_state(params: dict) -> tuple[str, str, str, str | None]:
    """(name, state, reason, reason data) of a SetAlarmState request, checked."""
    name = check_alarm_name(params.get("AlarmName"))
    state = params.get("StateValue")
    if state is None:
        raise MissingParameter("The parameter StateValue is required.")
    _check_state(state)
    reason = params.get("StateReason")
    if reason is None:
        raise MissingParameter("The parameter StateReason is required.")
    check_length(reason, "StateReason", 0, 1023)
    data = params.get("StateReasonData")
    if data is not None:
        check_length(data, "StateReasonData", 0, 4000)
        try:
            json.loads(data)
        except ValueError:
            raise InvalidFormat("Data was not syntactically valid JSON") from None
    return name, state, reason, data
