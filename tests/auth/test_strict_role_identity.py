"""Strict mode: a role session is bound to its role's unique id (``AROA...``), as on AWS.
Once the role is deleted the session keeps none of its permissions, and a new role of the
same name (another id) does not give them back, neither through the role's own policies nor
through a resource policy naming the role."""

from __future__ import annotations

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, allow, client, denied, policy

ROLE = "rotating"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_A}:role/{ROLE}"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-role-id")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def setup(strict):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="ops")
    iam.put_user_policy(UserName="ops", PolicyName="assume", PolicyDocument=policy(allow("sts:AssumeRole", ROLE_ARN)))
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    client(strict, "s3", ACCOUNT_A).create_bucket(Bucket="role-id-data")
    client(strict, "s3", ACCOUNT_A).put_object(Bucket="role-id-data", Key="k", Body=b"v")
    return iam, (key["AccessKeyId"], key["SecretAccessKey"])


def make_role(iam) -> dict:
    role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName=ROLE, PolicyName="read", PolicyDocument=policy(
        allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::role-id-data", "arn:aws:s3:::role-id-data/*"])))
    return role["Role"]


def delete_role(iam) -> None:
    iam.delete_role_policy(RoleName=ROLE, PolicyName="read")
    iam.delete_role(RoleName=ROLE)


def session_s3(strict, keys):
    credentials = client(strict, "sts", *keys).assume_role(RoleArn=ROLE_ARN, RoleSessionName="work")["Credentials"]
    return client(strict, "s3", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def test_session_of_a_recreated_role_stays_powerless(strict, setup):
    iam, keys = setup
    old_id = make_role(iam)["RoleId"]
    old = session_s3(strict, keys)
    assert old.get_object(Bucket="role-id-data", Key="k")["Body"].read() == b"v"
    delete_role(iam)
    assert denied(old.get_object, Bucket="role-id-data", Key="k")[:2] == ("AccessDenied", 403)
    new_id = make_role(iam)["RoleId"]
    assert new_id != old_id
    code, status, message = denied(old.get_object, Bucket="role-id-data", Key="k")
    assert (code, status) == ("AccessDenied", 403)
    assert "because no identity-based policy allows the s3:GetObject action" in message
    # a bucket policy naming the role grants the new role's sessions, not the old one's
    client(strict, "s3", ACCOUNT_A).put_bucket_policy(Bucket="role-id-data", Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::role-id-data/*"}))
    assert denied(old.get_object, Bucket="role-id-data", Key="k")[:2] == ("AccessDenied", 403)
    assert session_s3(strict, keys).get_object(Bucket="role-id-data", Key="k")["Body"].read() == b"v"
    client(strict, "s3", ACCOUNT_A).delete_bucket_policy(Bucket="role-id-data")
    delete_role(iam)
