"""Delivery to SQS queues (protocol ``sqs``), and to a subscription's dead-letter queue.

SNS sends as its service principal through the in-process SQS client: the envelope
(``envelope.py``) or, with RawMessageDelivery, the message itself with its attributes as SQS
message attributes. A FIFO topic passes the message group and deduplication ids on, so a FIFO
queue keeps the group's order and drops duplicates. In strict mode the queue's policy must let
``sns.amazonaws.com`` send with aws:SourceArn = the topic, as on AWS; a refusal, a missing
queue or a KMS key SNS may not use are client-side errors: not retried, dead-lettered.

Lambda functions (``lambda``) are ``lambda_delivery.py``.
"""

from __future__ import annotations

import base64

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sns.delivery_protocols import (BATCH_DELIVERERS, DELIVERERS, RETRY_DELAYS, DeliveryFailed,
                                                      aws_managed_retry_delay)
from overcast.services.sns.envelope import envelope

SNS_SERVICE = "sns.amazonaws.com"
# "a maximum of 10 message attributes can be sent when Raw Message Delivery is enabled. Sending
# more than 10 message attributes will cause message delivery to fail" (SNS raw delivery).
MAX_RAW_ATTRIBUTES = 10
# SQS answers that mean the queue cannot take the message whatever the retries (client-side).
_CLIENT_SIDE = frozenset({"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "AccessDenied",
                          "InvalidParameterValue", "InvalidMessageContents", "KmsAccessDenied", "KmsDisabled",
                          "KmsNotFound", "KmsInvalidState", "MissingParameter"})


def _queue_parts(arn: str) -> tuple[str, str, str]:
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise DeliveryFailed(f"not a queue ARN: {arn}", retry=False)
    return parts[3], parts[4], parts[5]


def sns_context(provider, account: str, region: str) -> RequestContext:
    """The context SNS calls other services with: the SNS service principal of ``account``."""
    return RequestContext(account=account, region=region, service="sns", principal_arn=SNS_SERVICE,
                          registry=provider.cloud.services)


async def _sending_context(provider, queue_arn: str, source_arn: str, account: str):
    """(context, QueueUrl) to send to ``queue_arn`` as SNS; in strict mode the queue's policy
    must let SNS send for ``source_arn``."""
    region, queue_account, name = _queue_parts(queue_arn)
    ctx = sns_context(provider, account, region)
    if provider.cloud.settings.strict and not await _queue_lets_sns_send(provider, ctx, queue_arn, queue_account,
                                                                       name, source_arn, account):
        raise DeliveryFailed(f"the policy of {queue_arn} does not let SNS send from {source_arn}", retry=False)
    return ctx, queue_account, f"/{queue_account}/{name}"


async def send_to_queue(provider, queue_arn: str, params: dict, source_arn: str, account: str) -> None:
    """SendMessage to ``queue_arn`` as SNS on behalf of ``source_arn``; raises DeliveryFailed."""
    ctx, queue_account, url = await _sending_context(provider, queue_arn, source_arn, account)
    params["QueueUrl"] = url
    try:
        await ctx.services.call("sqs", "SendMessage", params, account=queue_account)
    except AwsError as exc:
        raise DeliveryFailed(f"{exc.code}: {exc.message}", retry=exc.code not in _CLIENT_SIDE) from exc


async def _queue_lets_sns_send(provider, ctx, queue_arn: str, queue_account: str, name: str, source_arn: str,
                               source_account: str) -> bool:
    try:
        answer = await ctx.services.call("sqs", "GetQueueAttributes",
                                         {"QueueUrl": f"/{queue_account}/{name}", "AttributeNames": ["Policy"]},
                                         account=queue_account)
    except AwsError as exc:
        raise DeliveryFailed(f"{exc.code}: {exc.message}", retry=False) from exc
    text = (answer.get("Attributes") or {}).get("Policy")
    if not text:
        return False
    try:
        policy = parse_policy(text, "resource", queue_arn)
    except (PolicyDocumentError, ValueError):
        return False
    request = AuthzRequest(
        Principal(arn=SNS_SERVICE, account="", kind="service", service=SNS_SERVICE), "sqs:SendMessage", queue_arn,
        context={"aws:SourceArn": source_arn, "aws:SourceAccount": source_account}, resource_account=queue_account)
    return evaluate(request, PolicySet(resource=policy), now=provider.clock.now()).allowed


def sqs_attributes(attributes: dict[str, dict]) -> dict[str, dict]:
    """SNS message attributes as SQS message attributes (binary values as bytes)."""
    out = {}
    for name, value in attributes.items():
        if "BinaryValue" in value:
            out[name] = {"DataType": value["DataType"], "BinaryValue": base64.b64decode(value["BinaryValue"])}
        else:
            out[name] = {"DataType": value["DataType"], "StringValue": value["StringValue"]}
    return out


