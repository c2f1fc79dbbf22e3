"""Where a subscription filter delivers: a Lambda function, a Kinesis data stream, a Firehose
stream, or a Logs destination (PutDestination) standing for one of those in another account.

Logs reaches them through the in-process client as its service principal
(``logs.amazonaws.com``), as an ordinary call of the target's operation: Lambda ``Invoke``
(asynchronous, the event ``{"awslogs": {"data": ...}}``), Kinesis ``PutRecord``, Firehose
``PutRecord``. When a filter is put, AWS tests the destination first (a Lambda function must let
Logs invoke it; a stream gets a CONTROL_MESSAGE) and refuses the filter when that fails. A
service Overcast does not run cannot take the test message: the filter is refused with AWS's
error for an unreachable destination. Lambda is the exception: its deliveries are kept,
durable, until Overcast runs Lambda (``Parked``), as SNS and CloudWatch keep theirs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.awslambda.invoke_permission import function_lets_service
from overcast.services.logs.errors import InvalidParameterException
from overcast.services.logs.subscription_envelope import control_message, gzipped, lambda_event

LOGS_SERVICE = "logs.amazonaws.com"
UNREACHABLE = "Could not deliver test message to specified destination. Check if the destination is valid."
LAMBDA_REFUSED = ("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to "
                  "execute your function.")

_P = r"arn:aws(?:-[a-z]+)*"
_REGION = r"([a-z]{2}(?:-[a-z]+)+-\d+)"
_ACCOUNT = r"(\d{12})"
_PATTERNS = {
    "lambda": re.compile(rf"{_P}:lambda:{_REGION}:{_ACCOUNT}:function:([A-Za-z0-9_-]{{1,64}})(?::[A-Za-z0-9_$-]+)?"),
    "kinesis": re.compile(rf"{_P}:kinesis:{_REGION}:{_ACCOUNT}:stream/([A-Za-z0-9_.-]{{1,128}})"),
    "firehose": re.compile(rf"{_P}:firehose:{_REGION}:{_ACCOUNT}:deliverystream/([A-Za-z0-9_.-]{{1,64}})"),
    "destination": re.compile(rf"{_P}:logs:{_REGION}:{_ACCOUNT}:destination:([^:*]{{1,512}})"),
}
# the service each kind of target is called through
SERVICES = {"lambda": "lambda", "kinesis": "kinesis", "firehose": "firehose"}


@dataclass(frozen=True)
class Target:
    kind: str  # a key of _PATTERNS
    arn: str
    region: str
    account: str
    name: str


def parse_target(arn: str) -> Target | None:
    for kind, pattern in _PATTERNS.items():
        found = pattern.fullmatch(arn)
        if found:
            return Target(kind, arn, found.group(1), found.group(2), found.group(3))
    return None


class Unreachable(Exception):
    """The target cannot take a delivery (its service does not run, or it refused)."""


class Parked(Exception):
    """The target's service does not run in Overcast yet: the delivery waits for it."""


def logs_context(provider, account: str, region: str) -> RequestContext:
    """The context Logs calls other services with: its service principal in ``account``."""
    return RequestContext(account=account, region=region, service="logs", principal_arn=LOGS_SERVICE,
                          registry=provider.cloud.services)


async def check_direct_target(provider, account: str, region: str, target: Target, now_ms: int,
                              source_arn: str | None = None) -> None:
    """PutSubscriptionFilter's test of a Lambda, Kinesis or Firehose target of ``account`` and
    ``region``; raises AWS's error. In strict mode a function's policy must let Logs invoke it
    for ``source_arn`` (the log group's ARN), as AddPermission grants it."""
    registry = provider.cloud.services
    if target.kind == "lambda":
        # "A Lambda function belonging to the same account": Logs invokes it in its own region
        if (target.account, target.region) != (account, region):
            raise InvalidParameterException(LAMBDA_REFUSED)
        if not registry.is_implemented("lambda"):
            return  # accepted: the deliveries wait for Lambda
        ctx = logs_context(provider, account, target.region)
        try:
            await ctx.services.call("lambda", "Invoke", {"FunctionName": target.arn, "InvocationType": "DryRun"})
        except AwsError:
            raise InvalidParameterException(LAMBDA_REFUSED) from None
        if provider.cloud.settings.strict and not await function_lets_service(
                ctx, target.arn, LOGS_SERVICE, source_arn, account, provider.clock.now()):
            raise InvalidParameterException(LAMBDA_REFUSED)
        return
    try:
        await deliver(provider, account, target, control_message(target.kind, now_ms))
    except (Unreachable, Parked):
        raise InvalidParameterException(UNREACHABLE) from None


async def deliver(provider, account: str, target: Target, message: dict) -> None:
    """Send one message to a Lambda, Kinesis or Firehose target as Logs; raises Parked or
    Unreachable (an AwsError of the target is Unreachable too: retried by the caller)."""
    service = SERVICES.get(target.kind)
    registry = provider.cloud.services
    if service is None:
        raise Unreachable(f"{target.arn} is not a delivery target")
    if not registry.is_implemented(service):
        if target.kind == "lambda":
            raise Parked(target.arn)
        raise Unreachable(f"{service} does not run in Overcast")
    ctx = logs_context(provider, account, target.region)
    if target.kind == "lambda":
        operation = "Invoke"
        params = {"FunctionName": target.arn, "InvocationType": "Event",
                  "Payload": json.dumps(lambda_event(message)).encode()}
    elif target.kind == "kinesis":
        operation = "PutRecord"
        params = {"StreamARN": target.arn, "Data": gzipped(message), "PartitionKey": message.get("logStream") or "0"}
    else:
        operation = "PutRecord"
        params = {"DeliveryStreamName": target.name, "Record": {"Data": gzipped(message)}}
    try:
        await ctx.services.call(service, operation, params, account=target.account)
    except AwsError as exc:
        raise Unreachable(f"{exc.code}: {exc.message}") from exc
