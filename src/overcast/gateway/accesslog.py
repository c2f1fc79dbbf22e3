"""One line per request: service, operation, status, milliseconds.

Lines go to stdout through its buffer and are flushed at most every half second, so logging
costs the hot path one string format and one buffered write.
"""

from __future__ import annotations

import asyncio
import sys

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


class AccessLog:
    """Collects request lines and writes them in one go at most every half second."""

    def __init__(self, level: str = "info", stream=None):
        self.enabled = LEVELS.get(level, 20) <= 20
        self.stream = stream or sys.stdout
        self._lines: list[str] = []

    def log(self, method: str, path: str, service: str, operation: str, status: int, millis: float) -> None:
        if not self.enabled:
            return
        lines = self._lines
        lines.append(f"{service} {operation or '-'} {status} {millis:.1f}ms {method} {path}\n")
        if len(lines) == 1:
            try:
                asyncio.get_running_loop().call_later(0.5, self.flush)
            except RuntimeError:
                self.flush()
        elif len(lines) >= 10000:  # bounded memory under any load
            self.flush()

    def flush(self) -> None:
        """Write out the lines collected so far."""
        lines, self._lines = self._lines, []
        if not lines:
            return
        try:
            self.stream.write("".join(lines))
            self.stream.flush()
        except (OSError, ValueError):
            pass
