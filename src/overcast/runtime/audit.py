"""The audit stream: every completed API call, handed to in-process subscribers.

CloudTrail subscribes here. Emitting costs one loop over the (usually empty) subscriber list,
so the hot path pays nothing when nobody listens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(slots=True)
class AuditRecord:
    """One API call, after it completed."""

    time: float
    request_id: str
    account: str
    region: str
    service: str
    operation: str
    principal_arn: str
    access_key: str
    source_ip: str
    user_agent: str
    params: dict = field(default_factory=dict)
    status: int = 200
    error_code: str | None = None
    error_message: str | None = None
    trace_id: str | None = None  # the X-Amzn-Trace-Id header as sent (X-Ray records sampled calls)
    started: float = 0.0  # cloud-clock epoch seconds when the request arrived
    duration: float = 0.0  # seconds from arrival to the answer


class AuditStream:
    """Subscribers receive every ``AuditRecord``; a failing subscriber never fails the call."""

    def __init__(self):
        self._subscribers: list[Callable[[AuditRecord], None]] = []

    @property
    def active(self) -> bool:
        return bool(self._subscribers)

    def subscribe(self, fn: Callable[[AuditRecord], None]) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it."""
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn)

    def emit(self, record: AuditRecord) -> None:
        for fn in self._subscribers:
            try:
                fn(record)
            except Exception:  # an observer must never break the request it observes
                import logging

                logging.getLogger("overcast.audit").exception("audit subscriber failed")
