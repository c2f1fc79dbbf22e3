"""What the tests' local HTTP servers share: the requests that arrived, recorded per path, and
the statuses a test scripts for the next requests to a path."""

from __future__ import annotations

import threading
import time


class RecordedRequests:
    """Base of a test HTTP server: its handler appends each request (a dict with at least
    ``path``) to ``_arrived`` under ``_lock`` and pops its status from ``_scripts``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._arrived: list[dict] = []
        self._scripts: dict[str, list[int]] = {}
        self.server = None  # the http.server instance, set by the subclass

    def answer(self, path: str, *statuses: int) -> None:
        """The next requests to ``path`` get these statuses (then the default answer)."""
        with self._lock:
            self._scripts[path] = list(statuses)

    def requests_to(self, path: str) -> list[dict]:
        with self._lock:
            return [r for r in self._arrived if r["path"] == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 15.0) -> list[dict]:
        """The first ``count`` requests to ``path`` (waits for them; fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            arrived = self.requests_to(path)
            if len(arrived) >= count:
                return arrived[:count]
            time.sleep(0.05)
        raise AssertionError(f"{len(self.requests_to(path))} of {count} requests reached {path}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
