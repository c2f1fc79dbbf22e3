"""IAM's in-process contract for STS, strict mode and IMDS: role_record, role_by_arn,
principal_policies, instance_profile_roles, oidc_provider (a Cloud in this process)."""

from __future__ import annotations

import asyncio
import json

import pytest
from iam_helpers import allow, trust_policy

from overcast.auth.credentials import Credential
from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext

ACCOUNT = "111122223333"


@pytest.fixture
def cloud(tmp_path):
    cloud = Cloud(Settings(data_dir=str(tmp_path)))
    asyncio.run(cloud.start())
    yield cloud
    asyncio.run(cloud.stop())


def call(iam, operation: str, **params):
    ctx = RequestContext(account=ACCOUNT, region="us-east-1", service="iam", operation=operation)
    return getattr(iam, operation)(ctx, params)


def test_roles_by_name_and_arn(cloud):
    iam = cloud.services.provider("iam")
    call(iam, "create_role", RoleName="Deployer", Path="/ci/", AssumeRolePolicyDocument=trust_policy(),
         MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "ops"}])
    record = iam.role_record(ACCOUNT, "deployer")
    assert record.arn == f"arn:aws:iam::{ACCOUNT}:role/ci/Deployer" and record.role_id.startswith("AROA")
    assert record.max_session_duration == 7200 and record.tags == {"team": "ops"}
    assert json.loads(record.trust_policy) == json.loads(trust_policy())
    assert iam.role_by_arn(record.arn).name == "Deployer"
    assert iam.role_by_arn(f"arn:aws:iam::{ACCOUNT}:role/Deployer") is None  # wrong path
    assert iam.role_record("999999999999", "Deployer") is None


def test_principal_policies_of_user_and_role_session(cloud):
    iam = cloud.services.provider("iam")
    call(iam, "create_user", UserName="alice", Tags=[{"Key": "team", "Value": "web"}])
    call(iam, "put_user_policy", UserName="alice", PolicyName="own", PolicyDocument=allow("s3:GetObject"))
    call(iam, "create_group", GroupName="g")
    call(iam, "add_user_to_group", GroupName="g", UserName="alice")
    call(iam, "attach_group_policy", GroupName="g", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    user = Credential("AKIAEXAMPLE", "s", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/alice", "AIDA", user_name="alice")
    found = iam.principal_policies(user)
    assert sorted(p.text for p in found.identity) == sorted([
        allow("s3:GetObject"), iam.policy_document(ACCOUNT, iam.find_policy(
            ACCOUNT, "arn:aws:iam::aws:policy/AmazonSQSFullAccess"))])
    assert found.boundary is None and found.tags == {"team": "web"}

    role_id = call(iam, "create_role", RoleName="r", AssumeRolePolicyDocument=trust_policy(),
                   PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                   Tags=[{"Key": "team", "Value": "role"}, {"Key": "env", "Value": "dev"}])["Role"]["RoleId"]
    call(iam, "put_role_policy", RoleName="r", PolicyName="p", PolicyDocument=allow("s3:*"))
    session = Credential("ASIAEXAMPLE", "s", ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s", f"{role_id}:s",
                         session_token="t", role_arn=f"arn:aws:iam::{ACCOUNT}:role/r",
                         session_tags=(("team", "session"),))
    found = iam.principal_policies(session)
    assert [p.text for p in found.identity] == [allow("s3:*")]
    assert found.boundary is not None and "s3:Get*" in found.boundary.text
    assert found.tags == {"team": "session", "env": "dev"}

    # a session of an earlier role of that name (another unique id) gets nothing from this one
    stale = Credential("ASIASTALE", "s", ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s", "AROAEARLIERROLE:s",
                       session_token="t", role_arn=f"arn:aws:iam::{ACCOUNT}:role/r")
    found = iam.principal_policies(stale)
    assert found.identity == [] and found.role_gone

    root = Credential("test", "test", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)
    assert iam.principal_policies(root).identity == []


def test_instance_profile_roles_and_oidc(cloud):
    iam = cloud.services.provider("iam")
    call(iam, "create_role", RoleName="ec2-role", AssumeRolePolicyDocument=trust_policy())
    call(iam, "create_instance_profile", InstanceProfileName="web")
    call(iam, "add_role_to_instance_profile", InstanceProfileName="web", RoleName="ec2-role")
    assert [r.name for r in iam.instance_profile_roles(ACCOUNT, "web")] == ["ec2-role"]
    arn = f"arn:aws:iam::{ACCOUNT}:instance-profile/web"
    assert [r.name for r in iam.instance_profile_roles(ACCOUNT, arn)] == ["ec2-role"]
    assert iam.instance_profile_roles(ACCOUNT, "missing") == []

    call(iam, "create_open_id_connect_provider", Url="https://idp.example.com/realm", ClientIDList=["app"],
         ThumbprintList=["c" * 40])
    found = iam.oidc_provider(ACCOUNT, "https://idp.example.com/realm")
    assert found == {"arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/idp.example.com/realm",
                     "url": "https://idp.example.com/realm", "client_ids": ["app"], "thumbprints": ["c" * 40]}
    assert iam.oidc_provider(ACCOUNT, "idp.example.com/realm/") == found
    assert iam.oidc_provider(ACCOUNT, "https://other.example.com") is None


def test_principal_policies_follow_changes(cloud):
    iam = cloud.services.provider("iam")
    call(iam, "create_user", UserName="bob")
    user = Credential("AKIABOB", "s", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/bob", "AIDA", user_name="bob")
    assert iam.principal_policies(user).identity == []
    call(iam, "put_user_policy", UserName="bob", PolicyName="p", PolicyDocument=allow("s3:*"))
    assert [p.text for p in iam.principal_policies(user).identity] == [allow("s3:*")]
    call(iam, "delete_user_policy", UserName="bob", PolicyName="p")
    assert iam.principal_policies(user).identity == []
