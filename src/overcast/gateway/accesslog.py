"""One line per request: service, operation, status, milliseconds.

Lines go to stdout through its buffer and are flushed at most every half second, so logging
costs the hot path one string format and one buffered write.
"""

from __future__ import annotations

import asyncio
import sys

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


class AccessLog:
    def __init__(self, level: str = "info", stream=None):
        self.enabled = LEVELS.get(level, 20) <= 20
        self.stream = stream or sys.stdout
        self._flush_pending = False

    def log(self, method: str, path: str, service: str, operation: str, status: int, millis: float) -> None:
        if not self.enabled:
            return
        self.stream.write(f"{service} {operation or '-'} {status} {millis:.1f}ms {method} {path}\n")
        if not self._flush_pending:
            self._flush_pending = True
            try:
                asyncio.get_running_loop().call_later(0.5, self._flush)
            except RuntimeError:
                self._flush()

    def _flush(self) -> None:
        self._flush_pending = False
        try:
            self.stream.flush()
        except (OSError, ValueError):
            pass
