"""IAM roles through boto3: create/get/update/delete/list, trust policies, service-linked roles."""

from __future__ import annotations

import json

import pytest
from iam_helpers import ACCOUNT, allow, error_of, trust_policy


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_create_and_get_role(iam):
    created = iam.create_role(RoleName="app", Path="/svc/", AssumeRolePolicyDocument=trust_policy(),
                              Description="the app", MaxSessionDuration=7200,
                              Tags=[{"Key": "team", "Value": "core"}])["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/app"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    role = iam.get_role(RoleName="app")["Role"]
    # boto3 decodes the URL-encoded document IAM sends back
    assert role["AssumeRolePolicyDocument"] == json.loads(trust_policy())
    assert role["MaxSessionDuration"] == 7200
    assert role["Description"] == "the app"
    assert role["Tags"] == [{"Key": "team", "Value": "core"}]
    assert role["RoleLastUsed"] == {}


def test_role_names_are_case_insensitive(iam):
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=trust_policy())
    code, message, status = error_of(iam.create_role, RoleName="worker", AssumeRolePolicyDocument=trust_policy())
    assert (code, status) == ("EntityAlreadyExists", 409)
    assert message == "Role with name worker already exists."
    assert iam.get_role(RoleName="WORKER")["Role"]["RoleName"] == "Worker"


def test_missing_role(iam):
    assert error_of(iam.get_role, RoleName="nope") == (
        "NoSuchEntity", "The role with name nope cannot be found.", 404)


def test_trust_policy_is_validated(iam):
    code, _, status = error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument="{not json")
    assert (code, status) == ("MalformedPolicyDocument", 400)
    no_principal = allow("sts:AssumeRole")
    code, _, _ = error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=no_principal)
    assert code == "MalformedPolicyDocument"


def test_trust_policy_size_limit(iam):
    big = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{n:012d}:root" for n in range(80)]},
         "Action": "sts:AssumeRole"}]})
    code, message, _ = error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=big)
    assert (code, message) == ("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")


def test_max_session_duration_bounds(iam):
    code, message, _ = error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=trust_policy(),
                                MaxSessionDuration=50000)
    assert code == "ValidationError"
    assert "Member must have value less than or equal to 43200" in message


def test_update_role_and_trust(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy())
    iam.update_role(RoleName="r", Description="new", MaxSessionDuration=3600 * 4)
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=trust_policy("lambda.amazonaws.com"))
    role = iam.get_role(RoleName="r")["Role"]
    assert role["Description"] == "new" and role["MaxSessionDuration"] == 14400
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    described = iam.update_role_description(RoleName="r", Description="again")["Role"]
    assert described["Description"] == "again"


def test_list_roles_paginates_and_filters_by_path(iam):
    for n in range(5):
        iam.create_role(RoleName=f"role{n}", Path="/a/" if n % 2 else "/",
                        AssumeRolePolicyDocument=trust_policy())
    first = iam.list_roles(MaxItems=2)
    assert first["IsTruncated"] and len(first["Roles"]) == 2
    names = [r["RoleName"] for r in first["Roles"]]
    marker = first["Marker"]
    while marker:
        page = iam.list_roles(MaxItems=2, Marker=marker)
        names += [r["RoleName"] for r in page["Roles"]]
        marker = page.get("Marker")
    assert names == [f"role{n}" for n in range(5)]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/a/")["Roles"]] == ["role1", "role3"]
    paginated = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 3})
                 for r in page["Roles"]]
    assert paginated == names


def test_delete_role_conflicts(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy())
    iam.create_instance_profile(InstanceProfileName="p")
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="r")
    code, message, status = error_of(iam.delete_role, RoleName="r")
    assert (code, status) == ("DeleteConflict", 409)
    assert message == "Cannot delete entity, must remove roles from instance profile first."
    iam.remove_role_from_instance_profile(InstanceProfileName="p", RoleName="r")
    iam.put_role_policy(RoleName="r", PolicyName="inline", PolicyDocument=allow())
    assert error_of(iam.delete_role, RoleName="r")[1] == "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName="r", PolicyName="inline")
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert error_of(iam.delete_role, RoleName="r")[1] == "Cannot delete entity, must detach all policies first."
    iam.detach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.delete_role(RoleName="r")
    assert error_of(iam.get_role, RoleName="r")[0] == "NoSuchEntity"


def test_service_linked_role(iam):
    role = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticBeanstalk"
    assert role["Path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    trust = iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "elasticbeanstalk.amazonaws.com"}
    code, message, _ = error_of(iam.delete_role, RoleName=role["RoleName"])
    assert code == "UnmodifiableEntity"
    assert message == ("Cannot perform the operation on the protected role 'AWSServiceRoleForElasticBeanstalk'"
                       " - this role is only modifiable by AWS")
    assert error_of(iam.put_role_policy, RoleName=role["RoleName"], PolicyName="x",
                    PolicyDocument=allow())[0] == "UnmodifiableEntity"
    edited = iam.update_role_description(RoleName=role["RoleName"], Description="edited")["Role"]
    assert edited["Description"] == "edited"  # the one thing a service-linked role lets you change
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert error_of(iam.get_role, RoleName=role["RoleName"])[0] == "NoSuchEntity"


def test_role_permissions_boundary(iam):
    arn = iam.create_policy(PolicyName="bound", PolicyDocument=allow())["Policy"]["Arn"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy(), PermissionsBoundary=arn)
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_role_permissions_boundary(RoleName="r")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r")["Role"]
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess")
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == \
        "arn:aws:iam::aws:policy/PowerUserAccess"
    code, _, _ = error_of(iam.put_role_permissions_boundary, RoleName="r",
                          PermissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/missing")
    assert code == "NoSuchEntity"


def test_trust_policy_principals_must_exist(iam, aws_client):
    def trusting(arn: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]})

    ghost = f"arn:aws:iam::{ACCOUNT}:user/ghost"
    assert error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=trusting(ghost)) == (
        "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"', 400)
    iam.create_user(UserName="ghost")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trusting(ghost))
    # account roots, account ids and users of other accounts that exist are fine
    aws_client("iam", aws_access_key_id="111122223333").create_user(UserName="partner")
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=trusting("arn:aws:iam::111122223333:user/partner"))
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=trusting("210987654321"))
    missing_role = "arn:aws:iam::111122223333:role/none"
    assert error_of(iam.update_assume_role_policy, RoleName="r", PolicyDocument=trusting(missing_role))[0] == \
        "MalformedPolicyDocument"


def test_deleted_principal_becomes_its_unique_id(iam):
    user = iam.create_user(UserName="temp")["User"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [user["Arn"], f"arn:aws:iam::{ACCOUNT}:root"]},
         "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="trusting", AssumeRolePolicyDocument=trust)
    iam.delete_user(UserName="temp")
    principal = iam.get_role(RoleName="trusting")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"AWS": [user["UserId"], f"arn:aws:iam::{ACCOUNT}:root"]}
    iam.create_user(UserName="temp")  # a new user of the same name is not trusted by it
    principal = iam.get_role(RoleName="trusting")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert user["UserId"] in principal["AWS"]
