"""``overcast logs tail`` against a real server: the events of the last ten minutes (or
``--since``) in each format, a filter pattern, ``--follow`` printing what another client writes
until Ctrl-C ends it cleanly, and the errors a user meets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlparse

from aws_clients import CREDENTIALS, REGION
from logs_helpers import logs  # noqa: F401
from overcast.cli import main


def _args(endpoint: str, *rest: str) -> list[str]:
    url = urlparse(endpoint)
    return ["logs", "tail", *rest, "--host", url.hostname, "--port", str(url.port)]


def _env() -> dict:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"], "AWS_REGION": REGION}
    env.pop("AWS_PROFILE", None)
    return env


def _tail(endpoint: str, capsys, monkeypatch, *rest: str) -> tuple[int, str, str]:
    for name, value in _env().items():
        monkeypatch.setenv(name, value)
    code = main(_args(endpoint, *rest))
    out, err = capsys.readouterr()
    return code, out, err


def _group(logs, name: str, stream: str, events: list[tuple[int, str]]) -> None:
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName=stream)
    logs.put_log_events(logGroupName=name, logStreamName=stream,
                        logEvents=[{"timestamp": ts, "message": message} for ts, message in events])


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat()


def test_tail_prints_the_last_ten_minutes_oldest_first(endpoint, logs, capsys, monkeypatch):
    now = int(time.time() * 1000)
    old = now - 20 * 60 * 1000
    _group(logs, "app", "web", [(old, "twenty minutes ago"), (now - 2000, "first"), (now - 1000, "second")])
    code, out, err = _tail(endpoint, capsys, monkeypatch, "app")
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"{_iso(now - 2000)} web first", f"{_iso(now - 1000)} web second"]
    code, out, _ = _tail(endpoint, capsys, monkeypatch, "app", "--since", "1h", "--format", "short")
    stamp = datetime.fromtimestamp(old / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert code == 0 and out.splitlines()[0] == f"{stamp} twenty minutes ago"
    assert len(out.splitlines()) == 3


def test_tail_filter_pattern_and_json_format(endpoint, logs, capsys, monkeypatch):
    now = int(time.time() * 1000)
    _group(logs, "app", "web", [(now - 3000, '{"level": "ERROR", "msg": "disk full"}'), (now - 2000, "INFO fine"),
                                (now - 1000, "ERROR again")])
    code, out, _ = _tail(endpoint, capsys, monkeypatch, "app", "--filter-pattern", "?ERROR ?error",
                         "--format", "json")
    assert code == 0
    pretty = json.dumps({"level": "ERROR", "msg": "disk full"}, indent=4)
    assert out == f"{_iso(now - 3000)} web {pretty}\n{_iso(now - 1000)} web ERROR again\n"


def test_tail_of_a_missing_group_or_a_bad_since_is_one_line_and_status_1(endpoint, capsys, monkeypatch):
    code, out, err = _tail(endpoint, capsys, monkeypatch, "missing")
    assert (code, out) == (1, "")
    assert err.strip() == ("overcast logs tail: An error occurred (ResourceNotFoundException) when calling the "
                           "FilterLogEvents operation: The specified log group does not exist.")
    code, _, err = _tail(endpoint, capsys, monkeypatch, "missing", "--since", "yesterday")
    assert code == 1 and "--since 'yesterday'" in err


def test_tail_follow_prints_new_events_until_ctrl_c(endpoint, logs):
    now = int(time.time() * 1000)
    _group(logs, "live", "web", [(now - 1000, "before")])
    proc = subprocess.Popen([sys.executable, "-m", "overcast.cli", *_args(endpoint, "live", "--follow")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 20
        while not any(line.endswith(" web before\n") for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        for message in ("one", "two"):
            logs.put_log_events(logGroupName="live", logStreamName="web",
                                logEvents=[{"timestamp": int(time.time() * 1000), "message": message}])
        while len(lines) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    assert [line.split(" ", 2)[2] for line in lines] == ["before\n", "one\n", "two\n"]  # each once
    assert proc.stderr.read() == ""  # no traceback
