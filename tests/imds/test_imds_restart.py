"""The metadata endpoint after a kill -9: the chosen instance and its profile still serve."""

from __future__ import annotations

import json

from aws_clients import make_client
from imds_helpers import advance, choose, text
from serverproc import ServerProcess

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_choice_and_credentials_survive_a_crash(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        iam = make_client(proc.endpoint, "iam")
        iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=TRUST)
        iam.create_instance_profile(InstanceProfileName="app-profile")
        iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app-role")
        ec2 = make_client(proc.endpoint, "ec2")
        chosen = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                                   IamInstanceProfile={"Name": "app-profile"})["Instances"][0]["InstanceId"]
        ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1)  # launched later
        advance(proc, 10)
        choose(proc, instance_id=chosen)
        before = json.loads(text(proc, "/latest/meta-data/iam/security-credentials/app-role"))
        proc.kill()
        proc.start()
        assert text(proc, "/latest/meta-data/instance-id") == chosen
        after = json.loads(text(proc, "/latest/meta-data/iam/security-credentials/app-role"))
        for creds in (before, after):  # the session handed out before the crash still signs
            sts = make_client(proc.endpoint, "sts", aws_access_key_id=creds["AccessKeyId"],
                              aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["Token"])
            assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::000000000000:assumed-role/app-role/{chosen}"
    finally:
        proc.stop()
