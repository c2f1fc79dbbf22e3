"""boto3's default credential chain against Overcast: environment variables, a named profile
written by ``aws configure``, and a profile that assumes a role through Overcast's STS.

Each leg resolves credentials the way an application does (no keys passed in code) and
checks who it became with GetCallerIdentity.
"""

from __future__ import annotations

import json
import subprocess

import boto3
import pytest

ACCOUNT = "000000000000"
TRUST_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def clean_env(monkeypatch, tmp_path, endpoint):
    """No credentials anywhere but where each test puts them; config files in tmp_path."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # every client (and the role provider's STS client)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


def who(session: boto3.session.Session | None = None) -> dict:
    return (session or boto3.session.Session()).client("sts").get_caller_identity()


def iam_user_keys(aws_client, name: str) -> dict:
    iam = aws_client("iam")
    iam.create_user(UserName=name)
    return iam.create_access_key(UserName=name)["AccessKey"]


def aws(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["aws", *args], capture_output=True, text=True, env=env, timeout=120, check=True)


def test_environment_variables_with_assumed_role_credentials(aws_client, clean_env):
    role = aws_client("iam").create_role(RoleName="app", AssumeRolePolicyDocument=TRUST_ACCOUNT)["Role"]
    creds = aws_client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="from-env")["Credentials"]
    clean_env.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    clean_env.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    assert who()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/from-env"


def test_named_profile_written_by_aws_configure(aws_client, clean_env, tmp_path):
    import os

    keys = iam_user_keys(aws_client, "dev-user")
    env = dict(os.environ)
    aws("configure", "set", "aws_access_key_id", keys["AccessKeyId"], "--profile", "dev", env=env)
    aws("configure", "set", "aws_secret_access_key", keys["SecretAccessKey"], "--profile", "dev", env=env)
    assert "[dev]" in (tmp_path / "credentials").read_text()
    expected = f"arn:aws:iam::{ACCOUNT}:user/dev-user"
    out = aws("--profile", "dev", "--output", "json", "sts", "get-caller-identity", env=env)
    assert json.loads(out.stdout)["Arn"] == expected
    assert who(boto3.session.Session(profile_name="dev"))["Arn"] == expected
    clean_env.setenv("AWS_PROFILE", "dev")
    assert who()["Arn"] == expected
    out = aws("--output", "json", "sts", "get-caller-identity", env={**env, "AWS_PROFILE": "dev"})
    assert json.loads(out.stdout)["Arn"] == expected


def test_profile_with_role_arn_and_source_profile(aws_client, clean_env, tmp_path):
    keys = iam_user_keys(aws_client, "ops")
    role = aws_client("iam").create_role(RoleName="deploy", AssumeRolePolicyDocument=TRUST_ACCOUNT)["Role"]
    (tmp_path / "credentials").write_text(
        f"[dev]\naws_access_key_id = {keys['AccessKeyId']}\naws_secret_access_key = {keys['SecretAccessKey']}\n"
    )
    (tmp_path / "config").write_text(
        f"[profile deployer]\nrole_arn = {role['Arn']}\nsource_profile = dev\nrole_session_name = chain-test\n"
    )
    identity = who(boto3.session.Session(profile_name="deployer"))
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/chain-test"
    assert identity["UserId"] == f"{role['RoleId']}:chain-test"
