"""IAM managed policies (versions, AWS managed policies, attachments) and inline policies."""

from __future__ import annotations

import json

import pytest
from iam_helpers import ACCOUNT, allow, error_of, trust_policy

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_create_get_delete_policy(iam):
    policy = iam.create_policy(PolicyName="s3-all", Path="/team/", PolicyDocument=allow(), Description="d",
                               Tags=[{"Key": "k", "Value": "v"}])["Policy"]
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/team/s3-all"
    assert policy["PolicyId"].startswith("ANPA") and policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0 and policy["IsAttachable"] is True
    got = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert got["Description"] == "d" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(allow()) and version["IsDefaultVersion"] is True
    assert error_of(iam.create_policy, PolicyName="S3-ALL", PolicyDocument=allow())[:2] == (
        "EntityAlreadyExists", "A policy called S3-ALL already exists. Duplicate names are not allowed.")
    iam.delete_policy(PolicyArn=policy["Arn"])
    assert error_of(iam.get_policy, PolicyArn=policy["Arn"]) == (
        "NoSuchEntity", f"Policy {policy['Arn']} was not found.", 404)


def test_malformed_documents(iam):
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument="{")[0] == "MalformedPolicyDocument"
    bad_version = json.dumps({"Version": "2011-01-01", "Statement": json.loads(allow())["Statement"]})
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument=bad_version)[0] == "MalformedPolicyDocument"
    unknown = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Colour": "blue"}]})
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument=unknown)[0] == "MalformedPolicyDocument"
    iam.create_user(UserName="u")
    with_principal = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
    assert error_of(iam.put_user_policy, UserName="u", PolicyName="p", PolicyDocument=with_principal)[0] == \
        "MalformedPolicyDocument"


def test_managed_policy_size_limit(iam):
    actions = [f"s3:GetObject{n:04d}" for n in range(400)]
    big = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    assert error_of(iam.create_policy, PolicyName="big", PolicyDocument=big) == (
        "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)


def test_versions(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:PutObject"), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2" and v2["PolicyVersion"]["IsDefaultVersion"]
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("sqs:*"))
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in listed] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in listed] == [False, False, False, True, False]
    code, message, status = error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=allow())
    assert (code, status) == ("LimitExceeded", 409)
    assert message.startswith("A managed policy can have up to 5 versions.")
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v2")[:2] == (
        "DeleteConflict", "Cannot delete the default version of a policy.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    v6 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("sns:*"))["PolicyVersion"]
    assert v6["VersionId"] == "v6"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v6")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v1")[0] == "NoSuchEntity"
    code, message, _ = error_of(iam.delete_policy, PolicyArn=arn)
    assert code == "DeleteConflict" and message.startswith("This policy has more than one version.")
    for version in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policies(iam):
    policy = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert policy["PolicyName"] == "AdministratorAccess" and policy["Path"] == "/"
    document = iam.get_policy_version(PolicyArn=ADMIN, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert document["Document"]["Statement"][0]["Action"] == "*"
    lambda_basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert iam.get_policy(PolicyArn=lambda_basic)["Policy"]["Path"] == "/service-role/"
    aws_names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert {"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "AmazonS3FullAccess",
            "AmazonS3ReadOnlyAccess", "AmazonSQSFullAccess", "AmazonSQSReadOnlyAccess", "IAMFullAccess",
            "IAMReadOnlyAccess", "AWSLambdaBasicExecutionRole"} <= aws_names
    assert error_of(iam.delete_policy, PolicyArn=ADMIN)[0] == "UnmodifiableEntity"


def test_list_policies_scope_and_only_attached(iam):
    local = iam.create_policy(PolicyName="mine", PolicyDocument=allow())["Policy"]["Arn"]
    iam.create_policy(PolicyName="unused", PolicyDocument=allow())
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == ["mine", "unused"]
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn=local)
    iam.attach_user_policy(UserName="u", PolicyArn=ADMIN)
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert sorted(p["PolicyName"] for p in attached) == ["AdministratorAccess", "mine"]
    assert all(p["AttachmentCount"] == 1 for p in attached)
    page = iam.list_policies(Scope="AWS", MaxItems=3)
    assert page["IsTruncated"] and len(page["Policies"]) == 3


