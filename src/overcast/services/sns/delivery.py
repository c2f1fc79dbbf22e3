"""The delivery engine: a durable queue of pending deliveries, drained by a worker.

Publish calls ``enqueue`` inside its own commit: the message once (``messages``) and one row
per matching subscription (``deliveries``), so what Publish acknowledged is on disk and is
delivered even after a ``kill -9`` (the worker resumes at start). Publish never waits for a
delivery: it wakes the worker, which runs on the event loop in batches of ``BATCH`` rows in
id order, one coroutine per subscription (a subscription's deliveries go out in order: a FIFO
topic's order holds), all subscriptions of a batch at once.

A delivery is tried through ``delivery_protocols.DELIVERERS``; a failure is retried at the
time the protocol's retry policy gives (``due``, on the cloud clock: a scheduler timer wakes
the worker, so ``POST /_overcast/clock`` drives retries), and goes to the subscription's
dead-letter queue (RedrivePolicy) when the policy gives up or the failure is one AWS does not
retry. While a FIFO subscription has a retry waiting, its later deliveries wait behind it.

A row is deleted only once what its delivery wrote (the SQS message) is committed, so a
crash at any instant means a delivery made again, never one lost (at least once).

A protocol without a deliverer parks its rows (``due = PARKED``) until one is registered.
"""

from __future__ import annotations

import asyncio
import logging

from overcast.services.sns import delivery_protocols as protocols
from overcast.services.sns.message import SnsMessage
from overcast.services.sns.presigning import Presigner, is_enveloped
from overcast.services.sns.store import SubscriptionRecord
from overcast.storage import group_commit

log = logging.getLogger("overcast.sns.delivery")

BATCH = 500
PARKED = 9.0e18  # due time of a delivery whose protocol has no deliverer yet
TIMER_KIND = "sns.delivery"


