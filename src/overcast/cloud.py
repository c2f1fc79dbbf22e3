"""The cloud: settings, clock, storage, scheduler, audit stream and services of one process."""

from __future__ import annotations

import time

from overcast import __version__
from overcast.config import Settings
from overcast.runtime.audit import AuditStream
from overcast.runtime.clock import Clock
from overcast.services.registry import ServiceRegistry


class Cloud:
    """Everything one ``overcast serve`` process holds, shared by the gateway and services."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.version = __version__
        self.started_at = time.time()
        self.clock = Clock()
        self.audit = AuditStream()
        self.storage = None  # set by start(); see overcast.storage
        self.services = ServiceRegistry(self)

    async def start(self) -> None:
        """Open storage, restore the clock and timers, start the services' background work."""

    async def stop(self) -> None:
        for provider in self.services.loaded().values():
            await provider.stop()

    async def reset(self) -> None:
        """Forget every service's state (for test suites)."""
        for provider in self.services.loaded().values():
            provider.reset()

    async def advance_clock(self, seconds: float) -> None:
        """Move the cloud's time forward and fire every timer that falls due, in order."""
        self.clock.advance(seconds)

    def health(self) -> dict:
        from overcast.services import IMPLEMENTED

        loaded = self.services.loaded()
        return {
            "version": self.version,
            "uptime": round(time.time() - self.started_at, 3),
            "services": {
                name: ("running" if name in loaded else "available") for name in sorted(IMPLEMENTED)
            },
        }
