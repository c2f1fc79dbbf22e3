"""The cloud: settings, clock, storage, scheduler, audit stream and services of one process."""

from __future__ import annotations

import asyncio
import logging
import time

from overcast import __version__
from overcast.auth.authorization.messages import AuthorizationMessages
from overcast.auth.credentials import CredentialStore
from overcast.config import Settings
from overcast.runtime.audit import AuditStream
from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler
from overcast.runtime.service_events import ServiceEvents
from overcast.runtime.service_metrics import ServiceMetrics
from overcast.runtime.timerstore import MIGRATIONS as RUNTIME_MIGRATIONS
from overcast.runtime.timerstore import RUNTIME_DATABASE, TimerStore
from overcast.services.registry import ServiceRegistry
from overcast.storage import Storage

log = logging.getLogger("overcast.cloud")


class Cloud:
    """Everything one ``overcast serve`` process holds, shared by the gateway and services."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.version = __version__
        self.started_at = time.time()
        self.clock = Clock()
        # Exists before start() so providers can register timer handlers in __init__.
        self.scheduler = Scheduler(self.clock)
        self.audit = AuditStream()
        # Access keys the authenticator resolves; IAM (users' keys) and STS (session
        # credentials) register theirs here.
        self.credentials = CredentialStore.from_settings(settings)
        self.storage: Storage | None = None  # opened by start(); see overcast.storage
        # EC2-style denials encode their decision; STS DecodeAuthorizationMessage opens it.
        self.authorization_messages = AuthorizationMessages(lambda: self.storage)
        self.services = ServiceRegistry(self)
        # AWS/SQS, AWS/S3, AWS/SNS, AWS/Usage: counted by the services, flushed into CloudWatch
        self.service_metrics = ServiceMetrics(self.clock, self.scheduler, sink=self._publish_service_metrics)
        # S3, CloudWatch, X-Ray... put their AWS events on the default bus through this
        self.service_events = ServiceEvents(self.clock, self.scheduler, consumer_ready=self._events_ready)
        self._loading: set[asyncio.Task] = set()
        self._providers_started = False  # Cloud.start's loop over the providers is over

    async def start(self) -> None:
        """Open storage, restore the clock and timers, start the services' background work.

        Providers of services with state on disk (a database, blobs, pending timers) are
        loaded and started now, so they can resume work; the others load on first use. Timers
        that fell due while the server was down fire last, in due order, before this returns.
        """
        self.storage = Storage(self.settings.data_dir, fsync=self.settings.fsync)
        runtime_db = self.storage.database(RUNTIME_DATABASE, RUNTIME_MIGRATIONS)
        self.scheduler.open(TimerStore(runtime_db))
        for name in sorted(self._services_with_state()):
            try:
                self.services.provider(name)
            except Exception:  # noqa: BLE001 - one broken service must not keep the cloud down
                log.exception("loading the %s provider failed", name)
        started: set[str] = set()
        # a provider's start may load another one (its first service event loads events)
        while pending := {n: p for n, p in self.services.loaded().items() if n not in started}:
            for name, provider in pending.items():
                started.add(name)
                try:
                    await provider.start()
                except Exception:  # noqa: BLE001
                    log.exception("starting the %s provider failed", name)
        self._providers_started = True
        self.service_metrics.start()
        await self.scheduler.start()
        self.services.live = True

    def _services_with_state(self) -> set[str]:
        from overcast.services import IMPLEMENTED

        assert self.storage is not None
        names = self.storage.services_on_disk() | self.scheduler.services_with_timers()
        return {name for name in names if name in IMPLEMENTED}

    def drain(self) -> None:
        """The server is shutting down: every provider ends its waits (see Provider.drain)."""
        for provider in self.services.loaded().values():
            try:
                provider.drain()
            except Exception:  # noqa: BLE001 - shutdown goes on
                log.exception("draining the %s provider failed", provider.service_name)

    async def stop(self) -> None:
        """Stop firing timers, stop the providers, close storage (all state is already durable)."""
        await self.scheduler.stop()
        for provider in self.services.loaded().values():
            await provider.stop()
        self.scheduler.close()
        if self.storage is not None:
            self.storage.close()
            self.storage = None

    async def reset(self) -> None:
        """Forget every service's state (for test suites); safe while the server runs.

        Providers drop their in-memory caches, one-shot timers go, the clock returns to real
        time, and every database and blob store is wiped (schemas recreated in place).
        """
        for provider in self.services.loaded().values():
            provider.reset()
        self.scheduler.reset()
        self.service_metrics.reset()
        if self.storage is not None:
            self.storage.reset()

    async def _publish_service_metrics(self, scope, namespace: str, data: list[dict]) -> None:
        """The service metrics' sink: CloudWatch's internal write for ``AWS/`` namespaces."""
        if self.services.is_implemented("cloudwatch"):
            provider = await self.services.started("cloudwatch")
            provider.put_service_metrics(scope, namespace, data)

    def _events_ready(self) -> bool:
        """Whether service events have somewhere to go; loads the events provider (whose
        ``__init__`` registers the timer handler) the first time one is published."""
        if not self.services.is_implemented("events"):
            return False
        if "events" in self.services.loaded():
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or not self._providers_started:
            self.services.provider("events")  # Cloud.start's loop starts it with the others
        else:
            task = loop.create_task(self._start_events())
            self._loading.add(task)  # a reference until it is done (the loop keeps only a weak one)
            task.add_done_callback(self._loading.discard)
        return True

    async def _start_events(self) -> None:
        if "events" in self.services.loaded():
            return
        provider = self.services.provider("events")
        try:
            await provider.start()
        except Exception:  # noqa: BLE001 - as in start()
            log.exception("starting the events provider failed")

    async def advance_clock(self, seconds: float) -> None:
        """Move the cloud's time forward and fire every timer that falls due, in order.

        Returns after those timers' handlers ran, with the clock at the target time, and
        once the wall-clock second from which signatures count as made after the move has
        begun (see ``Scheduler.advance``): what a client signs next is valid.
        """
        await self.scheduler.advance(seconds, settle_signing_second=True)

    def health(self) -> dict:
        from overcast.services import IMPLEMENTED

        loaded = self.services.loaded()
        return {
            "version": self.version,
            "uptime": round(time.time() - self.started_at, 3),
            "services": {
                name: ("running" if name in loaded else "available") for name in sorted(IMPLEMENTED)
            },
            "clock": {"now": self.clock.now(), "offset": self.clock.offset},
            "storage": self.storage.stats() if self.storage is not None else None,
            "timers": self.scheduler.stats(),
        }
