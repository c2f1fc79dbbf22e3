"""Session credentials against a ``--strict`` server: the token must match, expiry, restarts."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from sts_helpers import advance_clock, error_of


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-sts-strict")), "--strict").start()
    yield proc
    proc.stop()


def client(server, service="sts", key="test", secret="test", token=None):
    return boto3.session.Session().client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def from_creds(server, creds, service="sts", token=None):
    return client(server, service, creds["AccessKeyId"], creds["SecretAccessKey"], token or creds["SessionToken"])


def test_session_signs_with_its_secret_and_token(strict_server):
    creds = client(strict_server).get_session_token(DurationSeconds=900)["Credentials"]
    assert from_creds(strict_server, creds).get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"


def test_wrong_token_is_invalid_client_token_id(strict_server):
    creds = client(strict_server).get_session_token(DurationSeconds=900)["Credentials"]
    other = client(strict_server).get_session_token(DurationSeconds=900)["Credentials"]
    code, message, status = error_of(from_creds(strict_server, creds, token=other["SessionToken"]).get_caller_identity)
    assert (code, message, status) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    code, _, status = error_of(
        from_creds(strict_server, creds, "s3", token=other["SessionToken"]).list_buckets
    )
    assert (code, status) == ("InvalidToken", 400)


def test_missing_token_is_invalid_client_token_id(strict_server):
    creds = client(strict_server).get_session_token(DurationSeconds=900)["Credentials"]
    sts = client(strict_server, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    code, _, status = error_of(sts.get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)


def test_session_token_from_another_account_is_invalid(strict_server):
    mine = client(strict_server, key="111122223333").get_session_token()["Credentials"]
    theirs = client(strict_server, key="444455556666").get_session_token()["Credentials"]
    code, _, _ = error_of(from_creds(strict_server, mine, token=theirs["SessionToken"]).get_caller_identity)
    assert code == "InvalidClientTokenId"


def test_sessions_survive_a_restart_and_then_expire(strict_server):
    creds = client(strict_server, key="123456789012").get_session_token(DurationSeconds=900)["Credentials"]
    strict_server.kill()
    strict_server.start()
    assert from_creds(strict_server, creds).get_caller_identity()["Account"] == "123456789012"
    advance_clock(strict_server, 1000)
    code, message, status = error_of(from_creds(strict_server, creds).get_caller_identity)
    assert (code, message, status) == ("ExpiredToken", "The security token included in the request is expired", 403)
    strict_server.post("/_overcast/reset")
    code, _, _ = error_of(from_creds(strict_server, creds).get_caller_identity)
    assert code == "InvalidClientTokenId"  # forgotten on reset
