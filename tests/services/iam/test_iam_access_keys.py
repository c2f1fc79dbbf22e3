"""IAM access keys: created keys sign requests as the user, 2 per user, Inactive keys stop working
(strict mode), and keys and entities survive a server restart."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from iam_helpers import ACCOUNT, error_of, trust_policy
from serverproc import ServerProcess


def client(endpoint, service, key="test", secret="test"):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_created_key_signs_as_the_user(iam, aws_client):
    iam.create_user(UserName="alice", Path="/eng/")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active" and key["UserName"] == "alice"
    sts = aws_client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    identity = sts.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
    assert identity["UserId"] == iam.get_user(UserName="alice")["User"]["UserId"]


def test_cli_create_user_and_key(aws_cli):
    user = aws_cli("iam", "create-user", "--user-name", "cli-user")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/cli-user"
    key = aws_cli("iam", "create-access-key", "--user-name", "cli-user")["AccessKey"]
    identity = aws_cli("sts", "get-caller-identity", env={
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]})
    assert identity["Arn"] == user["Arn"]
    listed = aws_cli("iam", "list-access-keys", "--user-name", "cli-user")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    proc = aws_cli("iam", "get-user", "--user-name", "nobody", check=False)
    assert proc.returncode != 0 and "NoSuchEntity" in proc.stderr


def test_two_keys_per_user(iam):
    iam.create_user(UserName="bob")
    iam.create_access_key(UserName="bob")
    iam.create_access_key(UserName="bob")
    assert error_of(iam.create_access_key, UserName="bob") == (
        "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    assert len(iam.list_access_keys(UserName="bob")["AccessKeyMetadata"]) == 2


def test_key_for_the_callers_user(iam, aws_client):
    iam.create_user(UserName="self")
    first = iam.create_access_key(UserName="self")["AccessKey"]
    as_user = aws_client("iam", aws_access_key_id=first["AccessKeyId"], aws_secret_access_key=first["SecretAccessKey"])
    second = as_user.create_access_key()["AccessKey"]
    assert second["UserName"] == "self"
    assert {k["AccessKeyId"] for k in as_user.list_access_keys()["AccessKeyMetadata"]} == {
        first["AccessKeyId"], second["AccessKeyId"]}


def test_update_delete_and_last_used(iam):
    iam.create_user(UserName="carol")
    key_id = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="carol", AccessKeyId=key_id, Status="Inactive")
    assert iam.list_access_keys(UserName="carol")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    last = iam.get_access_key_last_used(AccessKeyId=key_id)
    assert last["UserName"] == "carol" and last["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert error_of(iam.update_access_key, UserName="carol", AccessKeyId=key_id, Status="Paused")[0] == \
        "ValidationError"
    iam.delete_access_key(UserName="carol", AccessKeyId=key_id)
    assert error_of(iam.delete_access_key, UserName="carol", AccessKeyId=key_id) == (
        "NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("iam-strict")), "--strict").start()
    yield proc
    proc.stop()


def test_inactive_key_refused_in_strict_mode(strict_server):
    iam = client(strict_server.endpoint, "iam")
    iam.create_user(UserName="strict-user")
    key = iam.create_access_key(UserName="strict-user")["AccessKey"]
    sts = client(strict_server.endpoint, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"].endswith(":user/strict-user")
    iam.update_access_key(UserName="strict-user", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    code, _, status = error_of(sts.get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)
    iam.update_access_key(UserName="strict-user", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(":user/strict-user")
    iam.update_access_key(UserName="strict-user", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    iam.delete_access_key(UserName="strict-user", AccessKeyId=key["AccessKeyId"])
    assert error_of(sts.get_caller_identity)[0] == "InvalidClientTokenId"


def test_keys_and_entities_survive_restart(tmp_path):
    server = ServerProcess(str(tmp_path / "data"), "--strict").start()
    try:
        iam = client(server.endpoint, "iam")
        iam.create_user(UserName="durable")
        iam.create_role(RoleName="durable-role", AssumeRolePolicyDocument=trust_policy())
        key = iam.create_access_key(UserName="durable")["AccessKey"]
        port = server.port
    finally:
        server.stop()
    server = ServerProcess(str(tmp_path / "data"), "--strict", port=port).start()
    try:
        sts = client(server.endpoint, "sts", key["AccessKeyId"], key["SecretAccessKey"])
        assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/durable"
        iam = client(server.endpoint, "iam")
        assert iam.get_role(RoleName="durable-role")["Role"]["RoleName"] == "durable-role"
    finally:
        server.stop()
