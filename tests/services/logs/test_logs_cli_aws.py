"""The AWS CLI's ``aws logs start-live-tail`` against Overcast, in a subprocess for a few
seconds: it prints the messages another client writes, and stops on Ctrl-C. The CLI injects
the ``stream-`` host prefix unless told not to: ``AWS_DISABLE_HOST_PREFIX_INJECTION=true``
(what the README tells users)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from aws_clients import CREDENTIALS, REGION
from live_tail_helpers import group_arn, make_group
from logs_helpers import logs  # noqa: F401


def test_aws_cli_start_live_tail_prints_what_is_written(endpoint, logs, tmp_path):
    make_group(logs, "cli", "web")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"], "AWS_DEFAULT_REGION": REGION,
           "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
           "AWS_DISABLE_HOST_PREFIX_INJECTION": "true", "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_PROFILE", None)
    proc = subprocess.Popen(["aws", "--endpoint-url", endpoint, "logs", "start-live-tail",
                             "--log-group-identifiers", group_arn("cli")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        sent = 0
        # the session starts some moments after the process: write until the CLI shows something
        while not lines and time.monotonic() < deadline and proc.poll() is None:
            sent += 1
            logs.put_log_events(logGroupName="cli", logStreamName="web",
                                logEvents=[{"timestamp": int(time.time() * 1000), "message": f"line {sent}"}])
            time.sleep(0.5)
        last = sent + 1
        logs.put_log_events(logGroupName="cli", logStreamName="web",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"line {last}"}])
        while f"line {last}\n" not in lines and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    assert f"line {last}\n" in lines, (lines, proc.stderr.read())
    numbers = [int(line.split()[1]) for line in lines]
    assert numbers == sorted(set(numbers))  # in order, each once
