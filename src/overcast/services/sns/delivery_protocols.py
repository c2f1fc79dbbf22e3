"""How a message reaches a subscription of each protocol: the deliverers' table.

``DELIVERERS[protocol]`` is ``async (provider, subscription, message) -> None``: it delivers
``message`` (``message.SnsMessage``) to ``subscription`` (``store.SubscriptionRecord``) or
raises. Raising ``DeliveryFailed(retry=False)`` means a client-side failure AWS does not
retry (the queue is gone, its policy refuses SNS): the delivery goes to the subscription's
dead-letter queue or is dropped. Any other exception means "failed, retry per policy":
``RETRY_DELAYS[protocol](provider, subscription, attempts)`` gives the seconds until the next
attempt, or None once the policy is exhausted (then the dead-letter queue).

A protocol without a deliverer keeps its deliveries pending: they wait in the queue, durable,
and go out once a deliverer is registered.

Modules that register deliverers are listed in ``DELIVERER_MODULES``; each adds its entries
to the two tables when imported.
"""

from __future__ import annotations

import importlib
from typing import Awaitable, Callable

Deliverer = Callable[[object, object, object], Awaitable[None]]
RetryDelay = Callable[[object, object, int], "float | None"]

DELIVERERS: dict[str, Deliverer] = {}
RETRY_DELAYS: dict[str, RetryDelay] = {}
# Optional, for protocols that can take several messages in one call (SQS's SendMessageBatch):
# ``async (provider, subscription, messages) -> [None | exception, one per message]``, used for
# the deliveries of a non-FIFO subscription that fall in one worker batch.
BatchDeliverer = Callable[[object, object, list], Awaitable[list]]
BATCH_DELIVERERS: dict[str, BatchDeliverer] = {}

DELIVERER_MODULES = (
    "overcast.services.sns.sqs_delivery",
    "overcast.services.sns.lambda_delivery",
    "overcast.services.sns.http_delivery",
    "overcast.services.sns.outbox",
    "overcast.services.sns.platform_delivery",
)


class DeliveryFailed(Exception):
    """A delivery that failed; ``retry=False``: a client-side error AWS does not retry."""

    def __init__(self, reason: str, retry: bool = True):
        super().__init__(reason)
        self.retry = retry


# SQS and Lambda endpoints: AWS's fixed policy ("Amazon SNS message delivery retries"):
# 3 immediate retries, 2 one second apart, 10 backing off from 1 to 20 seconds, then
# 100,000 twenty seconds apart.
_IMMEDIATE, _PRE_BACKOFF, _BACKOFF, _POST_BACKOFF = 3, 2, 10, 100_000


def aws_managed_retry_delay(provider, subscription, attempts: int) -> float | None:
    """Seconds before retry number ``attempts`` (1-based) of an AWS-managed endpoint."""
    if attempts <= _IMMEDIATE:
        return 0.0
    attempts -= _IMMEDIATE
    if attempts <= _PRE_BACKOFF:
        return 1.0
    attempts -= _PRE_BACKOFF
    if attempts <= _BACKOFF:
        return min(20.0, 1.0 + (19.0 * attempts) / _BACKOFF)
    attempts -= _BACKOFF
    return 20.0 if attempts <= _POST_BACKOFF else None


def load_deliverers() -> None:
    """Import every module that registers deliverers (those not written yet are skipped)."""
    for name in DELIVERER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
