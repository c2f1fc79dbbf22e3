"""IAM instance profiles, OpenID Connect providers and the tags of roles, policies, profiles
and providers."""

from __future__ import annotations

import pytest
from iam_helpers import ACCOUNT, allow, error_of, trust_policy

THUMB = "a" * 40


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_instance_profile_lifecycle(iam):
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/app/")["InstanceProfile"]
    assert profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web"
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    assert error_of(iam.create_instance_profile, InstanceProfileName="WEB")[:2] == (
        "EntityAlreadyExists", "Instance Profile WEB already exists.")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust_policy())
    iam.create_role(RoleName="r2", AssumeRolePolicyDocument=trust_policy())
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="r1")
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName="web", RoleName="r2") == (
        "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
    got = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["r1"]
    assert got["Roles"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    for_role = iam.list_instance_profiles_for_role(RoleName="r1")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    assert error_of(iam.delete_instance_profile, InstanceProfileName="web")[:2] == (
        "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="r1")
    iam.delete_instance_profile(InstanceProfileName="web")
    assert error_of(iam.get_instance_profile, InstanceProfileName="web") == (
        "NoSuchEntity", "Instance Profile web cannot be found.", 404)


def test_list_instance_profiles_paginates(iam):
    for n in range(4):
        iam.create_instance_profile(InstanceProfileName=f"p{n}")
    first = iam.list_instance_profiles(MaxItems=3)
    assert first["IsTruncated"] and len(first["InstanceProfiles"]) == 3
    rest = iam.list_instance_profiles(Marker=first["Marker"])
    assert [p["InstanceProfileName"] for p in rest["InstanceProfiles"]] == ["p3"]


def test_oidc_provider_lifecycle(iam):
    created = iam.create_open_id_connect_provider(
        Url="https://token.example.com/issuer", ClientIDList=["app"], ThumbprintList=[THUMB],
        Tags=[{"Key": "env", "Value": "dev"}])
    arn = created["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com/issuer"
    assert error_of(iam.create_open_id_connect_provider, Url="https://token.example.com/issuer",
                    ThumbprintList=[THUMB])[0] == "EntityAlreadyExists"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="other")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.example.com/issuer"
    assert got["ClientIDList"] == ["other"] and got["ThumbprintList"] == ["b" * 40]
    assert got["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": arn}]
    code, message, _ = error_of(iam.update_open_id_connect_provider_thumbprint, OpenIDConnectProviderArn=arn,
                                ThumbprintList=[str(n) * 40 for n in range(6)])
    assert (code, message) == ("LimitExceeded", "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    code, _, status = error_of(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
    assert (code, status) == ("NoSuchEntity", 404)


def test_oidc_url_must_be_https(iam):
    assert error_of(iam.create_open_id_connect_provider, Url="http://insecure.example.com",
                    ThumbprintList=[THUMB])[0] == "InvalidInput"


def test_tags_on_roles_policies_profiles_and_providers(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy())
    policy = iam.create_policy(PolicyName="p", PolicyDocument=allow())["Policy"]["Arn"]
    iam.create_instance_profile(InstanceProfileName="ip")
    oidc = iam.create_open_id_connect_provider(Url="https://idp.example.com", ThumbprintList=[THUMB])[
        "OpenIDConnectProviderArn"]
    tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    iam.tag_role(RoleName="r", Tags=tags)
    iam.tag_policy(PolicyArn=policy, Tags=tags)
    iam.tag_instance_profile(InstanceProfileName="ip", Tags=tags)
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=oidc, Tags=tags)
    assert iam.list_role_tags(RoleName="r")["Tags"] == tags
    assert iam.list_policy_tags(PolicyArn=policy)["Tags"] == tags
    assert iam.list_instance_profile_tags(InstanceProfileName="ip")["Tags"] == tags
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=oidc)["Tags"] == tags
    page = iam.list_role_tags(RoleName="r", MaxItems=1)
    assert page["IsTruncated"] and page["Tags"] == tags[:1]
    iam.untag_role(RoleName="r", TagKeys=["a"])
    iam.untag_policy(PolicyArn=policy, TagKeys=["A"])  # keys match regardless of case
    assert iam.list_role_tags(RoleName="r")["Tags"] == tags[1:]
    assert iam.list_policy_tags(PolicyArn=policy)["Tags"] == tags[1:]
    assert iam.get_role(RoleName="r")["Role"]["Tags"] == tags[1:]
    code, message, _ = error_of(iam.tag_role, RoleName="r", Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert code == "ValidationError" and "Member must have length less than or equal to 128" in message
    assert error_of(iam.tag_role, RoleName="missing", Tags=tags)[0] == "NoSuchEntity"


def test_aws_managed_policy_tags(iam):
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert iam.list_policy_tags(PolicyArn=admin)["Tags"] == []
    assert error_of(iam.tag_policy, PolicyArn=admin, Tags=[{"Key": "a", "Value": "b"}])[0] == "UnmodifiableEntity"
