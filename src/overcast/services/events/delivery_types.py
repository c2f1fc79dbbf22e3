"""What a sender deals with: the ``Delivery`` it is handed and the ``DeliveryFailure`` it
raises (binding between the helpers: ``events-contract``; ``dispatch.py`` re-exports them)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from overcast.services.events.models import RuleRow
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.events.dispatch")


class DeliveryFailure(Exception):
    """A target refused a delivery: ``code`` and ``message`` go to the dead-letter queue's
    ERROR_CODE / ERROR_MESSAGE attributes; ``retryable=False`` skips the retries (a missing
    resource or permission: AWS sends those straight to the dead-letter queue)."""

    def __init__(self, code: str, message: str, retryable: bool = True):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass
class Delivery:
    """One event on its way to one target of one rule (what a sender is handed)."""

    scope: Scope
    rule: RuleRow
    target: dict
    event: dict
    input_text: str
    attempt: int  # 1 for the first attempt
    first_attempt: float  # cloud time the event was accepted (its ingestion time)
    trace_header: str | None = None
    replay_name: str | None = None
    route: str | None = None  # the buses a forwarded event went through (senders_bus.py)
    delivery_id: int = 0
    extra: dict = field(default_factory=dict)


Sender = Callable[[Delivery], Awaitable[None]]


def as_failure(exc: Exception) -> DeliveryFailure:
    """A sender's exception as a DeliveryFailure: one carrying ``code``, ``message`` and
    ``retryable`` keeps them; anything else is an unexpected, retryable error."""
    code, retryable = getattr(exc, "code", None), getattr(exc, "retryable", None)
    if isinstance(code, str) and isinstance(retryable, bool):
        return DeliveryFailure(code, str(getattr(exc, "message", exc)), retryable)
    log.warning("EventBridge delivery failed: %r", exc)
    return DeliveryFailure("INTERNAL_ERROR", repr(exc))