def detached_subscription(message: SnsMessage) -> SubscriptionRecord | None:
    """The subscription a message carries a copy of (see ``SnsMessage.subscription``)."""
    copy = message.subscription
    if not copy or not message.subscription_arn:
        return None
    return SubscriptionRecord(message.subscription_arn, message.topic_arn, copy["owner"], copy["protocol"],
                              copy["endpoint"], True, None, 0.0, dict(copy.get("attributes") or {}))


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class DeliveryEngine:
    def __init__(self, provider):
        self.provider = provider
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._timer: int | None = None
        self._timer_due: float | None = None
        self._generation = 0  # bumped by reset: a batch in progress must not write afterwards
        # message key -> message, for the messages just enqueued by this process: the worker
        # needs not read back and decode what it was handed (dropped after their first batch)
        self._fresh: dict[int, SnsMessage] = {}
        self._presigner = Presigner(provider.signer)  # the batch's RSA signatures, off the event loop
        self._running = asyncio.Lock()  # the worker and a timer's wake-up never deliver the same rows twice
        provider.cloud.scheduler.on(TIMER_KIND, self._on_timer)

    @property
    def db(self):
        return self.provider.db

    # -- writing ---------------------------------------------------------------------------

    def enqueue(self, message: SnsMessage, subscriptions) -> None:
        """Store ``message`` and one pending delivery per subscription (in the caller's commit)."""
        if not subscriptions:
            return
        now = self.provider.clock.now()
        with self.db.transaction():
            key = self.db.query_one("INSERT INTO messages (payload) VALUES (?) RETURNING key",
                                    (message.to_payload(),))[0]
            self.db.executemany(
                "INSERT INTO deliveries (message_key, subscription_arn, protocol, due) VALUES (?, ?, ?, ?)",
                [(key, sub.arn, sub.protocol, now if sub.protocol in protocols.DELIVERERS else PARKED)
                 for sub in subscriptions])
        if any(sub.protocol in protocols.DELIVERERS for sub in subscriptions):
            self._fresh[key] = message
        self.wake()

    def pending_count(self) -> int:
        return self.db.query_one("SELECT COUNT(*) FROM deliveries")[0]

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Resume: unpark rows whose protocol has a deliverer now, and drain what is due."""
        registered = sorted(protocols.DELIVERERS)
        if registered:
            marks = ",".join("?" * len(registered))
            with self.db.transaction():
                self.db.execute(f"UPDATE deliveries SET due = 0 WHERE due >= ? AND protocol IN ({marks})",
                                (PARKED, *registered))
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sns-delivery")
        self.wake()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                pass
        self._presigner.close()

    def reset(self) -> None:
        self._generation += 1
        self._fresh.clear()
        self._timer = self._timer_due = None  # the scheduler drops its one-shot timers itself

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _on_timer(self, payload: dict) -> None:
        self._timer = self._timer_due = None
        self.wake()
        # let the worker run the deliveries that fell due before the clock moves on
        await self.run_due()

    # -- the worker ------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the worker must survive; rows stay pending
                log.exception("SNS delivery batch failed")
                await asyncio.sleep(1.0)
                self.wake()

    async def run_due(self) -> None:
        """Deliver everything due now, batch after batch; then arm the timer for the next retry."""
        async with self._running:
            await self._run_due()

    async def _run_due(self) -> None:
        while True:
            generation = self._generation
            rows = self._due_rows()
            if not rows:
                break
            await self._deliver(rows, generation)
            if generation != self._generation:
                return
        self._arm_timer()

    def _due_rows(self) -> list[tuple]:
        now = self.provider.clock.now()
        rows = self.db.query(
            "SELECT id, message_key, subscription_arn, protocol, attempts FROM deliveries "
            "WHERE due <= ? ORDER BY id LIMIT ?", (now, BATCH))
        if rows and self.provider.has_fifo_topics():
            waiting = {arn for (arn,) in self.db.query(
                "SELECT DISTINCT subscription_arn FROM deliveries WHERE due > ? AND due < ?", (now, PARKED))}
            if waiting:
                rows = [row for row in rows if not (row[2] in waiting and self._is_fifo_subscription(row[2]))]
        return rows

    def _is_fifo_subscription(self, arn: str) -> bool:
        sub = self.provider.store.subscription(arn)
        topic = self.provider.store.topic(sub.topic_arn) if sub is not None else None
        return topic is not None and topic.is_fifo

    async def _deliver(self, rows: list[tuple], generation: int) -> None:
        messages: dict[int, SnsMessage] = {}
        lanes: dict[str, list[tuple]] = {}
        unknown = set()
        for row in rows:
            key = row[1]
            if key not in messages:
                message = self._fresh.get(key)
                if message is None:
                    unknown.add(key)
                else:
                    messages[key] = message
            lanes.setdefault(row[2], []).append(row)
        for chunk in _chunks(sorted(unknown), 500):  # written before a restart: read back
            marks = ",".join("?" * len(chunk))
            for key, payload in self.db.query(f"SELECT key, payload FROM messages WHERE key IN ({marks})", chunk):
                messages[key] = SnsMessage.from_payload(payload)
        await self._presign(rows, messages)
        done: list[int] = []
        retries: list[tuple[int, float, int]] = []  # (attempts, due, id)
        parked: list[int] = []
        with group_commit.tracking():
            await asyncio.gather(*(self._deliver_lane(arn, lane, messages, done, retries, parked)
                                   for arn, lane in lanes.items()))
            # what the targets wrote (SQS's messages) is on disk before these rows go
            await group_commit.settle()
        if generation != self._generation:
            return
        with self.db.transaction():
            if done:
                self.db.executemany("DELETE FROM deliveries WHERE id = ?", [(i,) for i in done])
            if retries:
                self.db.executemany("UPDATE deliveries SET attempts = ?, due = ? WHERE id = ?", retries)
            if parked:
                self.db.executemany("UPDATE deliveries SET due = ? WHERE id = ?", [(PARKED, i) for i in parked])
            for chunk in _chunks(list(messages), 400):  # the messages no delivery refers to any more
                marks = ",".join("?" * len(chunk))
                self.db.execute(f"DELETE FROM messages WHERE key IN ({marks}) AND key NOT IN "
                                f"(SELECT message_key FROM deliveries WHERE message_key IN ({marks}))",
                                (*chunk, *chunk))
        # held only for the batch that follows the Publish: a row retried, parked or left to
        # the next batch reads its message back, so nothing stays in memory per message
        for key in messages:
            self._fresh.pop(key, None)

    async def _presign(self, rows: list[tuple], messages: dict[int, SnsMessage]) -> None:
        """Sign, in the signing threads, the batch's messages that go out enveloped."""
        store = self.provider.store
        wanted: dict[int, SnsMessage] = {}
        for row in rows:
            message = messages.get(row[1])
            if message is None or row[1] in wanted:
                continue
            sub = store.subscription(row[2]) or detached_subscription(message)
            if sub is not None and is_enveloped(sub, message):
                wanted[row[1]] = message
        await self._presigner.presign(list(wanted.values()))

    async def _deliver_lane(self, arn: str, lane: list[tuple], messages, done, retries, parked) -> None:
        """Deliver one subscription's rows in order; a FIFO subscription stops at a failure."""
        store = self.provider.store
        fifo = self._is_fifo_subscription(arn)
        batcher = None if fifo else protocols.BATCH_DELIVERERS.get(lane[0][3])
        if batcher is not None and store.subscription(arn) is not None:
            await self._deliver_lane_batched(store.subscription(arn), lane, messages, done, retries, batcher)
            return
        for row_id, message_key, _, protocol, attempts in lane:
            message = messages.get(message_key)
            if message is None:  # its message row is gone (cannot happen but by hand): nothing to send
                done.append(row_id)
                continue
            sub = store.subscription(arn) or detached_subscription(message)
            if sub is None:  # unsubscribed (or its topic deleted) since: nothing to deliver to
                done.append(row_id)
                continue
            deliverer = protocols.DELIVERERS.get(protocol)
            if deliverer is None:
                parked.append(row_id)
                continue
            try:
                await deliverer(self.provider, sub, message)
                outcome = None
            except Exception as exc:  # noqa: BLE001 - "failed, retry per policy" (or not: DeliveryFailed)
                outcome = exc
            if not await self._settle(sub, row_id, attempts, message, outcome, done, retries) and fifo:
                return  # a FIFO subscription's later messages wait behind the retry

    async def _deliver_lane_batched(self, sub, lane, messages, done, retries, batcher) -> None:
        rows = []
        for row in lane:
            if messages.get(row[1]) is None:
                done.append(row[0])
            else:
                rows.append(row)
        for chunk in _chunks(rows, 10):
            batch = [messages[row[1]] for row in chunk]
            try:
                outcomes = await batcher(self.provider, sub, batch)
            except Exception as exc:  # noqa: BLE001 - every message of the call failed alike
                outcomes = [exc] * len(batch)
            for (row_id, _, _, _, attempts), message, outcome in zip(chunk, batch, outcomes):
                await self._settle(sub, row_id, attempts, message, outcome, done, retries)

    async def _settle(self, sub, row_id: int, attempts: int, message: SnsMessage, outcome, done, retries) -> bool:
        """Record one delivery's outcome (None: delivered); False when it waits for a retry."""
        metrics = self.provider.topic_metrics
        if outcome is None:
            metrics.delivered(message.topic_arn)
            if message.trace_segment:  # active tracing: the delivery's subsegment (tracing.py)
                self.provider.tracer.delivered(sub, message, failed=False)
            done.append(row_id)
            return True
        retry = not isinstance(outcome, protocols.DeliveryFailed) or outcome.retry
        if retry and self._retry(sub, row_id, attempts, retries):
            metrics.failed(message.topic_arn, sub.protocol, gave_up=False)
            return False
        metrics.failed(message.topic_arn, sub.protocol, gave_up=True)
        if message.trace_segment:
            self.provider.tracer.delivered(sub, message, failed=True)
        reason = str(outcome) if isinstance(outcome, protocols.DeliveryFailed) else repr(outcome)
        await self._dead_letter(sub, message, reason)
        done.append(row_id)
        return True

    def _retry(self, sub, row_id: int, attempts: int, retries: list) -> bool:
        """Schedule the next attempt per the protocol's policy; False once it is exhausted."""
        policy = protocols.RETRY_DELAYS.get(sub.protocol, protocols.aws_managed_retry_delay)
        delay = policy(self.provider, sub, attempts + 1)
        if delay is None:
            return False
        retries.append((attempts + 1, self.provider.clock.now() + delay, row_id))
        return True

    async def _dead_letter(self, sub, message: SnsMessage, reason: str) -> None:
        """Send ``message`` to the subscription's dead-letter queue, if it has one."""
        policy = sub.redrive_policy
        target = policy.get("deadLetterTargetArn") if policy else None
        if not target:
            log.info("SNS dropped a delivery to %s: %s", sub.arn, reason)
            return
        from overcast.services.sns.sqs_delivery import send_to_dead_letter_queue

        try:
            await send_to_dead_letter_queue(self.provider, sub, message, target)
        except Exception as exc:  # noqa: BLE001 - a dead-letter queue that refuses loses the message, as on AWS
            log.info("SNS could not dead-letter a delivery to %s: %r", sub.arn, exc)

    def _arm_timer(self) -> None:
        """One scheduler timer at the earliest retry still waiting (none parked)."""
        row = self.db.query_one("SELECT MIN(due) FROM deliveries WHERE due < ?", (PARKED,))
        due = row[0] if row else None
        if due is None or due == self._timer_due:
            return
        scheduler = self.provider.cloud.scheduler
        if self._timer is not None:
            scheduler.cancel(self._timer)
        self._timer_due = due
        self._timer = scheduler.schedule(due, TIMER_KIND, {}, durable=False)
