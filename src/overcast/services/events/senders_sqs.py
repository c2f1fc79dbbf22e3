"""Delivery to SQS queues: SendMessage as EventBridge's service principal.

The body is the target's input (the whole event by default). The target's
``SqsParameters.MessageGroupId`` goes on as the message group (a FIFO queue's group, a fair
standard queue's tenant); a FIFO queue gets the event id as deduplication id (so a retried
delivery is not queued twice). The PutEvents entry's TraceHeader goes on as the AWSTraceHeader system
attribute. In strict mode the queue's policy must let ``events.amazonaws.com`` send with
aws:SourceArn = the rule, as on AWS.

Several deliveries of one target that fall in one worker batch go out together through
SendMessageBatch (``sender.batch``: 10 a call, within SQS's request size), one outcome each.
"""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.events.dispatch import Delivery, DeliveryFailure
from overcast.services.events.senders import arn_parts, events_context, failure_of, policy_lets_events


# SendMessageBatch takes 1 MiB in all; a bigger message goes on its own (SendMessage)
_BATCH_BYTES = 900_000
_ALONE_BYTES = 64 * 1024


async def _sending_context(provider, queue_arn: str, rule_arn: str, rule_account: str):
    """(context, queue account, QueueUrl); in strict mode the queue's policy must let
    EventBridge send for ``rule_arn``."""
    region, account, name = arn_parts(queue_arn, "sqs")
    ctx = events_context(provider, rule_account, region)
    url = f"/{account}/{name}"
    if provider.cloud.settings.strict:
        answer = await ctx.services.call("sqs", "GetQueueAttributes",
                                         {"QueueUrl": url, "AttributeNames": ["Policy"]}, account=account)
        text = (answer.get("Attributes") or {}).get("Policy")
        if not policy_lets_events(text, "sqs:SendMessage", queue_arn, account, rule_arn, rule_account,
                                  provider.clock.now()):
            raise DeliveryFailure("NO_PERMISSIONS", f"The policy of {queue_arn} does not let EventBridge "
                                  "send messages for this rule.", retryable=False)
    return ctx, account, url


async def send_to_queue(provider, queue_arn: str, params: dict, rule_arn: str, rule_account: str) -> None:
    """SendMessage to ``queue_arn`` as EventBridge on behalf of ``rule_arn``."""
    try:
        ctx, account, url = await _sending_context(provider, queue_arn, rule_arn, rule_account)
        await ctx.services.call("sqs", "SendMessage", {**params, "QueueUrl": url}, account=account)
    except AwsError as exc:
        raise failure_of(exc) from exc


async def send_batch_to_queue(provider, deliveries: list[Delivery]) -> list[DeliveryFailure | None]:
    """The deliveries (one target's) through SendMessageBatch; one outcome each (None: sent)."""
    first = deliveries[0]
    try:
        ctx, account, url = await _sending_context(provider, first.target["Arn"], first.rule.arn, first.rule.account)
    except DeliveryFailure as failure:
        return [failure] * len(deliveries)
    except AwsError as exc:
        return [failure_of(exc)] * len(deliveries)
    outcomes: list[DeliveryFailure | None] = [None] * len(deliveries)
    group: list[tuple[int, dict]] = []
    size = 0
    for index, delivery in enumerate(deliveries):
        params = message_params(delivery)
        length = len(params["MessageBody"].encode("utf-8"))
        if length >= _ALONE_BYTES:
            try:
                await ctx.services.call("sqs", "SendMessage", {**params, "QueueUrl": url}, account=account)
            except AwsError as exc:
                outcomes[index] = failure_of(exc)
            continue
        if group and (len(group) == 10 or size + length > _BATCH_BYTES):
            await _send_group(ctx, account, url, group, outcomes)
            group, size = [], 0
        group.append((index, params))
        size += length
    if group:
        await _send_group(ctx, account, url, group, outcomes)
    return outcomes


async def _send_group(ctx, account: str, url: str, group: list[tuple[int, dict]], outcomes: list) -> None:
    entries = [{**params, "Id": str(index)} for index, params in group]
    try:
        answer = await ctx.services.call("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": entries},
                                         account=account)
    except AwsError as exc:
        for index, _ in group:
            outcomes[index] = failure_of(exc)
        return
    for failed in answer.get("Failed") or ():
        outcomes[int(failed["Id"])] = failure_of(AwsError(failed.get("Code", ""), failed.get("Message", ""),
                                                          400 if failed.get("SenderFault") else 500))


def message_params(delivery: Delivery) -> dict:
    params = {"MessageBody": delivery.input_text}
    if delivery.trace_header:
        params["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String",
                                                                "StringValue": delivery.trace_header}}
    group = (delivery.target.get("SqsParameters") or {}).get("MessageGroupId")
    if group:  # a FIFO queue's group, or a fair (standard) queue's tenant
        params["MessageGroupId"] = group
    if delivery.target.get("Arn", "").endswith(".fifo"):
        params["MessageDeduplicationId"] = delivery.event.get("id", "")
    return params


def sender(provider):
    async def send(delivery: Delivery) -> None:
        await send_to_queue(provider, delivery.target["Arn"], message_params(delivery), delivery.rule.arn,
                            delivery.rule.account)

    async def send_batch(deliveries: list[Delivery]) -> list[DeliveryFailure | None]:
        return await send_batch_to_queue(provider, deliveries)

    send.batch = send_batch
    return send
