"""GetAccountAuthorizationDetails and GetAccountSummary."""

from __future__ import annotations

import pytest
from iam_helpers import allow, trust_policy

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def populate(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=allow("s3:GetObject"))
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.attach_group_policy(GroupName="devs", PolicyArn=ADMIN)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust_policy())
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    arn = iam.create_policy(PolicyName="local", PolicyDocument=allow("sqs:*"))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    return arn


def test_authorization_details(iam):
    local = populate(iam)
    details = iam.get_account_authorization_details()
    [user] = details["UserDetailList"]
    assert user["UserName"] == "alice" and user["GroupList"] == ["devs"]
    assert user["UserPolicyList"][0]["PolicyName"] == "inline"
    assert user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "s3:GetObject"
    [group] = details["GroupDetailList"]
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    [role] = details["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["app-profile"]
    assert role["AttachedManagedPolicies"] == [{"PolicyName": "local", "PolicyArn": local}]
    policies = {p["Arn"]: p for p in details["Policies"]}
    assert set(policies) == {local, ADMIN}  # AWS managed policies only when attached
    assert policies[local]["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"] == "sqs:*"


def test_authorization_details_filter_and_pages(iam):
    populate(iam)
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1
    assert only_roles["Policies"] == []
    seen = []
    for page in iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 1}):
        seen += [u["UserName"] for u in page["UserDetailList"]] + [g["GroupName"] for g in page["GroupDetailList"]]
        seen += [r["RoleName"] for r in page["RoleDetailList"]] + [p["PolicyName"] for p in page["Policies"]]
    assert sorted(seen) == sorted(["alice", "devs", "app", "local", "AdministratorAccess"])


def test_account_summary(iam):
    populate(iam)
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] == 1 and summary["Groups"] == 1 and summary["Roles"] == 1
    assert summary["Policies"] == 1 and summary["InstanceProfiles"] == 1
    assert summary["AccessKeysPerUserQuota"] == 2
