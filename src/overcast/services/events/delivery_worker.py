"""The sender task's work: read the due ``event_deliveries`` rows a batch at a time, hand each
to the sender of its kind (one lane per (rule, target), in order; a sender with a ``batch``
attribute takes up to 10 deliveries a call), and settle each outcome: delete the delivered
rows once what their senders wrote is committed, schedule retries per the target's
RetryPolicy on the cloud clock (one scheduler timer at the earliest), park rows whose kind has
no sender, and dead-letter what runs out of retries or is not retryable. ``dispatch.py``
(``DispatchOperations``) owns the lifecycle and ``accept_events``; this mixin is its worker.
"""

from __future__ import annotations

import asyncio
import json
import logging

from overcast.services.events.delivery_retry import MAX_EVENT_AGE, next_attempt_delay, retry_policy
from overcast.services.events.delivery_types import Delivery, DeliveryFailure, Sender, as_failure
from overcast.services.events.models import RULE_COLUMNS, RuleRow
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


class DeliveryWorker:
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
                    failures = [as_failure(exc)] * len(chunk)
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
            return as_failure(exc)
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
