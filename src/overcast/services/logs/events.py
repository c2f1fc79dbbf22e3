"""PutLogEvents and GetLogEvents, and the internal writer other services log through."""

from __future__ import annotations


class EventOperations:
    def add_ingest_listener(self, listener) -> None:
        """``listener``: an ``models.IngestListener``, called for every accepted batch."""
        self._ingest_listeners.append(listener)
