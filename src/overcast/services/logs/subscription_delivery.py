"""Subscription filters at ingestion: matching events become pending deliveries, written in the
PutLogEvents transaction that stores the events (``in_transaction``), so what PutLogEvents
acknowledged is forwarded even after a ``kill -9``; a worker on the event loop delivers them.

Per group, the active subscriptions (its filters and the account's subscription filter policy,
unless it excludes the group) are cached; a group without any costs one dict lookup. Each
subscription's matching events of a batch go out as DATA_MESSAGEs (``subscription_envelope``)
to the destination, resolved at delivery (a Logs destination stands for its target).

A delivery whose target's service does not run in Overcast yet (Lambda) is parked
(``due = PARKED``) and goes out once it does (at the next start). A failed delivery is
retried on the cloud clock (a scheduler timer wakes the worker) with a backoff up to a
minute, for 24 hours as AWS retries, then dropped with a log line. A row is deleted only once
its delivery returned, so a crash means a delivery made again, never one lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from overcast.services.logs.subscription_envelope import data_messages
from overcast.services.logs.subscription_targets import Parked, Unreachable, deliver, parse_target
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.logs.subscriptions")

PARKED = 9.0e18  # due time of a delivery whose target's service does not run yet
TIMER_KIND = "logs.subscription_delivery"
BATCH = 100
DESTINATION_TYPES = {"lambda": "Lambda", "kinesis": "Kinesis", "firehose": "Firehose"}  # AWS/Logs DestinationType
MAX_DELAY = 60.0
GIVE_UP_AFTER = 24 * 3600.0  # AWS retries a failing destination for up to 24 hours


def retry_delay(attempts: int) -> float:
    return min(MAX_DELAY, float(2 ** min(attempts, 6)))


def max_attempts() -> int:
    total, attempts = 0.0, 0
    while total < GIVE_UP_AFTER:
        attempts += 1
        total += retry_delay(attempts)
    return attempts


MAX_ATTEMPTS = max_attempts()


@dataclass(frozen=True)
class ActiveSubscription:
    name: str
    pattern: object  # filter_pattern.FilterPattern
    destination_arn: str
    role_arn: str | None
    policy_level: str  # LOG_GROUP_LEVEL | ACCOUNT_LEVEL


class SubscriptionForwarder:
    """The ingest listener of subscription filters and the worker delivering them."""

    def __init__(self, provider):
        self.provider = provider
        self._cache: dict[int, list[ActiveSubscription]] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._timer: int | None = None
        self._timer_due: float | None = None
        self._running = asyncio.Lock()
        self._generation = 0
        self._written_due = False
        provider.cloud.scheduler.on(TIMER_KIND, self._on_timer)

    @property
    def db(self):
        return self.provider.db

    def forget(self, group_id: int | None = None) -> None:
        """Drop the cached subscriptions of one group (or of all: a policy changed, reset)."""
        if group_id is None:
            self._cache.clear()
        else:
            self._cache.pop(group_id, None)

    def subscriptions_of(self, group) -> list[ActiveSubscription]:
        cached = self._cache.get(group.group_id)
        if cached is not None:
            return cached
        from overcast.services.logs.account_policies import excluded_groups
        from overcast.services.logs.filter_pattern import compile_pattern
        from overcast.services.logs.system_fields import applies_to

        active = []
        for (config,) in self.db.query("SELECT config FROM subscription_filters WHERE group_id = ? "
                                       "ORDER BY filter_name", (group.group_id,)):
            item = json.loads(config)
            if not applies_to(item.get("fieldSelectionCriteria"), group):
                continue
            active.append(ActiveSubscription(item["filterName"], compile_pattern(item["filterPattern"]),
                                             item["destinationArn"], item.get("roleArn"), "LOG_GROUP_LEVEL"))
        policy = self.provider.subscription_policy(group.scope)
        if policy is not None and group.name not in excluded_groups(policy.get("selectionCriteria")):
            document = json.loads(policy["policyDocument"])
            active.append(ActiveSubscription(policy["policyName"], compile_pattern(document.get("FilterPattern", "")),
                                             document["DestinationArn"], document.get("RoleArn"), "ACCOUNT_LEVEL"))
        self._cache[group.group_id] = active
        return active

    # -- the ingest listener ---------------------------------------------------------------

    def in_transaction(self, batch) -> None:
        subscriptions = self.subscriptions_of(batch.group)
        if not subscriptions:
            return
        now = self.provider.clock.now()
        scope = batch.scope
        rows = []
        for sub in subscriptions:
            match = sub.pattern.match
            matched = [event for event in batch.events if match(event.message) is not None]
            if not matched:
                continue
            due = PARKED if self._parked(sub.destination_arn) else now
            for message in data_messages(scope.account, batch.group.name, batch.stream_name, sub.name, matched,
                                         sub.policy_level):
                rows.append((scope.account, scope.region, sub.destination_arn, sub.role_arn,
                             json.dumps(message, separators=(",", ":")), due))
            self._written_due = self._written_due or due != PARKED
        if rows:
            self.db.executemany(
                "INSERT INTO subscription_deliveries (account, region, destination_arn, role_arn, payload, due) "
                "VALUES (?, ?, ?, ?, ?, ?)", rows)

    def after_commit(self, batch) -> None:
        if self._written_due:
            self._written_due = False
            self.wake()

    def _parked(self, destination_arn: str) -> bool:
        target = parse_target(destination_arn)
        return target is not None and target.kind == "lambda" and not self.provider.cloud.services.is_implemented(
            "lambda")

    def pending(self) -> tuple[int, int]:
        """(deliveries waiting for a retry or their turn, deliveries parked)."""
        waiting = self.db.query_one("SELECT COUNT(*) FROM subscription_deliveries WHERE due < ?", (PARKED,))[0]
        parked = self.db.query_one("SELECT COUNT(*) FROM subscription_deliveries WHERE due >= ?", (PARKED,))[0]
        return waiting, parked

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Resume: unpark Lambda deliveries once Lambda runs, and drain what is due."""
        if self.provider.cloud.services.is_implemented("lambda"):
            self.db.execute("UPDATE subscription_deliveries SET due = 0 WHERE due >= ?", (PARKED,))
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="logs-subscriptions")
        self.wake()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                pass

    def reset(self) -> None:
        self._generation += 1
        self._cache.clear()
        self._timer = self._timer_due = None  # the scheduler drops its one-shot timers itself

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _on_timer(self, payload: dict) -> None:
        self._timer = self._timer_due = None
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
            except Exception:  # noqa: BLE001 - the worker survives; rows stay pending
                log.exception("Logs subscription delivery failed")
                await asyncio.sleep(1.0)
                self.wake()

    async def run_due(self) -> None:
        async with self._running:
            while True:
                generation = self._generation
                rows = self.db.query(
                    "SELECT id, account, region, destination_arn, payload, attempts FROM subscription_deliveries "
                    "WHERE due <= ? ORDER BY id LIMIT ?", (self.provider.clock.now(), BATCH))
                if not rows:
                    break
                outcomes = [await self._deliver(account, region, arn, payload)
                            for _, account, region, arn, payload, _ in rows]
                if generation != self._generation:
                    return
                self._settle(rows, outcomes)
            self._arm_timer()

    async def _deliver(self, account: str, region: str, destination_arn: str, payload: str) -> str:
        """"done", "parked" or "failed" for one pending delivery."""
        target = parse_target(destination_arn)
        message = json.loads(payload)
        try:
            if target is not None and target.kind == "destination":
                config = self.provider.destination_config((target.account, target.region), target.name)
                target = parse_target(config["targetArn"]) if config else None
            if target is None:  # the destination was deleted: nothing to deliver to
                return "done"
            await deliver(self.provider, target.account, target, message)
        except Parked:
            return "parked"
        except Unreachable as exc:
            log.info("Logs subscription delivery to %s failed: %s", destination_arn, exc)
            self._count(account, region, target, message, delivered=False)
            return "failed"
        self._count(account, region, target, message, delivered=True)
        return "done"

    def _count(self, account: str, region: str, target, message: dict, delivered: bool) -> None:
        """AWS/Logs ForwardedLogEvents/ForwardedBytes or DeliveryErrors (``logs_metrics.py``)."""
        metrics = getattr(self.provider, "logs_metrics", None)
        if metrics is None:
            return
        scope = Scope(account, region)
        kind = DESTINATION_TYPES.get(target.kind, target.kind)
        group, name = message.get("logGroup", ""), (message.get("subscriptionFilters") or [""])[0]
        if delivered:
            events = message.get("logEvents") or []
            size = sum(len(event["message"].encode("utf-8", "surrogatepass")) for event in events)
            metrics.forwarded(scope, group, kind, name, len(events), size)
        else:
            metrics.delivery_failed(scope, group, kind, name)

    def _settle(self, rows: list[tuple], outcomes: list[str]) -> None:
        now = self.provider.clock.now()
        done, parked, retries = [], [], []
        for (row_id, _, _, arn, _, attempts), outcome in zip(rows, outcomes):
            if outcome == "done":
                done.append((row_id,))
            elif outcome == "parked":
                parked.append((PARKED, row_id))
            elif attempts + 1 >= MAX_ATTEMPTS:
                log.warning("Logs dropped a subscription delivery to %s after 24 hours of failures", arn)
                done.append((row_id,))
            else:
                retries.append((attempts + 1, now + retry_delay(attempts + 1), row_id))
        with self.db.transaction():
            if done:
                self.db.executemany("DELETE FROM subscription_deliveries WHERE id = ?", done)
            if parked:
                self.db.executemany("UPDATE subscription_deliveries SET due = ? WHERE id = ?", parked)
            if retries:
                self.db.executemany("UPDATE subscription_deliveries SET attempts = ?, due = ? WHERE id = ?", retries)

    def _arm_timer(self) -> None:
        row = self.db.query_one("SELECT MIN(due) FROM subscription_deliveries WHERE due < ?", (PARKED,))
        due = row[0] if row else None
        if due is None or due == self._timer_due:
            return
        scheduler = self.provider.cloud.scheduler
        if self._timer is not None:
            scheduler.cancel(self._timer)
        self._timer_due = due
        self._timer = scheduler.schedule(due, TIMER_KIND, {}, durable=False)
