"""EventBridge's delivery: the one way events enter delivery, and the worker that sends them.

``accept_events`` (PutEvents, schedules, replays, service events and bus-to-bus targets all
use it) matches each envelope against its bus's enabled rules (or exactly the ``rules`` it is
given) and writes one ``event_deliveries`` row per (event, rule, target) in ONE transaction
(one ``executemany``, under the group commit), so what the caller acknowledges is on disk
before it answers, and survives a ``kill -9``. It then wakes the sender task.

The sender task (``delivery_worker.py``) runs on the event loop: it reads the due rows in id order, a batch at a time,
and hands each to the sender registered for its kind (``register_sender``; the kind comes
from the target's ARN), one lane per (rule, target) so a target's events go out in order (a
FIFO queue keeps them), all lanes of a batch at once. A row is deleted only after what its
sender wrote is committed (at least once, never lost). A failure is retried per the target's
RetryPolicy on the cloud clock (``delivery_retry.py``: a scheduler timer wakes the worker, so
``POST /_overcast/clock`` drives retries), or goes to the target's DeadLetterConfig queue
(``delivery_dead_letter.py``) when retries are exhausted or the failure is one AWS does not
retry; without a dead-letter queue the event is dropped (FailedInvocations).

A kind without a sender (``lambda`` until that service exists) keeps its rows parked,
durable, until one registers, as SNS does for Lambda subscriptions.
"""

from __future__ import annotations

import asyncio
import json
import time as _time
from random import getrandbits

from overcast.services.events.delivery_types import Delivery, DeliveryFailure, Sender
from overcast.services.events.delivery_worker import PARKED, TIMER_KIND, DeliveryWorker
from overcast.services.events.events_metrics import EventsMetrics
from overcast.services.events.models import BusRow, RuleRow

__all__ = ["DispatchOperations", "Delivery", "DeliveryFailure", "Sender", "build_envelope", "format_event_time",
           "new_event_id", "target_kind", "PARKED"]


def format_event_time(stamp: float) -> str:
    """An envelope's ``time``: ISO 8601 in UTC, whole seconds, ``Z`` (as AWS writes it)."""
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(int(stamp)))


_VERSION_4 = (0x4 << 76, ~(0xF << 76))  # the version nibble of a random UUID
_VARIANT = (0x2 << 62, ~(0x3 << 62))  # its RFC 4122 variant bits


def new_event_id() -> str:
    """A random (version 4) UUID, as AWS's event ids are; a fifth of ``uuid.uuid4``'s cost
    (event ids need to be unique, not secret)."""
    n = getrandbits(128)
    n = (n & _VERSION_4[1]) | _VERSION_4[0]
    n = (n & _VARIANT[1]) | _VARIANT[0]
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def build_envelope(scope, *, source: str, detail_type: str, detail: dict, resources=(), time: float | None = None,
                   event_id: str | None = None, now: float | None = None) -> dict:
    """The event as EventBridge builds it, keys in AWS's order. ``time`` is epoch seconds
    (default ``now``, the caller's cloud time, else the wall clock)."""
    stamp = time if time is not None else (now if now is not None else _time.time())
    return {"version": "0", "id": event_id or new_event_id(), "detail-type": detail_type, "source": source,
            "account": scope[0], "time": format_event_time(stamp), "region": scope[1],
            "resources": list(resources), "detail": detail}


