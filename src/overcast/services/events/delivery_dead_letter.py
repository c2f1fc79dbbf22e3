"""A target's dead-letter queue (``DeadLetterConfig.Arn``, a standard SQS queue): what
EventBridge could not deliver goes there, the event as the body, with the message attributes
AWS adds ("Event retry policy and using dead-letter queues"): RULE_ARN, TARGET_ARN,
ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and, when a retry limit ended the delivery,
EXHAUSTED_RETRY_CONDITION (``MaximumRetryAttempts`` or ``MaximumEventAgeInSeconds``).
Without a dead-letter queue the event is dropped (FailedInvocations counts it); a dead-letter
queue that refuses it too loses it, as on AWS (InvocationsFailedToBeSentToDlq).
"""

from __future__ import annotations

import json
import logging

from overcast.services.events.dispatch import Delivery, DeliveryFailure

log = logging.getLogger("overcast.events.dispatch")


def _string(value) -> dict:
    return {"DataType": "String", "StringValue": str(value)}


async def dead_letter(provider, delivery: Delivery, code: str, message: str, exhausted: str | None) -> None:
    queue_arn = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
    if not queue_arn:
        log.info("EventBridge dropped event %s for %s: %s %s", delivery.event.get("id"), delivery.target.get("Arn"),
                 code, message)
        return
    from overcast.services.events.senders_sqs import send_to_queue

    attributes = {"RULE_ARN": _string(delivery.rule.arn), "TARGET_ARN": _string(delivery.target.get("Arn", "")),
                  "ERROR_CODE": _string(code), "ERROR_MESSAGE": _string(message or code),
                  "RETRY_ATTEMPTS": _string(max(delivery.attempt - 1, 0))}
    if exhausted:
        attributes["EXHAUSTED_RETRY_CONDITION"] = _string(exhausted)
    params = {"MessageBody": json.dumps(delivery.event, separators=(",", ":"), ensure_ascii=False),
              "MessageAttributes": attributes}
    try:
        await send_to_queue(provider, queue_arn, params, delivery.rule.arn, delivery.rule.account)
        provider.events_metrics.dead_lettered(delivery.rule, sent=True)
    except DeliveryFailure as failure:
        provider.events_metrics.dead_lettered(delivery.rule, sent=False)
        log.info("EventBridge could not dead-letter event %s to %s: %s", delivery.event.get("id"), queue_arn, failure)
