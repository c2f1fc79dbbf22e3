"""One line per request: time, request id, service, operation, status, error code, milliseconds.

``2026-12-04T04:45:55.123Z 1b2c...-0000000a s3 PutObject 503 ServiceUnavailable 2.1ms PUT /b/k``
(``-`` where there is no error). At ``--log-level debug`` each request also gets a line with
its parsed operation and parameters, secrets redacted (``redaction.py``).

Lines go to stdout through its buffer and are flushed at most every half second, so logging
costs the hot path one string format and one buffered write; the time's text is rebuilt once
a second.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from overcast.gateway.redaction import redacted

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


class AccessLog:
    """Collects request lines and writes them in one go at most every half second."""

    def __init__(self, level: str = "info", stream=None):
        self.enabled = LEVELS.get(level, 20) <= 20
        self.debug = LEVELS.get(level, 20) <= 10
        self.stream = stream or sys.stdout
        self._lines: list[str] = []
        self._second = -1
        self._second_text = ""

    def timestamp(self) -> str:
        """Now in UTC, ISO 8601 with milliseconds (the seconds' text cached)."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{int((now - second) * 1000):03d}Z"

    def log(self, method: str, path: str, service: str, operation: str, status: int, millis: float,
            request_id: str = "-", error_code: str | None = None) -> None:
        if not self.enabled:
            return
        self._append(f"{self.timestamp()} {request_id} {service} {operation or '-'} {status} {error_code or '-'} "
                     f"{millis:.1f}ms {method} {path}\n")

    def log_params(self, request_id: str, service: str, operation: str, params: dict, input_shape) -> None:
        """The debug line of a parsed request: its operation and parameters, secrets redacted."""
        text = json.dumps(redacted(params, input_shape), default=str, ensure_ascii=False, sort_keys=True)
        self._append(f"{self.timestamp()} {request_id} {service} {operation} params {text}\n")

    def _append(self, line: str) -> None:
        lines = self._lines
        lines.append(line)
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
