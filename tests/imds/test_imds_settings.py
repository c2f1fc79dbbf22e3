"""Where IMDS listens: OVERCAST_IMDS_PORT, a taken port, and a clean exit on SIGINT/SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from serverproc import free_port


def _serve(tmp_path, *args, env=None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "overcast", "serve", "--data-dir", str(tmp_path / "d"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    lines, deadline = [], time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if line.strip() == "Ready." or not line:
            break
    return proc, "".join(lines)


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read()


def test_environment_variable_sets_the_port(tmp_path):
    port, imds_port = free_port(), free_port()
    proc, text = _serve(tmp_path, "--port", str(port), env={"OVERCAST_IMDS_PORT": str(imds_port)})
    try:
        assert f"instance metadata on http://127.0.0.1:{imds_port}" in text
        assert _get(imds_port, "/latest/meta-data/instance-id") == b"i-00000000000000000"
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_taken_port_leaves_the_aws_endpoint_up(tmp_path):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        imds_port = taken.getsockname()[1]
        proc, text = _serve(tmp_path, "--port", str(port), "--imds-port", str(imds_port))
        try:
            assert "Ready." in text
            assert f"instance metadata NOT served: port {imds_port} is taken" in text
            assert b"version" in _get(port, "/_overcast/health")
        finally:
            proc.terminate()
            proc.wait(10)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_promptly_with_imds_running(tmp_path, sig):
    port, imds_port = free_port(), free_port()
    proc, text = _serve(tmp_path, "--port", str(port), "--imds-port", str(imds_port))
    assert "Ready." in text
    with urllib.request.urlopen(f"http://127.0.0.1:{imds_port}/latest/meta-data/", timeout=5):
        pass  # a keep-alive connection the shutdown has to close
    proc.send_signal(sig)
    proc.wait(10)
    for closed in (port, imds_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", closed)) != 0
