"""What a schedule's target is called with: the templated targets (SQS SendMessage, SNS
Publish, Lambda Invoke, EventBridge PutEvents) and the universal target
``arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`` (Input is the API request's JSON).

``<aws.scheduler.*>`` context attributes in Input are filled per run, as AWS documents them
("Adding context attributes": schedule-arn, scheduled-time, execution-id, attempt-number).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

import botocore.session

from overcast.services.scheduler.errors import ValidationException

_P = r"arn:aws(?:-[a-z]+)*"
_TEMPLATED = re.compile(rf"{_P}:(sqs|sns|lambda|events):([a-z0-9-]+):(\d{{12}}):(.+)")
_UNIVERSAL = re.compile(rf"{_P}:scheduler:::aws-sdk:([a-z0-9]+):([a-z][A-Za-z0-9]*)")
# another templated target (ECS RunTask, Kinesis PutRecord, Step Functions StartExecution...)
_OTHER = re.compile(rf"{_P}:([a-z0-9-]+):([a-z0-9-]*):(\d{{12}}):(.+)")


@dataclass(frozen=True)
class TargetKind:
    kind: str  # "sqs" | "sns" | "lambda" | "events" | "universal" | "other" (not called yet)
    service: str  # the botocore service the call goes to
    region: str | None
    account: str | None
    resource: str  # the queue name, topic ARN, function ARN, bus ARN, or the operation


@functools.lru_cache(maxsize=1)
def _sdk_services() -> dict[str, str]:
    """The SDKs' service identifiers (``cloudwatchlogs``, ``eventbridge``) -> botocore names."""
    session = botocore.session.get_session()
    names = {}
    for name in session.get_available_services():
        service_id = session.get_service_model(name).metadata.get("serviceId") or name
        names[service_id.lower().replace(" ", "")] = name
        names.setdefault(name, name)
    return names


def parse_target(arn: str) -> TargetKind | None:
    found = _UNIVERSAL.fullmatch(arn)
    if found:
        service = _sdk_services().get(found.group(1))
        if service is None:
            return None
        action = found.group(2)
        return TargetKind("universal", service, None, None, action[0].upper() + action[1:])
    found = _TEMPLATED.fullmatch(arn)
    if found:
        kind, region, account, rest = found.groups()
        resource = rest if kind == "sqs" else arn
        if kind == "events" and not rest.startswith("event-bus/"):
            return None
        return TargetKind(kind, kind, region, account, resource)
    found = _OTHER.fullmatch(arn)
    if found:
        service, region, account, rest = found.groups()
        return TargetKind("other", service, region or None, account, rest)
    return None


def check_target(target: dict) -> None:
    """CreateSchedule's checks of a target beyond the model's constraints."""
    kind = parse_target(target["Arn"])
    if kind is None:
        raise ValidationException(f"Invalid target arn {target['Arn']}.")
    if kind.kind == "universal" and target.get("Input") is not None:
        try:
            request = json.loads(target["Input"])
        except ValueError:
            request = None
        if not isinstance(request, dict):
            raise ValidationException("Invalid RequestJson provided. Reason Input must be a JSON object.")
    if target.get("EventBridgeParameters") is not None and kind.kind != "events":
        raise ValidationException("EventBridgeParameters can only be specified for an EventBridge target.")
    if kind.kind == "events" and target.get("EventBridgeParameters") is None:
        raise ValidationException("EventBridgeParameters must be specified for an EventBridge target.")
    if target.get("SqsParameters") is not None and kind.kind != "sqs":
        raise ValidationException("SqsParameters can only be specified for an SQS target.")


def fill_context(text: str, *, schedule_arn: str, scheduled: str, execution_id: str, attempt: int) -> str:
    """Input with the ``<aws.scheduler.*>`` context attributes replaced."""
    if "<aws.scheduler." not in text:
        return text
    return (text.replace("<aws.scheduler.schedule-arn>", schedule_arn)
            .replace("<aws.scheduler.scheduled-time>", scheduled)
            .replace("<aws.scheduler.execution-id>", execution_id)
            .replace("<aws.scheduler.attempt-number>", str(attempt)))
