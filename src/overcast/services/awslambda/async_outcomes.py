"""Where an asynchronous invocation's outcome goes: the invocation record sent to the on-success
or on-failure destination (SQS, SNS, Lambda, EventBridge; an S3 bucket for failures) of the event
invoke config, and the event itself to the function's DeadLetterConfig queue or topic when it
failed.

The record is AWS's shape (``version`` 1.0, ``timestamp``, ``requestContext`` with the
``condition`` — Success, RetriesExhausted, EventAgeExceeded or ZeroReservedConcurrency — and the
invoke count,
``requestPayload``, ``responseContext``, ``responsePayload``). On EventBridge it is the
``detail`` of an event from source ``lambda`` with detail-type ``Lambda Function Invocation
Result - Success`` or ``- Failure``. A dead-letter message carries only the event, with the
RequestID, ErrorCode and ErrorMessage message attributes AWS sets.

Lambda sends them as its service principal through the in-process clients. A destination that
refuses or is gone loses the record (AWS counts a DestinationDeliveryFailures metric), it never
blocks the queue.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.awslambda.async_metrics import count_async
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.lambda.async")

LAMBDA_SERVICE = "lambda.amazonaws.com"
RESULT_DETAIL_TYPES = {True: "Lambda Function Invocation Result - Success",
                       False: "Lambda Function Invocation Result - Failure"}


@dataclass
class AsyncOutcome:
    scope: Scope
    fv: object  # the FunctionVersion that ran (or would have)
    qualifier: str | None  # as the caller named it
    request_id: str
    payload: bytes
    invoke_count: int
    condition: str = ""
    result: object = None  # the runtime's InvocationResult of the last attempt, if one ran
    extra: dict = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.condition == "Success"

    def function_arn(self) -> str:
        return f"{self.fv.arn}:{self.qualifier or '$LATEST'}"


def _timestamp(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def _json_or_text(data: bytes):
    if not data or not data.strip():
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data.decode("utf-8", "replace")


def invocation_record(outcome: AsyncOutcome, now: float) -> dict:
    """The invocation record a destination receives, keys in AWS's order."""
    record = {"version": "1.0", "timestamp": _timestamp(now),
              "requestContext": {"requestId": outcome.request_id, "functionArn": outcome.function_arn(),
                                 "condition": outcome.condition, "approximateInvokeCount": outcome.invoke_count},
              "requestPayload": _json_or_text(outcome.payload)}
    result = outcome.result
    if result is not None:
        context = {"statusCode": result.status, "executedVersion": result.executed_version}
        if result.function_error:
            context["functionError"] = result.function_error
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def s3_record_key(outcome: AsyncOutcome, now: float) -> str:
    """Where a failure record goes in an S3 destination:
    ``aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<id>``."""
    stamp = time.gmtime(now)
    return (f"aws/lambda/async/{outcome.fv.name}/{time.strftime('%Y/%m/%d', stamp)}/"
            f"{time.strftime('%Y-%m-%dT%H.%M.%S', stamp)}-{uuid.uuid4()}")


def lambda_context(provider, account: str, region: str) -> RequestContext:
    """The context Lambda calls other services with: its service principal in ``account``."""
    return RequestContext(account=account, region=region, service="lambda", principal_arn=LAMBDA_SERVICE,
                          registry=provider.cloud.services)


async def settle_outcome(provider, outcome: AsyncOutcome, config) -> None:
    """Send ``outcome`` to the destination its condition selects, and a failed event to the
    function's dead-letter queue or topic."""
    destination = config.on_success if outcome.succeeded else config.on_failure
    if destination:
        await _send_record(provider, outcome, destination)
    if not outcome.succeeded:
        dead_letter = ((outcome.fv.config.get("DeadLetterConfig") or {}).get("TargetArn")) or None
        if dead_letter:
            await _send_dead_letter(provider, outcome, dead_letter)