def target_kind(arn: str) -> str:
    """The sender kind of a target ARN (``sqs``, ``sns``, ``logs``, ``lambda``, ``event-bus``,
    ``api-destination``, ``archive``; any other service: its name, parked until a sender)."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) < 6:
        return "unknown"
    service, resource = parts[2], parts[5]
    if service == "events":
        for prefix, kind in (("event-bus/", "event-bus"), ("api-destination/", "api-destination"),
                             ("archive/", "archive")):
            if resource.startswith(prefix):
                return kind
    return service


def _dumps(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


class DispatchOperations(DeliveryWorker):
    def __init__(self, cloud):
        # set before the other mixins' __init__ run (they follow in the MRO and may register senders)
        self._senders: dict[str, Sender] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._timer: int | None = None
        self._timer_due: float | None = None
        self._generation = 0  # bumped by reset: a batch in flight must not write afterwards
        self._running = asyncio.Lock()
        self._rule_cache: dict[int, RuleRow | None] = {}  # rule_id -> row, dropped on every rule change
        self._retries_waiting = True  # rows may wait for a later attempt: the timer must be armed
        self.events_metrics = EventsMetrics(cloud.service_metrics)
        cloud.scheduler.on(TIMER_KIND, self._on_timer)
        from overcast.services.events.senders import register_builtin_senders

        register_builtin_senders(self)
        super().__init__(cloud)

    # ------------------------------------------------------------------ contract
    def register_sender(self, kind: str, sender: Sender) -> None:
        """``async sender(delivery)`` delivers to targets of ``kind`` or raises DeliveryFailure."""
        self._senders[kind] = sender
        if self._task is not None:  # rows parked for this kind go out now
            with self.db.transaction():
                self.db.execute("UPDATE event_deliveries SET due = ? WHERE due >= ? AND kind = ?",
                                (self.clock.now(), PARKED, kind))
            self._wake_worker()

    def build_envelope(self, scope, **fields) -> dict:
        fields.setdefault("now", self.clock.now())
        return build_envelope(scope, **fields)

    def accept_events(self, scope, bus: BusRow, events: list[dict], *, rules: list[RuleRow] | None = None,
                      replay_name: str | None = None, trace_headers: list | None = None,
                      route: str | None = None) -> None:
        """Match ``events`` (whole envelopes) on ``bus`` (or against exactly ``rules``) and
        write one delivery per (event, rule, target) in one transaction; wakes the sender.
        ``trace_headers``: each event's X-Ray header (PutEvents' TraceHeader) or None;
        ``route``: the buses the events were forwarded through (bus-to-bus targets)."""
        now = self.clock.now()
        targets_of = getattr(self, "rule_targets", None)
        rows = []
        triggered: dict[int, tuple[RuleRow, int]] = {}
        for index, event in enumerate(events):
            matched = self.matching_rules(bus, event) if rules is None else rules
            if not matched:
                continue
            text = None
            trace = trace_headers[index] if trace_headers else None
            for rule in matched:
                seen = triggered.get(rule.rule_id)
                triggered[rule.rule_id] = (rule, (seen[1] if seen else 0) + 1)
                for target in (targets_of(rule.rule_id) if targets_of is not None else ()):
                    if text is None:
                        text = _dumps(event)
                    kind = target_kind(target.get("Arn", ""))
                    due = now if kind in self._senders else PARKED
                    rows.append((bus.account, bus.region, rule.rule_id, target["Id"], kind, text, trace, replay_name,
                                 route, now, due))
        if rows:
            with self.db.transaction():
                self.db.executemany(
                    "INSERT INTO event_deliveries (account, region, rule_id, target_id, kind, event, trace, "
                    "replay_name, route, ingested, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for rule, count in triggered.values():
            self.events_metrics.rule_matched(rule, count)
        self.events_metrics.flush()
        if rows:
            self._wake_worker()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        await super().start()
        # (here, not in __init__: the rules mixin makes its listener list after its own super().__init__)
        self.add_rule_listener(self._rule_changed_for_dispatch)
        registered = sorted(self._senders)
        if registered:
            marks = ",".join("?" * len(registered))
            with self.db.transaction():
                self.db.execute(f"UPDATE event_deliveries SET due = ? WHERE due >= ? AND kind IN ({marks})",
                                (self.clock.now(), PARKED, *registered))
        self._ensure_worker()
        self._wake_worker()

    def _rule_changed_for_dispatch(self, scope, new: RuleRow | None, old: RuleRow | None) -> None:
        self._rule_cache.clear()
        if new is None and old is not None:  # a deleted rule's deliveries (parked ones too) go nowhere now
            self.db.execute("DELETE FROM event_deliveries WHERE rule_id = ?", (old.rule_id,))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                pass
        await super().stop()

    def reset(self) -> None:
        self._generation += 1
        self._timer = self._timer_due = None  # the scheduler drops its one-shot timers itself
        self._retries_waiting = True
        self._rule_cache.clear()
        self.events_metrics.reset()
        super().reset()

    def pending_deliveries(self) -> int:
        return self.db.query_one("SELECT COUNT(*) FROM event_deliveries")[0]

    def _ensure_worker(self) -> None:
        if self._task is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run(), name="events-delivery")

    def _wake_worker(self) -> None:
        self._ensure_worker()
        if self._wake is not None:
            self._wake.set()
