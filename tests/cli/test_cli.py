"""The ``overcast`` command: serve (flags and env vars), status, reset."""

import json
import os
import subprocess
import sys
import time
import urllib.request

from serverproc import ServerProcess, free_port


def _overcast(*args, env=None):
    return subprocess.run([sys.executable, "-m", "overcast", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_serve_prints_where_it_listens_and_ready(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        text = "".join(proc.output)
        assert f"listening on http://127.0.0.1:{proc.port}" in text
        assert "Ready." in text
        assert os.path.isdir(tmp_path / "data")
    finally:
        proc.stop()


def test_environment_variables_configure_serve(tmp_path):
    port = free_port()
    env = {"OVERCAST_PORT": str(port), "OVERCAST_REGION": "eu-west-1", "OVERCAST_DATA_DIR": str(tmp_path / "d")}
    proc = subprocess.Popen([sys.executable, "-m", "overcast", "serve"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 20
        lines = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.strip() == "Ready.":
                break
        text = "".join(lines)
        assert f"listening on http://127.0.0.1:{port}" in text
        assert "region eu-west-1" in text
        assert os.path.isdir(tmp_path / "d")
    finally:
        proc.terminate()
        proc.wait(10)


def test_status_reports_services(server):
    result = _overcast("status", "--port", str(server.port))
    assert result.returncode == 0, result.stderr
    assert "sts" in result.stdout


def test_status_when_nothing_listens_fails_cleanly():
    result = _overcast("status", "--port", str(free_port()))
    assert result.returncode == 1
    assert "not answering" in result.stderr


def test_reset_needs_yes(server):
    result = _overcast("reset", "--port", str(server.port))
    assert result.returncode == 2
    result = _overcast("reset", "--yes", "--port", str(server.port))
    assert result.returncode == 0, result.stderr


def test_one_log_line_per_request(server, aws_client):
    aws_client("sts").get_caller_identity()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(" sts GetCallerIdentity 200 - " in line and "ms POST /" in line for line in server.output):
            return
        time.sleep(0.1)
    raise AssertionError("no access log line for GetCallerIdentity:\n" + "".join(server.output[-20:]))


def test_health_answers_as_soon_as_ready(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        with urllib.request.urlopen(proc.endpoint + "/_overcast/health", timeout=5) as r:
            assert json.load(r)["version"]
    finally:
        proc.stop()
