"""Delivery to SQS queues: SendMessage as EventBridge's service principal.

The body is the target's input (the whole event by default). A FIFO queue gets the target's
``SqsParameters.MessageGroupId`` and the event id as deduplication id (so a retried delivery
is not queued twice). The PutEvents entry's TraceHeader goes on as the AWSTraceHeader system
attribute. In strict mode the queue's policy must let ``events.amazonaws.com`` send with
aws:SourceArn = the rule, as on AWS.
"""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.events.dispatch import Delivery, DeliveryFailure
from overcast.services.events.senders import arn_parts, events_context, failure_of, policy_lets_events


async def send_to_queue(provider, queue_arn: str, params: dict, rule_arn: str, rule_account: str) -> None:
    """SendMessage to ``queue_arn`` as EventBridge on behalf of ``rule_arn``."""
    region, account, name = arn_parts(queue_arn, "sqs")
    ctx = events_context(provider, rule_account, region)
    url = f"/{account}/{name}"
    try:
        if provider.cloud.settings.strict:
            answer = await ctx.services.call("sqs", "GetQueueAttributes",
                                             {"QueueUrl": url, "AttributeNames": ["Policy"]}, account=account)
            text = (answer.get("Attributes") or {}).get("Policy")
            if not policy_lets_events(text, "sqs:SendMessage", queue_arn, account, rule_arn, rule_account,
                                      provider.clock.now()):
                raise DeliveryFailure("NO_PERMISSIONS", f"The policy of {queue_arn} does not let EventBridge "
                                      "send messages for this rule.", retryable=False)
        await ctx.services.call("sqs", "SendMessage", {**params, "QueueUrl": url}, account=account)
    except AwsError as exc:
        raise failure_of(exc) from exc


def message_params(delivery: Delivery) -> dict:
    params = {"MessageBody": delivery.input_text}
    if delivery.trace_header:
        params["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String",
                                                                "StringValue": delivery.trace_header}}
    if delivery.target.get("Arn", "").endswith(".fifo"):
        group = (delivery.target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            params["MessageGroupId"] = group
        params["MessageDeduplicationId"] = delivery.event.get("id", "")
    return params


def sender(provider):
    async def send(delivery: Delivery) -> None:
        await send_to_queue(provider, delivery.target["Arn"], message_params(delivery), delivery.rule.arn,
                            delivery.rule.account)

    return send
