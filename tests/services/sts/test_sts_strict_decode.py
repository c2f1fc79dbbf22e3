"""End to end in strict mode: an EC2 denial carries an encoded message; the CLI decodes it."""

from __future__ import annotations

import json
import os
import re
import subprocess

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess
from sts_helpers import error_of


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-sts-strict-decode")), "--strict").start()
    yield proc
    proc.stop()


def client(server, service, key="test", secret="test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def test_unauthorized_operation_decodes_with_the_cli(strict_server, tmp_path):
    iam = client(strict_server, "iam")
    iam.create_user(UserName="ivan")
    iam.put_user_policy(UserName="ivan", PolicyName="decode", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:DecodeAuthorizationMessage", "Resource": "*"}]}))
    keys = iam.create_access_key(UserName="ivan")["AccessKey"]
    ec2 = client(strict_server, "ec2", keys["AccessKeyId"], keys["SecretAccessKey"])
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t2.micro", DryRun=True)
    error = caught.value.response["Error"]
    assert error["Code"] == "UnauthorizedOperation"
    encoded = re.search(r"Encoded authorization failure message: (\S+)", error["Message"]).group(1)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": keys["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": keys["SecretAccessKey"],
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "c"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "k")}
    env.pop("AWS_PROFILE", None)
    out = subprocess.run(
        ["aws", "--endpoint-url", strict_server.endpoint, "--output", "json", "sts", "decode-authorization-message",
         "--encoded-message", encoded], capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    decoded = json.loads(json.loads(out.stdout)["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "ec2:RunInstances"
    assert decoded["context"]["principal"]["arn"] == "arn:aws:iam::000000000000:user/ivan"
    strict_server.kill()  # the message key is durable: old messages still decode after a crash
    strict_server.start()
    again = client(strict_server, "sts", keys["AccessKeyId"], keys["SecretAccessKey"])
    assert json.loads(again.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]) == decoded


def test_decoding_needs_permission(strict_server):
    iam = client(strict_server, "iam")
    iam.create_user(UserName="judy")
    keys = iam.create_access_key(UserName="judy")["AccessKey"]
    sts = client(strict_server, "sts", keys["AccessKeyId"], keys["SecretAccessKey"])
    code, message, status = error_of(sts.decode_authorization_message, EncodedMessage="abc")
    assert (code, status) == ("AccessDenied", 403)
    assert "sts:DecodeAuthorizationMessage" in message
