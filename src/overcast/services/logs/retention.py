"""Retention: the events of a group with a retention policy are deleted once older than it,
on the cloud clock. One durable timer (``logs.retention_sweep``) runs every hour of cloud
time while any group has a retention policy; it survives a restart (its id is kept in the
``counters`` row ``retention_timer``) and ``POST /_overcast/clock`` drives it. AWS deletes
expired events within about 72 hours; Overcast within the hour."""

from __future__ import annotations

import logging

from overcast.services.logs import event_store
from overcast.services.logs.ingest_rules import DAY_MS

log = logging.getLogger(__name__)

SWEEP_KIND = "logs.retention_sweep"
SWEEP_INTERVAL = 3600.0


class RetentionOperations:
    async def start(self) -> None:
        await super().start()
        self.cloud.scheduler.on(SWEEP_KIND, self._on_retention_sweep)

    def _saved_sweep(self) -> int:
        row = self.db.query_one("SELECT value FROM counters WHERE name = 'retention_timer'")
        return int(row[0]) if row else 0

    def ensure_retention_sweep(self) -> None:
        """Make sure the sweep is pending when a group has a retention policy."""
        scheduler = self.cloud.scheduler
        saved = self._saved_sweep()
        if saved and scheduler.pending(saved):
            return
        if self.db.query_one("SELECT 1 FROM log_groups WHERE retention_days IS NOT NULL LIMIT 1") is None:
            return
        timer_id = scheduler.schedule(self.clock.now() + SWEEP_INTERVAL, SWEEP_KIND, {})
        self.db.execute("INSERT INTO counters (name, value) VALUES ('retention_timer', ?) "
                        "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (timer_id,))

    def sweep_expired(self) -> int:
        """Delete every expired event now; the number deleted."""
        now_ms = int(self.clock.now() * 1000)
        deleted = 0
        for group_id, days in self.db.query("SELECT group_id, retention_days FROM log_groups "
                                            "WHERE retention_days IS NOT NULL"):
            deleted += event_store.delete_expired(self.db, group_id, now_ms - days * DAY_MS)
        return deleted

    async def _on_retention_sweep(self, payload: dict) -> None:
        try:
            self.sweep_expired()
        finally:
            self.db.execute("DELETE FROM counters WHERE name = 'retention_timer'")
            self.ensure_retention_sweep()
