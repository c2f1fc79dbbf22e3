"""Delivery to HTTP and HTTPS endpoints (protocols ``http`` and ``https``).

Each message is one POST to the subscribed URL, with AWS's headers: ``x-amz-sns-message-type``,
``x-amz-sns-message-id``, ``x-amz-sns-topic-arn``, ``x-amz-sns-subscription-arn`` (not on a
SubscriptionConfirmation: the subscription is not confirmed yet), ``x-amz-sns-rawdelivery``
on notifications, ``Content-Type`` from the delivery policy (text/plain; charset=UTF-8 unless
it says otherwise) and ``User-Agent: Amazon Simple Notification Service Agent``, and ``X-Amzn-Trace-Id`` when the
publisher sent one (``tracing.py``). The body is
the signed JSON document (``envelope.py``), or the bare message for a notification to a
subscription with RawMessageDelivery.

A 2xx answer is a delivery; anything else (another status, a refused connection, a timeout)
fails it, to be retried by the delivery policy (``delivery_policy.py``) and dead-lettered once
that is spent. ``throttlePolicy.maxReceivesPerSecond`` spaces deliveries to one subscription.
"""

from __future__ import annotations

import asyncio
import time

from overcast.services.sns import http_post
from overcast.services.sns.delivery_policy import http_retry_delay, subscription_http_policy
from overcast.services.sns.delivery_protocols import DELIVERERS, RETRY_DELAYS, DeliveryFailed
from overcast.services.sns.envelope import envelope
from overcast.services.sns.message import NOTIFICATION, SUBSCRIPTION_CONFIRMATION

USER_AGENT = "Amazon Simple Notification Service Agent"

# subscription ARN -> the earliest (monotonic) time its next delivery may start, for
# maxReceivesPerSecond; one entry per throttled subscription, dropped when it is idle.
_next_slot: dict[str, float] = {}


def request_headers(sub, message, content_type: str) -> list[tuple[str, str]]:
    """The headers of the POST carrying ``message`` to ``sub``, in AWS's order."""
    headers = [("x-amz-sns-message-type", message.type), ("x-amz-sns-message-id", message.message_id),
               ("x-amz-sns-topic-arn", message.topic_arn)]
    if message.type != SUBSCRIPTION_CONFIRMATION:
        headers.append(("x-amz-sns-subscription-arn", sub.arn))
    if message.type == NOTIFICATION:
        headers.append(("x-amz-sns-rawdelivery", "true" if sub.raw else "false"))
    headers += [("Content-Type", content_type), ("User-Agent", USER_AGENT)]
    if message.trace_header:  # the publisher's X-Ray trace goes on (tracing.py)
        headers.append(("X-Amzn-Trace-Id", message.trace_header))
    return headers


def request_body(provider, sub, message) -> str:
    if message.type == NOTIFICATION and sub.raw:
        return message.body_for(sub.protocol)
    return envelope(message, sub.arn, sub.protocol, provider.signer)


async def _wait_for_slot(arn: str, per_second: int | None) -> None:
    if not per_second:
        _next_slot.pop(arn, None)
        return
    now = time.monotonic()
    start = max(now, _next_slot.get(arn, now))
    _next_slot[arn] = start + 1.0 / per_second
    if start > now:
        await asyncio.sleep(start - now)
    if len(_next_slot) > 10_000:  # forget idle subscriptions
        for key in [k for k, due in _next_slot.items() if due < now]:
            del _next_slot[key]


async def deliver_http(provider, sub, message) -> None:
    """POST ``message`` to ``sub``'s endpoint; raises DeliveryFailed unless it answers 2xx."""
    policy = subscription_http_policy(provider, sub)
    body = request_body(provider, sub, message).encode("utf-8")
    await _wait_for_slot(sub.arn, policy.max_receives_per_second)
    try:
        status = await http_post.post(sub.endpoint, request_headers(sub, message, policy.content_type), body)
    except http_post.EndpointError as exc:
        raise DeliveryFailed(str(exc)) from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"the endpoint answered HTTP {status}")


for _protocol in ("http", "https"):
    DELIVERERS[_protocol] = deliver_http
    RETRY_DELAYS[_protocol] = http_retry_delay