async def _send_record(provider, outcome: AsyncOutcome, destination: str) -> None:
    parts = destination.split(":", 5)
    service, region, account = parts[2], parts[3] or outcome.scope.region, parts[4]
    ctx = lambda_context(provider, outcome.scope.account, region)
    now = provider.clock.now()
    record = invocation_record(outcome, now)
    text = json.dumps(record, separators=(",", ":"))
    try:
        if service == "sqs":
            await ctx.services.call("sqs", "SendMessage", {"QueueUrl": f"/{account}/{parts[5]}", "MessageBody": text},
                                    account=account)
        elif service == "sns":
            await ctx.services.call("sns", "Publish", {"TopicArn": destination, "Message": text}, account=account)
        elif service == "lambda":
            await ctx.services.call("lambda", "Invoke", {"FunctionName": destination, "InvocationType": "Event",
                                                         "Payload": text.encode("utf-8")}, account=account)
        elif service == "events":
            entry = {"Source": "lambda", "DetailType": RESULT_DETAIL_TYPES[outcome.succeeded], "Detail": text,
                     "EventBusName": destination, "Resources": [destination, outcome.function_arn()]}
            answer = await ctx.services.call("events", "PutEvents", {"Entries": [entry]}, account=account)
            if answer.get("FailedEntryCount"):
                count_async(provider, outcome.scope, outcome.fv.name, "DestinationDeliveryFailures")
                log.warning("Lambda destination %s refused the record of %s: %s", destination, outcome.request_id,
                            (answer.get("Entries") or [{}])[0])
        elif service == "s3":  # a failure record as an object of the bucket (``arn:aws:s3:::<bucket>``)
            await ctx.services.call("s3", "PutObject", {"Bucket": parts[5], "Key": s3_record_key(outcome, now),
                                                        "Body": text.encode("utf-8"),
                                                        "ContentType": "application/json"})
        else:
            log.warning("Lambda destination %s is not a service Lambda sends records to", destination)
    except AwsError as exc:
        count_async(provider, outcome.scope, outcome.fv.name, "DestinationDeliveryFailures")
        log.warning("Lambda could not send the record of %s to %s: %s: %s", outcome.request_id, destination, exc.code,
                    exc.message)


# the dead-letter ErrorMessage of an event that never ran for want of concurrency (AWS's text)
ZERO_CONCURRENCY_MESSAGE = "Function not invoked. Function isconfigured with zero reserved concurrent executions"
_MAX_ERROR_MESSAGE = 1024  # characters of the function's errorMessage the attribute keeps


def _error_message(outcome: AsyncOutcome) -> str:
    if outcome.condition == "ZeroReservedConcurrency":
        return ZERO_CONCURRENCY_MESSAGE
    result = outcome.result
    if result is not None:
        body = _json_or_text(result.payload)
        if isinstance(body, dict) and isinstance(body.get("errorMessage"), str):
            return body["errorMessage"][:_MAX_ERROR_MESSAGE]
    return outcome.condition


def _dead_letter_attributes(outcome: AsyncOutcome) -> dict:
    """RequestID, ErrorCode (the status of the last attempt; none when the function never ran
    for want of concurrency) and ErrorMessage."""
    attributes = {"RequestID": {"DataType": "String", "StringValue": outcome.request_id}}
    if outcome.condition != "ZeroReservedConcurrency":
        status = outcome.result.status if outcome.result is not None else 200
        attributes["ErrorCode"] = {"DataType": "Number", "StringValue": str(status)}
    attributes["ErrorMessage"] = {"DataType": "String", "StringValue": _error_message(outcome)}
    return attributes


async def _send_dead_letter(provider, outcome: AsyncOutcome, target: str) -> None:
    parts = target.split(":", 5)
    if len(parts) != 6:
        return
    service, region, account = parts[2], parts[3], parts[4]
    ctx = lambda_context(provider, outcome.scope.account, region)
    body = outcome.payload.decode("utf-8", "replace")
    try:
        attributes = _dead_letter_attributes(outcome)
        if service == "sqs":
            await ctx.services.call("sqs", "SendMessage", {"QueueUrl": f"/{account}/{parts[5]}", "MessageBody": body,
                                                           "MessageAttributes": attributes}, account=account)
        elif service == "sns":
            await ctx.services.call("sns", "Publish", {"TopicArn": target, "Message": body,
                                                       "MessageAttributes": attributes}, account=account)
    except AwsError as exc:
        count_async(provider, outcome.scope, outcome.fv.name, "DeadLetterErrors")
        log.warning("Lambda could not dead-letter %s to %s: %s: %s", outcome.request_id, target, exc.code, exc.message)