def test_attach_detach_and_limits(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy())
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    assert error_of(iam.attach_role_policy, RoleName="r", PolicyArn=missing) == (
        "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    arns = [iam.create_policy(PolicyName=f"p{n}", PolicyDocument=allow())["Policy"]["Arn"] for n in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert error_of(iam.attach_role_policy, RoleName="r", PolicyArn=arns[10]) == (
        "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)
    listed = iam.list_attached_role_policies(RoleName="r", MaxItems=4)
    assert listed["IsTruncated"] and len(listed["AttachedPolicies"]) == 4
    assert error_of(iam.delete_policy, PolicyArn=arns[0])[:2] == (
        "DeleteConflict", "Cannot delete a policy attached to entities.")
    entities = iam.list_entities_for_policy(PolicyArn=arns[0])
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    assert entities["PolicyUsers"] == [] and entities["PolicyGroups"] == []
    iam.detach_role_policy(RoleName="r", PolicyArn=arns[0])
    assert error_of(iam.detach_role_policy, RoleName="r", PolicyArn=arns[0])[0] == "NoSuchEntity"
    iam.delete_policy(PolicyArn=arns[0])


def test_group_attachments_and_entities(iam):
    iam.create_group(GroupName="g")
    iam.create_user(UserName="u")
    iam.attach_group_policy(GroupName="g", PolicyArn=ADMIN)
    iam.attach_user_policy(UserName="u", PolicyArn=ADMIN)
    assert iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    users_only = iam.list_entities_for_policy(PolicyArn=ADMIN, EntityFilter="User")
    assert [u["UserName"] for u in users_only["PolicyUsers"]] == ["u"] and users_only["PolicyGroups"] == []
    iam.detach_group_policy(GroupName="g", PolicyArn=ADMIN)
    assert iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == []


@pytest.mark.parametrize("kind, limit", [("user", 2048), ("group", 5120), ("role", 10240)])
def test_inline_policies(iam, kind, limit):
    name_member = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
    create = {"user": lambda: iam.create_user(UserName="e"), "group": lambda: iam.create_group(GroupName="e"),
              "role": lambda: iam.create_role(RoleName="e", AssumeRolePolicyDocument=trust_policy())}[kind]
    put, get = getattr(iam, f"put_{kind}_policy"), getattr(iam, f"get_{kind}_policy")
    listing, delete = getattr(iam, f"list_{kind}_policies"), getattr(iam, f"delete_{kind}_policy")
    create()
    put(**{name_member: "e"}, PolicyName="b", PolicyDocument=allow("s3:GetObject"))
    put(**{name_member: "e"}, PolicyName="a", PolicyDocument=allow("sqs:*"))
    got = get(**{name_member: "e"}, PolicyName="b")
    assert got[name_member] == "e" and got["PolicyDocument"] == json.loads(allow("s3:GetObject"))
    assert listing(**{name_member: "e"})["PolicyNames"] == ["a", "b"]
    put(**{name_member: "e"}, PolicyName="b", PolicyDocument=allow("s3:PutObject"))  # replaces
    assert get(**{name_member: "e"}, PolicyName="b")["PolicyDocument"]["Statement"][0]["Action"] == "s3:PutObject"
    actions = [f"s3:Get{n:05d}" for n in range(limit // 12)]
    big = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    code, message, _ = error_of(put, **{name_member: "e"}, PolicyName="c", PolicyDocument=big)
    assert (code, message) == ("LimitExceeded", f"Maximum policy size of {limit} bytes exceeded for {kind} e")
    delete(**{name_member: "e"}, PolicyName="a")
    assert error_of(get, **{name_member: "e"}, PolicyName="a") == (
        "NoSuchEntity", f"The {kind} policy with name a cannot be found.", 404)


def test_user_permissions_boundary(iam):
    iam.create_user(UserName="u", PermissionsBoundary=ADMIN)
    assert iam.get_user(UserName="u")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == ADMIN
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=ADMIN, PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["u"]
    iam.delete_user_permissions_boundary(UserName="u")
    assert "PermissionsBoundary" not in iam.get_user(UserName="u")["User"]
    iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=ADMIN)
    assert iam.get_user(UserName="u")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == ADMIN


def test_policy_arn_must_be_an_arn(iam):
    assert error_of(iam.get_policy, PolicyArn="arn:aws:s3:::not-iam-policy")[:2] == (
        "InvalidInput", "ARN arn:aws:s3:::not-iam-policy is not valid.")
    iam.create_user(UserName="u")
    assert error_of(iam.attach_user_policy, UserName="u", PolicyArn="arn:aws:s3:::nope-nope-nope")[0] == \
        "InvalidInput"


def test_managed_policy_needs_version_2012(iam):
    old = json.dumps({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    assert error_of(iam.create_policy, PolicyName="old", PolicyDocument=old)[0] == "MalformedPolicyDocument"
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="old", PolicyDocument=old)  # inline policies may use it
