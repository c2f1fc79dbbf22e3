"""End to end through a real ``overcast serve --strict``: boto3 signs, the server verifies."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(
        str(tmp_path_factory.mktemp("overcast-strict")),
        "--strict",
        env={"OVERCAST_ACCESS_KEYS": "AKIASTRICTEXAMPLE:strictsecret:210987654321"},
    ).start()
    yield proc
    proc.stop()


def client(server, service="sts", key="test", secret="test", **kwargs):
    return boto3.session.Session().client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
        **kwargs,
    )


def error_code(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"].get("Message", "")


def test_right_secret_works(strict_server):
    identity = client(strict_server).get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    assert identity["UserId"] == "000000000000"


def test_multi_account_and_configured_keys(strict_server):
    assert client(strict_server, key="123456789012").get_caller_identity()["Account"] == "123456789012"
    identity = client(strict_server, key="AKIASTRICTEXAMPLE", secret="strictsecret").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::210987654321:root"


def test_wrong_secret_is_signature_mismatch(strict_server):
    code, status, message = error_code(client(strict_server, secret="wrong").get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_unknown_key_is_invalid_client_token(strict_server):
    code, status, message = error_code(client(strict_server, key="AKIANOBODY", secret="x").get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)
    assert message == "The security token included in the request is invalid."


def test_unsigned_request_is_refused(strict_server):
    request = urllib.request.Request(
        strict_server.endpoint + "/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        # the Host names the service, as it does for a real unsigned call to sts.amazonaws.com
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": "sts.us-east-1.amazonaws.com"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 403
    assert b"MissingAuthenticationToken" in caught.value.read()


def test_presigned_sts_url_works_and_expires(strict_server):
    # the shape of an EKS token (as `aws eks get-token` makes it): a presigned GET GetCallerIdentity
    url = client(strict_server).generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"arn:aws:iam::000000000000:root" in response.read()
    bad = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(bad, timeout=10)
    assert caught.value.code == 403


def test_aws_cli_against_strict_server(strict_server, tmp_path):
    import os
    import subprocess

    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    env.pop("AWS_PROFILE", None)
    command = ["aws", "--endpoint-url", strict_server.endpoint, "--output", "json", "sts", "get-caller-identity"]
    good = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**env, "AWS_SECRET_ACCESS_KEY": "test"})
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["Account"] == "000000000000"
    bad = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**env, "AWS_SECRET_ACCESS_KEY": "nope"})
    assert bad.returncode != 0
    assert "SignatureDoesNotMatch" in bad.stderr


def test_skewed_signature(strict_server, monkeypatch):
    # STS answers a signature more than 15 minutes off with SignatureDoesNotMatch "Signature
    # expired: ..." (S3's code for it is RequestTimeTooSkewed). Signed by botocore's own
    # SigV4 signer an hour ago (clients may sign through awscrt, which reads the real time).
    import time

    import botocore.auth
    from auth_helpers import freeze_botocore
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    freeze_botocore(monkeypatch, time.time() - 3600)
    request = AWSRequest("POST", strict_server.endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    botocore.auth.SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(request)
    prepared = request.prepare()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                                      headers=dict(prepared.headers)), timeout=10)
    assert caught.value.code == 403
    body = caught.value.read()
    assert b"<Code>SignatureDoesNotMatch</Code>" in body and b"Signature expired:" in body


def test_moving_the_cloud_clock_expires_urls_but_not_fresh_signatures(strict_server):
    # Last in this module: the clock only moves forward. Skew is measured on the machine's
    # clock (the one clients sign with); presigned expiry on the cloud's.
    url = client(strict_server).generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    strict_server.post("/_overcast/clock", json.dumps({"advance": 3600}).encode())
    assert client(strict_server).get_caller_identity()["Account"] == "000000000000"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 403
    assert b"Request has expired" in caught.value.read()
