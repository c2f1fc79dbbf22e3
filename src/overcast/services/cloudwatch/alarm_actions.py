"""Alarm actions: the ARNs PutMetricAlarm accepts, and carrying an action out.

Accepted (PutMetricAlarm reference, AlarmActions): SNS topics; the EC2 actions
``arn:aws:automate:<region>:ec2:stop|terminate|reboot|recover`` and their
``arn:aws:swf:<region>:<account>:action/actions/AWS_EC2.InstanceId.<Action>/1.0`` form; Auto
Scaling policies; Lambda functions (optionally a version or alias); Systems Manager OpsItems
and Incident Manager response plans; Amazon Q investigation groups. Anything else is refused
at PutMetricAlarm with a ValidationError, never stored and dropped later.

Carrying out: SNS Publish (the alarm's JSON message) and EC2 Stop/Terminate/Reboot/Recover
on the instance of the alarm's ``InstanceId`` dimension go through the in-process client as
CloudWatch; a Lambda action's invocation event is stored until Overcast runs Lambda
(``alarm_lambda.py``); kinds whose service Overcast does not run yet (Auto Scaling, Systems
Manager, investigations) are recorded in the history as failed with the reason, so nothing is
silently skipped.
"""

from __future__ import annotations

import json
import re

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.cloudwatch.alarm_errors import ValidationError
from overcast.services.cloudwatch.alarm_lambda import store_invocation
from overcast.services.cloudwatch.alarm_topic_policy import CLOUDWATCH_SERVICE as CLOUDWATCH_PRINCIPAL
from overcast.services.cloudwatch.alarm_topic_policy import topic_refusal
from overcast.services.cloudwatch.errors import InvalidParameterValue

MAX_ACTIONS = 5  # per state (PutMetricAlarm: AlarmActions, OKActions, InsufficientDataActions)
_P = r"arn:aws(?:-[a-z]+)*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_ACCOUNT = r"\d{12}"
_PATTERNS = {
    "sns": re.compile(rf"^{_P}:sns:{_REGION}:{_ACCOUNT}:[A-Za-z0-9_-]{{1,256}}(?:\.fifo)?$"),
    "automate": re.compile(rf"^{_P}:automate:({_REGION}):ec2:(stop|terminate|reboot|recover)$"),
    "swf": re.compile(rf"^{_P}:swf:({_REGION}):{_ACCOUNT}:action/actions/AWS_EC2\.InstanceId\."
                      r"(Stop|Terminate|Reboot|Recover)/1\.0$"),
    "autoscaling": re.compile(rf"^{_P}:autoscaling:{_REGION}:{_ACCOUNT}:scalingPolicy:.+$"),
    "lambda": re.compile(rf"^{_P}:lambda:{_REGION}:{_ACCOUNT}:function:[A-Za-z0-9_-]{{1,64}}(?::[A-Za-z0-9_$-]+)?$"),
    "ssm": re.compile(rf"^{_P}:ssm:{_REGION}:{_ACCOUNT}:opsitem:[1-4](?:#CATEGORY=[A-Za-z]+)?$"),
    "ssm-incidents": re.compile(rf"^{_P}:ssm-incidents::{_ACCOUNT}:responseplan/[A-Za-z0-9_-]+$"),
    "aiops": re.compile(rf"^{_P}:aiops:{_REGION}:{_ACCOUNT}:investigation-group:[A-Za-z0-9]+$"),
}
_EC2_OPERATIONS = {"stop": "StopInstances", "terminate": "TerminateInstances", "reboot": "RebootInstances",
                   "recover": "RecoverInstances"}


def action_kind(arn: str) -> str | None:
    """The kind of a valid action ARN (a key of _PATTERNS), or None."""
    for kind, pattern in _PATTERNS.items():
        if pattern.match(arn):
            return kind
    return None


def check_actions(actions: list, path: str, region: str) -> list[str]:
    """The action list, checked as PutMetricAlarm checks it."""
    if len(actions) > MAX_ACTIONS:
        raise InvalidParameterValue(f"The collection {path} must not have a size greater than {MAX_ACTIONS}.")
    for arn in actions:
        kind = action_kind(arn) if isinstance(arn, str) else None
        if kind is None:
            raise ValidationError(f"Invalid arn syntax: {arn}")
        if kind in ("automate", "swf"):
            action_region = (_PATTERNS[kind].match(arn).group(1))
            if action_region != region:
                raise ValidationError(f"Invalid region {action_region} specified. Only {region} is supported.")
    return list(actions)


class ActionFailed(Exception):
    """An action could not be carried out; the message goes into the alarm's history."""


def cloudwatch_context(provider, account: str, region: str) -> RequestContext:
    """The context CloudWatch acts with: its service principal in the alarm's account."""
    return RequestContext(account=account, region=region, service="cloudwatch", principal_arn=CLOUDWATCH_PRINCIPAL,
                          registry=provider.cloud.services)


class ActionPending(ActionFailed):
    """The action is stored, to be carried out once its service runs."""


async def run_action(provider, alarm, arn: str, message: dict, subject: str, lambda_event: dict) -> dict:
    """Carry out one action; returns the history's action details, raises ActionFailed."""
    kind = action_kind(arn)
    ctx = cloudwatch_context(provider, alarm.account, alarm.region)
    if kind == "sns":
        topic_account = arn.split(":")[4]
        refusal = await topic_refusal(provider, ctx, alarm, arn)
        if refusal is not None:
            raise ActionFailed(refusal)
        text = json.dumps(message, separators=(",", ":"))
        try:
            await ctx.services.call("sns", "Publish", {"TopicArn": arn, "Message": text, "Subject": subject},
                                    account=topic_account, region=arn.split(":")[3])
        except AwsError as exc:
            raise ActionFailed(exc.message or exc.code) from exc
        return {"notificationResource": arn, "publishedMessage": text}
    if kind in ("automate", "swf"):
        verb = arn.rsplit(":", 1)[1] if kind == "automate" else arn.split("InstanceId.")[1].split("/")[0].lower()
        instance = next((d["Value"] for d in alarm.config.get("Dimensions") or [] if d["Name"] == "InstanceId"), None)
        if instance is None:
            raise ActionFailed("The alarm's metric has no InstanceId dimension: EC2 actions need a per-instance metric.")
        operation = _EC2_OPERATIONS[verb]
        if not provider.cloud.services.implements("ec2", operation):
            raise ActionFailed(f"EC2 {operation} is not implemented by Overcast yet.")
        try:
            await ctx.services.call("ec2", operation, {"InstanceIds": [instance]})
        except AwsError as exc:
            raise ActionFailed(exc.message or exc.code) from exc
        return {"instanceId": instance, "ec2Action": verb}
    if kind == "lambda":
        if provider.cloud.services.is_implemented("lambda"):
            try:
                await ctx.services.call("lambda", "Invoke", {"FunctionName": arn, "InvocationType": "Event",
                                                             "Payload": json.dumps(lambda_event).encode()})
            except AwsError as exc:
                raise ActionFailed(exc.message or exc.code) from exc
            return {"functionArn": arn}
        # kept for the Lambda service, which delivers what waits here once it exists
        store_invocation(provider.db, alarm, arn, lambda_event, provider.clock.now())
        raise ActionPending("Lambda is not running in Overcast yet: the invocation is stored for it.")
    raise ActionFailed(f"Actions of kind {kind} are not carried out until Overcast runs that service.")
