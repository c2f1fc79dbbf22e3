"""Shared pieces of the benchmarks: servers pinned to one core, wrk runs, result tables.

Everything targets 127.0.0.1 and every run is bounded by its duration. The server under test
is pinned to core 0 and wrk to core 1 (``taskset``), so "one server core" is what is measured.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_CORE = "0"
LOAD_CORE = "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pinned(cmd: list[str], core: str) -> list[str]:
    return (["taskset", "-c", core] if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1 else []) + cmd


class Server:
    """A server subprocess on one core, waited for until it answers ``ready_path``."""

    def __init__(self, cmd: list[str], port: int, ready_path: str = "/", env: dict | None = None,
                 scratch: str | None = None):
        self.cmd, self.port, self.ready_path = cmd, port, ready_path
        self.scratch = scratch  # a temporary data dir made for this server: removed when it stops
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.proc = subprocess.Popen(_pinned(self.cmd, SERVER_CORE), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + self.ready_path, timeout=1).read()
                return self
            except Exception:  # noqa: BLE001 - not up yet
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited: {self.cmd}")
                time.sleep(0.1)
        self.__exit__()  # not left running behind the error
        raise RuntimeError(f"server did not start: {self.cmd}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def overcast_server(data_dir: str | None = None, *extra: str, access_log: bool = False) -> Server:
    """Overcast on a free port; the access log (one line per request) is off unless asked for."""
    port = free_port()
    scratch = None if data_dir else tempfile.mkdtemp(prefix="overcast-bench-")
    cmd = [sys.executable, "-m", "overcast", "serve", "--port", str(port), "--data-dir", data_dir or scratch,
           "--log-level", "info" if access_log else "warning", *extra]
    return Server(cmd, port, "/_overcast/health", scratch=scratch)


def moto_server() -> Server:
    """moto's server (``moto.server -H 127.0.0.1 -p PORT``) on a free port, started like Overcast."""
    port = free_port()
    return Server([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, "/moto-api/")


def boto_client(service: str, endpoint: str, read_timeout: int = 300):
    """A boto3 client of ``service`` at ``endpoint`` with test credentials and no retries (a
    retried request would count twice)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=read_timeout))


def bare_server() -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", HERE, "--port", str(port),
           "--host", "127.0.0.1", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
           "--log-level", "warning"]
    return Server(cmd, port, "/")


_LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
"""


def _lua_str(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def wrk(url: str, duration: float, *, method: str = "GET", body: str = "", headers: dict | None = None,
        connections: int = 32, threads: int = 1) -> dict:
    """Run wrk once; returns requests/s, latency percentiles and the non-2xx/socket error counts."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    header_lines = "\n".join(f"wrk.headers[{_lua_str(k)}] = {_lua_str(v)}" for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_LUA.format(method=_lua_str(method), body=_lua_str(body), headers=header_lines))
        script = f.name
    try:
        out = subprocess.run(
            _pinned(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--latency",
                     "-s", script, url], LOAD_CORE),
            capture_output=True, text=True, timeout=duration + 30,
        ).stdout
    finally:
        os.unlink(script)
    return parse_wrk(out)


def _millis(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = {p: _millis(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    done = re.search(r"(\d+) requests in [^,]+, ([\d.]+)([KMGT]?B) read", out)
    scale = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
    return {
        "rps": rps,
        "requests": int(done.group(1)) if done else None,
        "bytes": float(done.group(2)) * scale[done.group(3)] if done else None,  # wrk rounds to 2 decimals
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, sock.groups())) if sock else 0,
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
    }


def percentile_ms(samples: list[float], p: int) -> float | None:
    """The nearest-rank ``p``th percentile of sorted ``samples`` (seconds), in milliseconds."""
    if not samples:
        return None
    return samples[max(0, min(len(samples) - 1, -(-len(samples) * p // 100) - 1))] * 1000


def median_run(runs: list[dict]) -> dict:
    """The median requests/s of repeated runs, with the worst error counts."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs if r["p50_ms"] is not None),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs if r["p99_ms"] is not None),
        "errors": max(r["non2xx"] + r["socket_errors"] for r in runs),
        "runs": [round(r["rps"]) for r in runs],
    }
