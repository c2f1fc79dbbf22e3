"""PutCompositeAlarm's checks: the AlarmRule (``alarm_rule.py``), its children, the actions a
composite alarm may have, and the ActionsSuppressor settings.

A composite alarm "can send Amazon SNS notifications ... but can't perform EC2 actions or
Auto Scaling actions" (the CloudWatch guide); its children must exist when it is saved
("Could not save the composite alarm as alarms [...] in the alarm rule do not exist"), and a
rule may not lead back to the alarm itself.
"""

from __future__ import annotations

from overcast.services.cloudwatch.alarm_actions import action_kind
from overcast.services.cloudwatch.alarm_errors import ValidationError
from overcast.services.cloudwatch.alarm_rule import MAX_RULE_LENGTH, AlarmRuleError, parse_rule
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, Alarm, alarm_arn
from overcast.services.cloudwatch.alarm_validation import check_common, check_alarm_name
from overcast.services.cloudwatch.errors import InvalidParameterValue, MissingParameter
from overcast.services.cloudwatch.validation import check_length

_NOT_FOR_COMPOSITES = ("automate", "swf", "autoscaling")


def children_of(alarm: Alarm) -> tuple[str, ...]:
    """The names or ARNs a composite alarm's rule refers to."""
    if alarm is None or alarm.kind != COMPOSITE_ALARM:
        return ()
    try:
        return parse_rule(alarm.config["AlarmRule"]).children
    except AlarmRuleError:
        return ()


def check_composite_parameters(params: dict, region: str) -> dict:
    """The request's own parameters (strict mode checks them before authorization); the
    children and the suppressor must then exist (``check_composite_alarm``)."""
    config = check_common(params, region)
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        for arn in config[key]:
            if action_kind(arn) in _NOT_FOR_COMPOSITES:
                raise ValidationError(f"Composite alarms cannot have EC2 or Auto Scaling actions: {arn}")
    rule = params.get("AlarmRule")
    if rule is None:
        raise MissingParameter("The parameter AlarmRule is required.")
    check_length(rule, "AlarmRule", 1, MAX_RULE_LENGTH)
    try:
        parse_rule(rule)
    except AlarmRuleError as error:
        raise ValidationError(f"Error in AlarmRule [{error}]") from None
    config["AlarmRule"] = rule
    suppressor = params.get("ActionsSuppressor")
    wait, extension = params.get("ActionsSuppressorWaitPeriod"), params.get("ActionsSuppressorExtensionPeriod")
    if suppressor is not None:
        check_length(suppressor, "ActionsSuppressor", 1, 1600)
        check_alarm_name(_suppressor_name(suppressor), "ActionsSuppressor")
        if wait is None or extension is None:
            raise ValidationError("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required "
                                  "when ActionsSuppressor is specified")
        for key, value in (("ActionsSuppressorWaitPeriod", wait), ("ActionsSuppressorExtensionPeriod", extension)):
            if value < 0:
                raise InvalidParameterValue(f"The parameter {key} must be greater than or equal to 0.")
        config.update({"ActionsSuppressor": suppressor, "ActionsSuppressorWaitPeriod": wait,
                       "ActionsSuppressorExtensionPeriod": extension})
    elif wait is not None or extension is not None:
        raise ValidationError("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can only be "
                              "specified with ActionsSuppressor")
    return config


def _suppressor_name(suppressor: str) -> str:
    return suppressor.split(":alarm:", 1)[1] if ":alarm:" in suppressor else suppressor


def check_composite_alarm(params: dict, region: str, store, scope) -> dict:
    """The composite alarm's settings: its parameters, then the alarms it names exist and its
    rule does not lead back to itself."""
    config = check_composite_parameters(params, region)
    children = parse_rule(config["AlarmRule"]).children
    alarms = {a.name: a for a in store.of_scope(scope)}
    arns = {a.arn: a for a in alarms.values()}
    name = config["AlarmName"]
    missing = [c for c in children if c not in alarms and c not in arns]
    if missing:
        raise ValidationError(f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm "
                              "rule do not exist")
    if _leads_back(name, alarm_arn(*scope, name), children, alarms, arns):
        raise ValidationError(f"Could not save the composite alarm {name} as its alarm rule creates a cycle")
    suppressor = config.get("ActionsSuppressor")
    if suppressor is not None and _suppressor_name(suppressor) not in alarms:
        raise ValidationError(f"Could not save the composite alarm as the ActionsSuppressor alarm "
                              f"{suppressor} does not exist")
    return config


def _leads_back(name: str, arn: str, children, alarms: dict, arns: dict) -> bool:
    seen: set[str] = set()
    pending = list(children)
    while pending:
        reference = pending.pop()
        child = alarms.get(reference) or arns.get(reference)
        if child is None or child.name in seen:
            continue
        if child.name == name:
            return True
        seen.add(child.name)
        pending.extend(children_of(child))
    return False
