"""EventBridge's delivery: the one way events enter delivery, and the worker that sends them.

``accept_events`` (PutEvents, schedules, replays, service events and bus-to-bus targets all
use it) matches each envelope against its bus's enabled rules (or exactly the ``rules`` it is
given) and writes one ``event_deliveries`` row per (event, rule, target) in ONE transaction
(one ``executemany``, under the group commit), so what the caller acknowledges is on disk
before it answers, and survives a ``kill -9``. It then wakes the sender task.

The sender task runs on the event loop: it reads the due rows in id order, a batch at a time,
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
import logging
import time as _time
from dataclasses import dataclass, field
from random import getrandbits
from typing import Awaitable, Callable

from overcast.services.events.delivery_retry import MAX_EVENT_AGE, next_attempt_delay, retry_policy
from overcast.services.events.events_metrics import EventsMetrics
from overcast.services.events.models import RULE_COLUMNS, BusRow, RuleRow
from overcast.storage import group_commit
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.events.dispatch")

BATCH = 500
PARKED = 9.0e18  # due time of a delivery whose kind has no sender yet
TIMER_KIND = "events.delivery"
_INPUT_KEYS = ("Input", "InputPath", "InputTransformer")
_DUE_ROWS = ("SELECT id, account, region, rule_id, target_id, kind, event, trace, replay_name, ingested, attempts, "
             "route FROM event_deliveries WHERE due <= ? ORDER BY id LIMIT ?")
_RULE_BY_ID = f"SELECT {RULE_COLUMNS} FROM rules r JOIN event_buses b ON b.bus_id = r.bus_id WHERE r.rule_id = ?"


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


def _as_failure(exc: Exception) -> DeliveryFailure:
    """A sender's exception as a DeliveryFailure: one carrying ``code``, ``message`` and
    ``retryable`` keeps them; anything else is an unexpected, retryable error."""
    code, retryable = getattr(exc, "code", None), getattr(exc, "retryable", None)
    if isinstance(code, str) and isinstance(retryable, bool):
        return DeliveryFailure(code, str(getattr(exc, "message", exc)), retryable)
    log.warning("EventBridge delivery failed: %r", exc)
    return DeliveryFailure("INTERNAL_ERROR", repr(exc))


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


class DispatchOperations:
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

    async def _on_timer(self, payload: dict) -> None:
        self._timer = self._timer_due = None
        # deliver what fell due before the clock moves on (POST /_overcast/clock)
        await self.run_due_deliveries()

    # ------------------------------------------------------------------ the worker
    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_due_deliveries()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the worker must survive; rows stay pending
                log.exception("EventBridge delivery batch failed")
                await asyncio.sleep(1.0)
                self._wake.set()

    async def run_due_deliveries(self) -> None:
        """Deliver everything due now, batch after batch; then arm the timer for the next retry."""
        async with self._running:
            while True:
                generation = self._generation
                rows = self.db.query(_DUE_ROWS, (self.clock.now(), BATCH))
                if not rows:
                    break
                if await self._deliver_batch(rows, generation):
                    self._retries_waiting = True
                if generation != self._generation:
                    return
                if len(rows) < BATCH:  # all that was due; rows accepted meanwhile woke the worker again
                    break
            if self._retries_waiting:
                self._arm_timer()

    async def _deliver_batch(self, rows: list[tuple], generation: int) -> bool:
        """Deliver ``rows``; whether some of them wait for a retry."""
        lanes: dict[tuple, list[tuple]] = {}
        for row in rows:
            lanes.setdefault((row[3], row[4]), []).append(row)
        outcome = _Outcome()
        with group_commit.tracking():
            await asyncio.gather(*(self._deliver_lane(lane, outcome) for lane in lanes.values()))
            # what the targets wrote (SQS's messages...) is on disk before these rows go
            await group_commit.settle()
        if generation != self._generation:
            return False
        with self.db.transaction():
            if outcome.done:
                self.db.executemany("DELETE FROM event_deliveries WHERE id = ?", [(i,) for i in outcome.done])
            if outcome.retries:
                self.db.executemany("UPDATE event_deliveries SET attempts = ?, due = ? WHERE id = ?", outcome.retries)
            if outcome.parked:
                self.db.executemany("UPDATE event_deliveries SET due = ? WHERE id = ?",
                                    [(PARKED, i) for i in outcome.parked])
        self.events_metrics.flush()
        return bool(outcome.retries)

    def _rule(self, rule_id: int) -> RuleRow | None:
        if rule_id not in self._rule_cache:
            row = self.db.query_one(_RULE_BY_ID, (rule_id,))
            self._rule_cache[rule_id] = RuleRow.from_row(row) if row else None
        return self._rule_cache[rule_id]

    def _target(self, rule_id: int, target_id: str) -> dict | None:
        targets_of = getattr(self, "rule_targets", None)
        for target in (targets_of(rule_id) if targets_of is not None else ()):
            if target.get("Id") == target_id:
                return target
        return None

    async def _deliver_lane(self, lane: list[tuple], outcome: "_Outcome") -> None:
        """One (rule, target)'s rows in order; a failure waiting for a retry holds the rest
        back (a FIFO queue keeps its order; a standard one loses nothing by waiting). A sender
        with a ``batch`` attribute (SQS's SendMessageBatch) takes up to 10 deliveries a call."""
        ready: list[tuple[Delivery, str]] = []
        sender = None
        for row in lane:
            row_id, account, region, rule_id, target_id, kind, text, trace, replay_name, ingested, attempts, route = row
            rule, target = self._rule(rule_id), self._target(rule_id, target_id)
            if rule is None or target is None:  # the rule or target was removed since: nowhere to go
                outcome.done.append(row_id)
                continue
            sender = self._senders.get(kind)
            if sender is None:
                outcome.parked.append(row_id)
                continue
            ready.append((Delivery(Scope(account, region), rule, target, json.loads(text), "", attempts + 1, ingested,
                                   trace_header=trace, replay_name=replay_name, route=route, delivery_id=row_id),
                          text))
        batch = getattr(sender, "batch", None)
        step = 10 if batch is not None else 1
        for start in range(0, len(ready), step):
            chunk = [(delivery, text) for delivery, text in ready[start:start + step]
                     if await self._prepare(delivery, text, outcome)]
            if not chunk:
                continue
            if len(chunk) > 1:
                try:
                    failures = await batch([delivery for delivery, _ in chunk])
                except Exception as exc:  # noqa: BLE001 - every delivery of the call failed alike
                    failures = [_as_failure(exc)] * len(chunk)
            else:
                failures = [await self._send_one(sender, chunk[0][0])]
            retry_due = None
            for (delivery, _), failure in zip(chunk, failures):
                due = await self._settle(delivery, failure, outcome)
                retry_due = retry_due or due
            if retry_due is not None:  # the lane's later rows wait behind it, in order
                for delivery, _ in ready[start + step:]:
                    outcome.retries.append((delivery.attempt - 1, retry_due, delivery.delivery_id))
                return

    async def _send_one(self, sender: Sender, delivery: Delivery) -> DeliveryFailure | None:
        try:
            await sender(delivery)
        except DeliveryFailure as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - an unexpected error is a retryable failure
            return _as_failure(exc)
        return None

    async def _prepare(self, delivery: Delivery, text: str, outcome: "_Outcome") -> bool:
        """Render the delivery's input; False when it is settled without an attempt (too old
        after a downtime, or a template the event cannot fill)."""
        from overcast.services.events.delivery_dead_letter import dead_letter

        if self.clock.now() - delivery.first_attempt > retry_policy(delivery.target)[MAX_EVENT_AGE]:
            self.events_metrics.failed(delivery.rule)
            await dead_letter(self, delivery, "EVENT_EXPIRED", "The event is older than the target's "
                              "MaximumEventAgeInSeconds.", exhausted="MaximumEventAgeInSeconds")
            outcome.done.append(delivery.delivery_id)
            return False
        try:
            delivery.input_text = self._render_input(delivery, text)
        except Exception as exc:  # noqa: BLE001 - not retried: the same event fails the same way
            await self._settle(delivery, DeliveryFailure("INPUT_TRANSFORMATION_ERROR", str(exc), retryable=False),
                               outcome, attempted=False)
            return False
        return True

    async def _settle(self, delivery: Delivery, failure: DeliveryFailure | None, outcome: "_Outcome",
                      attempted: bool = True) -> float | None:
        """Record one attempt's outcome; the time of its retry when it waits for one."""
        from overcast.services.events.delivery_dead_letter import dead_letter

        metrics = self.events_metrics
        if attempted:
            metrics.attempted(delivery.rule, retry=delivery.attempt > 1)
            if delivery.attempt == 1:
                metrics.latency(delivery.rule, "IngestionToInvocationStartLatency",
                                (self.clock.now() - delivery.first_attempt) * 1000)
        if failure is None:
            metrics.delivered(delivery.rule)
            metrics.latency(delivery.rule, "IngestionToInvocationCompleteLatency",
                            (self.clock.now() - delivery.first_attempt) * 1000)
            outcome.done.append(delivery.delivery_id)
            return None
        exhausted = None
        if failure.retryable:
            max_retries, max_age = retry_policy(delivery.target)
            now = self.clock.now()
            delay = next_attempt_delay(delivery.attempt)
            if delivery.attempt - 1 >= max_retries:
                exhausted = "MaximumRetryAttempts"
            elif now + delay - delivery.first_attempt > max_age:
                exhausted = "MaximumEventAgeInSeconds"
            else:
                outcome.retries.append((delivery.attempt, now + delay, delivery.delivery_id))
                return now + delay
        metrics.failed(delivery.rule)
        await dead_letter(self, delivery, failure.code, failure.message, exhausted=exhausted)
        outcome.done.append(delivery.delivery_id)
        return None

    def _render_input(self, delivery: Delivery, text: str) -> str:
        if not any(key in delivery.target for key in _INPUT_KEYS):
            return text  # the whole event, as stored
        try:
            from overcast.services.events.target_input import render_input
        except ImportError:  # the targets concern has not landed its renderer: the whole event
            return text
        return render_input(delivery.target, delivery.event, rule_arn=delivery.rule.arn, rule_name=delivery.rule.name,
                            ingestion_time=delivery.first_attempt)

    def _arm_timer(self) -> None:
        """One scheduler timer at the earliest retry still waiting (none for parked rows)."""
        row = self.db.query_one("SELECT MIN(due) FROM event_deliveries WHERE due < ?", (PARKED,))
        due = row[0] if row else None
        if due is None:
            self._retries_waiting = False
            return
        if due == self._timer_due:
            return
        if self._timer is not None:
            self.cloud.scheduler.cancel(self._timer)
        self._timer_due = due
        self._timer = self.cloud.scheduler.schedule(due, TIMER_KIND, {}, durable=False)


class _Outcome:
    __slots__ = ("done", "retries", "parked")

    def __init__(self):
        self.done: list[int] = []
        self.retries: list[tuple[int, float, int]] = []  # (attempts, due, id)
        self.parked: list[int] = []
