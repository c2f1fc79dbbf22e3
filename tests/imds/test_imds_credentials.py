"""Instance profile credentials through IMDS, and SDKs' default credential chain using them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError
from aws_clients import make_client
from imds_helpers import TOKEN, advance, choose, imds, text, token

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _profile(aws_client, name: str = "web-profile", role: str = "web-role") -> dict:
    iam = aws_client("iam")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    return profile


def _launch_with_profile(server, aws_client, **profile_spec) -> str:
    ec2 = aws_client("ec2")
    launched = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                                 IamInstanceProfile=profile_spec)["Instances"][0]
    advance(server, 10)
    return launched


def test_run_instances_records_the_profile(server, aws_client):
    profile = _profile(aws_client)
    launched = _launch_with_profile(server, aws_client, Name="web-profile")
    assert launched["IamInstanceProfile"] == {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
    by_arn = _launch_with_profile(server, aws_client, Arn=profile["Arn"])
    assert by_arn["IamInstanceProfile"]["Arn"] == profile["Arn"]
    ec2 = aws_client("ec2")
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                          IamInstanceProfile={"Arn": profile["Arn"].replace("web-profile", "other")})
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "iamInstanceProfile.arn" in caught.value.response["Error"]["Message"]
    filtered = ec2.describe_instances(Filters=[{"Name": "iam-instance-profile.arn", "Values": [profile["Arn"]]}])
    assert sum(len(r["Instances"]) for r in filtered["Reservations"]) == 2


def test_iam_paths_and_credentials(server, aws_client):
    profile = _profile(aws_client)
    instance_id = _launch_with_profile(server, aws_client, Name="web-profile")["InstanceId"]
    assert "iam/" in text(server, "/latest/meta-data/").split("\n")
    assert text(server, "/latest/meta-data/iam/") == "info\nsecurity-credentials/"
    info = json.loads(text(server, "/latest/meta-data/iam/info"))
    assert info["Code"] == "Success"
    assert info["InstanceProfileArn"] == profile["Arn"] and info["InstanceProfileId"] == profile["InstanceProfileId"]
    assert text(server, "/latest/meta-data/iam/security-credentials/") == "web-role"
    session = token(server)
    creds = json.loads(text(server, "/latest/meta-data/iam/security-credentials/web-role", headers={TOKEN: session}))
    assert set(creds) == {"Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert creds["Code"] == "Success" and creds["Type"] == "AWS-HMAC"
    assert creds["AccessKeyId"].startswith("ASIA") and creds["Expiration"].endswith("Z")
    sts = make_client(server.endpoint, "sts", aws_access_key_id=creds["AccessKeyId"],
                      aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"])
    arn = sts.get_caller_identity()["Arn"]
    assert arn == f"arn:aws:sts::000000000000:assumed-role/web-role/{instance_id}"
    again = json.loads(text(server, "/latest/meta-data/iam/security-credentials/web-role"))
    assert again["AccessKeyId"] == creds["AccessKeyId"]  # the same session until rotation
    assert imds(server, "/latest/meta-data/iam/security-credentials/other-role")[0] == 404


def test_credentials_rotate_before_they_expire(server, aws_client):
    _profile(aws_client)
    _launch_with_profile(server, aws_client, Name="web-profile")
    path = "/latest/meta-data/iam/security-credentials/web-role"
    first = json.loads(text(server, path))
    advance(server, 5.5 * 3600)
    second = json.loads(text(server, path))
    assert second["AccessKeyId"] != first["AccessKeyId"] and second["Expiration"] > first["Expiration"]
    old = make_client(server.endpoint, "sts", aws_access_key_id=first["AccessKeyId"],
                      aws_secret_access_key=first["SecretAccessKey"], aws_session_token=first["Token"])
    assert old.get_caller_identity()["Arn"]  # still valid for half an hour
    advance(server, 3600)
    with pytest.raises(ClientError) as caught:
        old.get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "ExpiredToken"


def test_default_identity_with_a_chosen_profile(server, aws_client):
    profile = _profile(aws_client, "build-profile", "build-role")
    answer = choose(server, instance_profile="build-profile")
    assert answer["instance_id"] == "i-00000000000000000" and answer["instance_profile_arn"] == profile["Arn"]
    assert json.loads(text(server, "/latest/meta-data/iam/info"))["InstanceProfileArn"] == profile["Arn"]
    creds = json.loads(text(server, "/latest/meta-data/iam/security-credentials/build-role"))
    sts = make_client(server.endpoint, "sts", aws_access_key_id=creds["AccessKeyId"],
                      aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"])
    assert sts.get_caller_identity()["Arn"] == \
        "arn:aws:sts::000000000000:assumed-role/build-role/i-00000000000000000"


def _chain_env(server, tmp_path) -> dict:
    """Nothing but the metadata endpoint to find credentials with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.imds_endpoint + "/",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
    })
    return env


def test_boto3_default_chain_resolves_through_imds(server, aws_client, tmp_path):
    _profile(aws_client)
    instance_id = _launch_with_profile(server, aws_client, Name="web-profile")["InstanceId"]
    script = (
        "import boto3, sys\n"
        "session = boto3.session.Session()\n"
        "print(session.get_credentials().method)\n"
        "print(session.client('sts', endpoint_url=sys.argv[1]).get_caller_identity()['Arn'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, server.endpoint], capture_output=True, text=True,
                          env=_chain_env(server, tmp_path), timeout=60)
    assert proc.returncode == 0, proc.stderr
    method, arn = proc.stdout.split()
    assert method == "iam-role"
    assert arn == f"arn:aws:sts::000000000000:assumed-role/web-role/{instance_id}"


def test_aws_cli_default_chain_resolves_through_imds(server, aws_client, tmp_path):
    _profile(aws_client)
    instance_id = _launch_with_profile(server, aws_client, Name="web-profile")["InstanceId"]
    proc = subprocess.run(["aws", "--endpoint-url", server.endpoint, "--output", "json", "sts",
                           "get-caller-identity"], capture_output=True, text=True,
                          env=_chain_env(server, tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Arn"] == f"arn:aws:sts::000000000000:assumed-role/web-role/{instance_id}"
