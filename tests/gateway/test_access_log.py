"""The access log: one line per request with its time, request id, status and error code;
at --log-level debug also the parsed operation and parameters, with secrets redacted. A taken
port is said once, in one line."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess, free_port

LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) (\S+) (\S+) (\d{3}) (\S+) [\d.]+ms (\S+) (\S+)$")


def _client(proc, service):
    return boto3.session.Session().client(service, endpoint_url=proc.endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"max_attempts": 1}))


def _wait_for(proc, needle: str) -> str:
    """The first output line containing ``needle`` (the log is flushed every half second)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in list(proc.output):
            if needle in line:
                return line.rstrip("\n")
        time.sleep(0.1)
    raise AssertionError(f"no log line with {needle!r}:\n" + "".join(proc.output[-20:]))


@pytest.fixture(scope="module")
def debug_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("debuglog")), "--log-level", "debug").start()
    yield proc
    proc.stop()


def test_a_line_has_time_request_id_status_and_error_code(server):
    s3 = _client(server, "s3")
    s3.create_bucket(Bucket="logged")
    ok = s3.head_bucket(Bucket="logged")["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket="no-such-bucket-logged", Key="k")
    failed = exc.value.response["ResponseMetadata"]["RequestId"]

    stamp, request_id, service, operation, status, code, method, path = LINE.match(_wait_for(server, ok)).groups()
    assert (request_id, service, operation, status, code, method, path) == (
        ok, "s3", "HeadBucket", "200", "-", "HEAD", "/logged")
    assert abs(time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(time.gmtime())) < 600
    assert LINE.match(_wait_for(server, failed)).groups()[1:] == (
        failed, "s3", "GetObject", "404", "NoSuchBucket", "GET", "/no-such-bucket-logged/k")


def test_debug_logs_the_parameters_with_secrets_redacted(debug_server):
    iam = _client(debug_server, "iam")
    iam.create_user(UserName="logged-user")
    response = iam.create_login_profile(UserName="logged-user", Password="Sup3r-Secret-Passw0rd!")
    request_id = response["ResponseMetadata"]["RequestId"]
    s3 = _client(debug_server, "s3")
    s3.create_bucket(Bucket="debug-logged")
    s3.put_object(Bucket="debug-logged", Key="k", Body=b"v", Metadata={"colour": "blue"})

    line = _wait_for(debug_server, f"{request_id} iam CreateLoginProfile params ")
    assert '"UserName": "logged-user"' in line and '"Password": "***"' in line
    put = _wait_for(debug_server, " s3 PutObject params ")
    assert '"Bucket": "debug-logged"' in put and '"Metadata": {"colour": "blue"}' in put
    session = _client(debug_server, "sts").get_session_token()["Credentials"]
    _wait_for(debug_server, " sts GetSessionToken 200 - ")
    log = "".join(debug_server.output)
    assert "Sup3r-Secret-Passw0rd!" not in log
    assert session["SecretAccessKey"] not in log and session["SessionToken"] not in log
    assert "Traceback" not in log


def test_a_taken_port_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "overcast", "serve", "--port", str(port), "--imds-port",
                                 str(free_port()), "--data-dir", str(tmp_path / "d")],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"overcast: cannot listen on 127.0.0.1:{port}: Address already in use (--port, OVERCAST_PORT)\n"
    assert result.stdout == ""


def test_a_taken_metadata_port_is_said_once(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = ServerProcess(str(tmp_path / "d"), imds_port=taken.getsockname()[1]).start()
        try:
            assert sum("instance metadata" in line for line in proc.output) == 1
        finally:
            proc.stop()
