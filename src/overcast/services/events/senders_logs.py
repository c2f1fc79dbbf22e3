"""Delivery to a CloudWatch Logs log group (``arn:aws:logs:<region>:<account>:log-group:<name>``).

As on AWS, EventBridge writes each event into a log stream of its own named after the event
id (CreateLogStream, then PutLogEvents) with the event's time as the log event's timestamp,
the target's input (the whole event by default) as the message. Logs targets take no
RoleArn: in strict mode the group's resource policies (PutResourcePolicy) must let
``events.amazonaws.com`` do logs:CreateLogStream and logs:PutLogEvents for the rule.
A missing group is an error AWS does not retry. An InputTransformer whose output is
``{"timestamp": ..., "message": ...}`` (the form AWS takes for log group targets) gives the
log event's timestamp and message.
"""

from __future__ import annotations

import calendar
import json
import time

from overcast.errors import AwsError
from overcast.services.events.dispatch import Delivery, DeliveryFailure
from overcast.services.events.senders import arn_parts, events_context, failure_of, policy_lets_events

KIND = "logs"
_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def _group_name(resource: str) -> str:
    if not resource.startswith("log-group:"):
        raise DeliveryFailure("NO_RESOURCE", f"{resource} is not a log group.", retryable=False)
    name = resource[len("log-group:"):]
    return name[:-2] if name.endswith(":*") else name


def _timestamp_ms(event: dict, now: float) -> int:
    try:
        return calendar.timegm(time.strptime(event.get("time", ""), "%Y-%m-%dT%H:%M:%SZ")) * 1000
    except (TypeError, ValueError):
        return int(now * 1000)


def _log_event(delivery: Delivery, now: float) -> tuple[int, str]:
    """(timestamp ms, message): the event's time and the target's input; an InputTransformer's
    output of the form ``{"timestamp": ..., "message": ...}`` (the template AWS takes for log
    group targets) gives both."""
    timestamp = _timestamp_ms(delivery.event, now)
    if "InputTransformer" in delivery.target:
        try:
            shaped = json.loads(delivery.input_text)
        except ValueError:
            shaped = None
        if isinstance(shaped, dict) and "message" in shaped:
            message = shaped["message"]
            stamp = shaped.get("timestamp")
            if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
                timestamp = int(stamp)
            elif isinstance(stamp, str):
                timestamp = _timestamp_ms({"time": stamp}, now)
            return timestamp, message if isinstance(message, str) else json.dumps(message, separators=(",", ":"))
    return timestamp, delivery.input_text


async def _policies_let_events(ctx, account: str, stream_arn: str, delivery: Delivery, now: float) -> bool:
    answer = await ctx.services.call("logs", "DescribeResourcePolicies", {}, account=account)
    texts = [p.get("policyDocument") for p in answer.get("resourcePolicies") or ()]
    return all(any(policy_lets_events(text, action, stream_arn, account, delivery.rule.arn, delivery.rule.account,
                                      now) for text in texts) for action in _ACTIONS)


def sender(provider):
    async def send(delivery: Delivery) -> None:
        region, account, resource = arn_parts(delivery.target["Arn"], "logs")
        group = _group_name(resource)
        stream = delivery.event.get("id") or "events"
        ctx = events_context(provider, delivery.rule.account, region)
        now = provider.clock.now()
        try:
            if provider.cloud.settings.strict:
                stream_arn = f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}"
                if not await _policies_let_events(ctx, account, stream_arn, delivery, now):
                    raise DeliveryFailure("NO_PERMISSIONS", f"The resource policies of log group {group} do not let "
                                          "EventBridge write its events.", retryable=False)
            try:
                await ctx.services.call("logs", "CreateLogStream", {"logGroupName": group, "logStreamName": stream},
                                        account=account)
            except AwsError as exc:
                if exc.code != "ResourceAlreadyExistsException":  # a retried delivery finds its stream
                    raise
            timestamp, message = _log_event(delivery, now)
            await ctx.services.call("logs", "PutLogEvents", {
                "logGroupName": group, "logStreamName": stream,
                "logEvents": [{"timestamp": timestamp, "message": message}]}, account=account)
        except AwsError as exc:
            raise failure_of(exc) from exc

    return send
