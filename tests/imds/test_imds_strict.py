"""In strict mode, the credentials IMDS hands out are verified like any others, and work."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from aws_clients import make_client
from imds_helpers import advance, text
from serverproc import ServerProcess

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("imds-strict")), "--strict").start()
    yield proc
    proc.stop()


def test_instance_credentials_sign_in_strict_mode(strict_server):
    iam = make_client(strict_server.endpoint, "iam")
    iam.create_role(RoleName="strict-role", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="strict-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="strict-profile", RoleName="strict-role")
    ec2 = make_client(strict_server.endpoint, "ec2")
    instance_id = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                                    IamInstanceProfile={"Name": "strict-profile"})["Instances"][0]["InstanceId"]
    advance(strict_server, 10)
    creds = json.loads(text(strict_server, "/latest/meta-data/iam/security-credentials/strict-role"))
    sts = make_client(strict_server.endpoint, "sts", aws_access_key_id=creds["AccessKeyId"],
                      aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::000000000000:assumed-role/strict-role/{instance_id}"
    forged = make_client(strict_server.endpoint, "sts", aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key="not-the-secret", aws_session_token=creds["Token"])
    with pytest.raises(ClientError) as caught:
        forged.get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
