"""Every setting is checked at start: a bad one is a one-line error and exit code 2, never a
traceback; one data dir serves one server; ``reset --data-dir`` works with the server stopped."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess, free_port


def _overcast(*args, env=None, timeout=30):
    return subprocess.run([sys.executable, "-m", "overcast", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("env, named", [
    ({"OVERCAST_PORT": "abc"}, "OVERCAST_PORT='abc' is not an integer"),
    ({"OVERCAST_PORT": "70000"}, "OVERCAST_PORT=70000 is out of range (1..65535)"),
    ({"OVERCAST_LOG_LEVEL": "verbose"}, "OVERCAST_LOG_LEVEL='verbose' is not one of debug, info, warning, error"),
    ({"OVERCAST_STRICT": "enabled"}, "OVERCAST_STRICT='enabled' is not a boolean"),
    ({"OVERCAST_FSYNC": "sometimes"}, "OVERCAST_FSYNC='sometimes' is not a boolean"),
    ({"OVERCAST_MAX_BODY_BYTES": "-1"}, "OVERCAST_MAX_BODY_BYTES=-1 is out of range"),
    ({"OVERCAST_S3_RESTORE_SECONDS": "soon"}, "OVERCAST_S3_RESTORE_SECONDS='soon' is not a number"),
    ({"OVERCAST_SHUTDOWN_GRACE_SECONDS": "-3"}, "OVERCAST_SHUTDOWN_GRACE_SECONDS=-3.0 must be a non-negative"),
    ({"OVERCAST_HEADER_TIMEOUT_SECONDS": "0"}, "OVERCAST_HEADER_TIMEOUT_SECONDS=0.0 must be a positive"),
    ({"OVERCAST_REGION": "mars"}, "OVERCAST_REGION='mars' is not a region name"),
    ({"OVERCAST_ACCESS_KEYS": "AKIAEXAMPLE:topsecret:123"}, "OVERCAST_ACCESS_KEYS: every entry must be"),
])
def test_a_bad_setting_is_one_line_and_exit_2(tmp_path, env, named):
    result = _overcast("serve", "--data-dir", str(tmp_path / "d"), "--imds-port", "0", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"overcast: {named}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "topsecret" not in result.stderr  # a secret is never echoed


def test_true_and_false_spellings_are_read(tmp_path):
    proc = ServerProcess(str(tmp_path / "d"), env={"OVERCAST_STRICT": "off", "OVERCAST_FSYNC": "yes"}).start()
    try:
        assert "open mode" in "".join(proc.output)
    finally:
        proc.stop()


def test_an_unusable_data_dir_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _overcast("serve", "--port", str(free_port()), "--imds-port", "0", "--data-dir", str(blocker / "data"))
    assert result.returncode == 2
    assert result.stderr == f"overcast: data dir {blocker / 'data'} is not usable: Not a directory\n"


def test_a_second_server_on_one_data_dir_is_refused_naming_the_first(tmp_path):
    first = ServerProcess(str(tmp_path / "d")).start()
    try:
        result = _overcast("serve", "--port", str(free_port()), "--imds-port", "0", "--data-dir", str(tmp_path / "d"))
        assert result.returncode == 2
        assert result.stderr == (f"overcast: data dir {tmp_path / 'd'} is in use by another Overcast (pid "
                                 f"{first.proc.pid} at {first.endpoint}); stop it or choose another --data-dir\n")
        assert first.get("/_overcast/health")  # the first one serves on
    finally:
        first.stop()
    second = ServerProcess(str(tmp_path / "d")).start()  # free again once the first is gone
    second.kill()
    third = ServerProcess(str(tmp_path / "d")).start()  # a kill -9 leaves no stale lock
    third.stop()


def _s3(endpoint):
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"max_attempts": 1}))


def test_reset_with_the_server_stopped_wipes_the_data_dir(tmp_path):
    data = str(tmp_path / "d")
    proc = ServerProcess(data).start()
    try:
        _s3(proc.endpoint).create_bucket(Bucket="kept-until-reset")
        proc.stop()
        result = _overcast("reset", "--yes", "--data-dir", data)
        assert result.returncode == 0, result.stderr
        proc.start()
        assert _s3(proc.endpoint).list_buckets()["Buckets"] == []
    finally:
        proc.stop()


def test_reset_with_a_data_dir_reaches_the_server_holding_it(tmp_path):
    data = str(tmp_path / "d")
    proc = ServerProcess(data).start()
    try:
        _s3(proc.endpoint).create_bucket(Bucket="wiped-live")
        result = _overcast("reset", "--yes", "--data-dir", data)  # no --port: the lock names it
        assert result.returncode == 0, result.stderr
        assert _s3(proc.endpoint).list_buckets()["Buckets"] == []
    finally:
        proc.stop()
