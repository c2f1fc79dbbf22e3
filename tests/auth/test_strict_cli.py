"""The AWS CLI against a strict server: an IAM user's denied EC2 call carries an encoded
message that `aws sts decode-authorization-message` turns into the decision; S3 and SQS
denials read as AWS writes them."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, allow, client, policy


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-cli")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def user_keys(strict):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="cli-user")
    iam.put_user_policy(UserName="cli-user", PolicyName="inline", PolicyDocument=policy(
        allow(["ec2:DescribeInstances", "sts:DecodeAuthorizationMessage"])))
    key = iam.create_access_key(UserName="cli-user")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def cli(strict, keys, *args, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1],
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_MAX_ATTEMPTS": "1"}
    env.pop("AWS_PROFILE", None)
    return subprocess.run(["aws", "--endpoint-url", strict.endpoint, "--output", "json", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_decode_authorization_message_end_to_end(strict, user_keys, tmp_path):
    assert cli(strict, user_keys, "ec2", "describe-instances", tmp_path=tmp_path).returncode == 0
    denied = cli(strict, user_keys, "ec2", "run-instances", "--image-id", "ami-12345678", "--count", "1",
                 tmp_path=tmp_path)
    assert denied.returncode != 0
    assert "(UnauthorizedOperation)" in denied.stderr
    encoded = re.search(r"Encoded authorization failure message: (\S+)", denied.stderr).group(1)
    decoded = cli(strict, user_keys, "sts", "decode-authorization-message", "--encoded-message", encoded,
                  tmp_path=tmp_path)
    assert decoded.returncode == 0, decoded.stderr
    message = json.loads(json.loads(decoded.stdout)["DecodedMessage"])
    assert message["allowed"] is False
    assert message["context"]["action"] == "ec2:RunInstances"
    assert message["context"]["principal"]["arn"] == f"arn:aws:iam::{ACCOUNT_A}:user/cli-user"
    assert message["context"]["resource"].startswith(f"arn:aws:ec2:us-east-1:{ACCOUNT_A}:instance/")


def test_dry_run_through_the_cli(strict, user_keys, tmp_path):
    allowed = cli(strict, user_keys, "ec2", "describe-instances", "--dry-run", tmp_path=tmp_path)
    assert "(DryRunOperation)" in allowed.stderr
    assert "Request would have succeeded, but DryRun flag is set." in allowed.stderr
    refused = cli(strict, user_keys, "ec2", "describe-regions", "--dry-run", tmp_path=tmp_path)
    assert "(UnauthorizedOperation)" in refused.stderr


def test_s3_and_sqs_denials(strict, user_keys, tmp_path):
    client(strict, "s3", ACCOUNT_A).create_bucket(Bucket="cli-bucket")
    listing = cli(strict, user_keys, "s3", "ls", "s3://cli-bucket", tmp_path=tmp_path)
    assert listing.returncode != 0
    assert ("(AccessDenied) when calling the ListObjectsV2 operation: User: "
            f"arn:aws:iam::{ACCOUNT_A}:user/cli-user is not authorized to perform: s3:ListBucket") in listing.stderr
    queues = cli(strict, user_keys, "sqs", "list-queues", tmp_path=tmp_path)
    assert "(AccessDenied) when calling the ListQueues operation" in queues.stderr
