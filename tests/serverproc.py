"""Start and stop a real ``overcast serve`` subprocess (used by fixtures and crash tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request


# The server's output kept for tests: at most _OUTPUT_LINES lines, the first _HEAD_LINES always
# (the start-up banner), the oldest of the rest dropped _DROP_LINES at a time.
_OUTPUT_LINES = 20000
_HEAD_LINES = 200
_DROP_LINES = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One ``overcast serve`` on a free port of 127.0.0.1, with its own data dir."""

    def __init__(self, data_dir: str, *extra_args: str, port: int | None = None, env: dict | None = None,
                 imds_port: int | None = None, preexec_fn=None, xray_port: int | None = None):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.port = port or free_port()
        # The instance metadata endpoint gets a free port too (never the shared default 1338).
        self.imds_port = imds_port or free_port()
        # The X-Ray daemon too (never the shared default 2000; 0 would turn it off).
        self.xray_port = xray_port or free_port()
        self.env = env or {}
        self.preexec_fn = preexec_fn  # run in the child before exec (resource limits)
        self.proc: subprocess.Popen | None = None
        self.output: list[str] = []
        self._ready = threading.Event()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def imds_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.imds_port}"

    def start(self, timeout: float = 20.0) -> "ServerProcess":
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            env.pop(key, None)
        self._ready.clear()
        self.output = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "overcast", "serve", "--port", str(self.port), "--data-dir", self.data_dir,
             "--imds-port", str(self.imds_port), "--xray-port", str(self.xray_port), *self.extra_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
            preexec_fn=self.preexec_fn,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("overcast did not become ready:\n" + "".join(self.output[-50:]))
        return self

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if len(self.output) > _OUTPUT_LINES:
                # a session server logs every request of hundreds of tests: keep the start-up
                # lines and the latest ones (what a test looks for), drop the oldest between
                del self.output[_HEAD_LINES:_HEAD_LINES + _DROP_LINES]
            if line.strip() == "Ready.":
                self._ready.set()

    def kill(self) -> None:
        """SIGKILL: the crash every durability test is about."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def post(self, path: str, body: bytes = b"", timeout: float = 30) -> bytes:
        request = urllib.request.Request(self.endpoint + path, data=body, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def get(self, path: str, timeout: float = 10) -> bytes:
        with urllib.request.urlopen(self.endpoint + path, timeout=timeout) as response:
            return response.read()

    def wait_closed(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)