def _message_params(provider, sub, message, dead_letter: bool = False) -> dict:
    if sub.raw:
        params = {"MessageBody": message.body_for("sqs")}
        attributes = message.attributes
        if len(attributes) > MAX_RAW_ATTRIBUTES:
            if not dead_letter:
                raise DeliveryFailed(f"{len(attributes)} message attributes: raw delivery to SQS takes at most "
                                     f"{MAX_RAW_ATTRIBUTES}", retry=False)
            # the dead-letter queue is an SQS queue too: it keeps what SQS can take
            attributes = {name: attributes[name] for name in sorted(attributes)[:MAX_RAW_ATTRIBUTES]}
        if attributes:
            params["MessageAttributes"] = sqs_attributes(attributes)
    else:
        params = {"MessageBody": envelope(message, sub.arn, "sqs", provider.signer)}
    if message.trace_header:  # the publisher's X-Ray trace goes on, as SNS sends it (tracing.py)
        params["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String",
                                                                "StringValue": message.trace_header}}
    if sub.endpoint.endswith(".fifo"):
        if message.group_id is not None:
            params["MessageGroupId"] = message.group_id
        if message.deduplication_id is not None:
            params["MessageDeduplicationId"] = message.deduplication_id
    return params


async def deliver_to_sqs(provider, sub, message) -> None:
    await send_to_queue(provider, sub.endpoint, _message_params(provider, sub, message), sub.topic_arn, sub.account)


# SendMessageBatch takes at most 1 MiB in all; SNS messages reach 256 KiB before their envelope.
_BATCH_BYTES = 900_000
_BATCH_ALONE = 64 * 1024  # a message this big goes on its own (SendMessage)


def _size(params: dict) -> int:
    size = len(params["MessageBody"].encode("utf-8"))
    for name, value in (params.get("MessageAttributes") or {}).items():
        size += len(name) + len(value["DataType"]) + len(value.get("StringValue") or value.get("BinaryValue") or "")
    return size


async def deliver_batch_to_sqs(provider, sub, messages: list) -> list:
    """Deliver several messages to one standard queue with SendMessageBatch (10 a call, within
    SQS's size limit); one outcome per message (None: delivered)."""
    outcomes: list = [None] * len(messages)
    ready: list[tuple[int, dict, int]] = []
    for index, message in enumerate(messages):
        try:
            params = _message_params(provider, sub, message)
        except DeliveryFailed as failure:
            outcomes[index] = failure
            continue
        ready.append((index, params, _size(params)))
    if not ready:
        return outcomes
    try:
        ctx, queue_account, url = await _sending_context(provider, sub.endpoint, sub.topic_arn, sub.account)
    except DeliveryFailed as failure:
        return [outcome or failure for outcome in outcomes]
    group: list[tuple[int, dict, int]] = []
    for item in ready + [None]:
        if item is not None and item[2] >= _BATCH_ALONE:
            try:
                await send_to_queue(provider, sub.endpoint, item[1], sub.topic_arn, sub.account)
            except DeliveryFailed as failure:
                outcomes[item[0]] = failure
            continue
        if group and (item is None or len(group) == 10 or sum(g[2] for g in group) + item[2] > _BATCH_BYTES):
            await _send_batch(ctx, queue_account, url, group, outcomes)
            group = []
        if item is not None:
            group.append(item)
    return outcomes


async def _send_batch(ctx, queue_account: str, url: str, group: list, outcomes: list) -> None:
    entries = [{**params, "Id": str(index)} for index, params, _ in group]
    try:
        answer = await ctx.services.call("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": entries},
                                         account=queue_account)
    except AwsError as exc:
        failure = DeliveryFailed(f"{exc.code}: {exc.message}", retry=exc.code not in _CLIENT_SIDE)
        for index, _, _ in group:
            outcomes[index] = failure
        return
    for failed in answer.get("Failed") or ():
        code = failed.get("Code", "")
        outcomes[int(failed["Id"])] = DeliveryFailed(f"{code}: {failed.get('Message', '')}",
                                                     retry=code not in _CLIENT_SIDE and not failed.get("SenderFault"))


async def send_to_dead_letter_queue(provider, sub, message, queue_arn: str) -> None:
    """What could not be delivered, as AWS dead-letters it: the message the subscription would
    have got (raw or enveloped), sent to the RedrivePolicy's queue."""
    params = _message_params(provider, sub, message, dead_letter=True)
    if queue_arn.endswith(".fifo"):
        params.setdefault("MessageGroupId", message.group_id or "default")
        params.setdefault("MessageDeduplicationId", message.deduplication_id or message.message_id)
    else:
        params.pop("MessageGroupId", None)
        params.pop("MessageDeduplicationId", None)
    await send_to_queue(provider, queue_arn, params, sub.topic_arn, sub.account)


DELIVERERS["sqs"] = deliver_to_sqs
BATCH_DELIVERERS["sqs"] = deliver_batch_to_sqs
RETRY_DELAYS["sqs"] = aws_managed_retry_delay
