"""Login profiles, the account alias and the context keys of policies."""

from __future__ import annotations

import json

import pytest
from iam_helpers import ACCOUNT, allow, error_of


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_login_profile_lifecycle(iam):
    iam.create_user(UserName="web")
    profile = iam.create_login_profile(UserName="web", Password="Secr3t!pass", PasswordResetRequired=True)
    assert profile["LoginProfile"]["UserName"] == "web" and profile["LoginProfile"]["PasswordResetRequired"]
    assert error_of(iam.create_login_profile, UserName="web", Password="again")[:2] == (
        "EntityAlreadyExists", "Login Profile for user web already exists.")
    iam.update_login_profile(UserName="web", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="web")["LoginProfile"]["PasswordResetRequired"] is False
    assert error_of(iam.delete_user, UserName="web") == (
        "DeleteConflict", "Cannot delete entity, must delete login profile first.", 409)
    iam.delete_login_profile(UserName="web")
    assert error_of(iam.get_login_profile, UserName="web") == (
        "NoSuchEntity", "Login Profile for User web cannot be found.", 404)
    iam.delete_user(UserName="web")


def test_account_alias(iam, aws_client):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="my-team")
    iam.create_account_alias(AccountAlias="my-team")  # the same alias again is fine
    assert iam.list_account_aliases()["AccountAliases"] == ["my-team"]
    assert error_of(iam.create_account_alias, AccountAlias="other-name")[:2] == (
        "LimitExceeded", "Cannot exceed quota for AccountAliasesPerAccount: 1")
    other_account = aws_client("iam", aws_access_key_id="111122223333")
    assert error_of(other_account.create_account_alias, AccountAlias="my-team")[0] == "EntityAlreadyExists"
    assert error_of(iam.create_account_alias, AccountAlias="Bad_Alias")[0] == "ValidationError"
    iam.delete_account_alias(AccountAlias="my-team")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_context_keys(iam):
    conditioned = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
        "Condition": {"StringLike": {"s3:prefix": "home/*"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[conditioned, allow()])["ContextKeyNames"]
    assert sorted(keys) == ["aws:SourceIp", "s3:prefix"]
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=conditioned)
    keys = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/u")["ContextKeyNames"]
    assert sorted(keys) == ["aws:SourceIp", "s3:prefix"]


def test_password_policy(iam):
    assert error_of(iam.get_account_password_policy) == (
        "NoSuchEntity", f"The Password Policy with domain name {ACCOUNT} cannot be found.", 404)
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True, RequireSymbols=True,
                                       MaxPasswordAge=90)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireNumbers"] and policy["RequireSymbols"]
    assert policy["ExpirePasswords"] is True and policy["MaxPasswordAge"] == 90
    assert policy["RequireUppercaseCharacters"] is False
    iam.create_user(UserName="pw")
    assert error_of(iam.create_login_profile, UserName="pw", Password="short1!") == (
        "PasswordPolicyViolation", "Password does not conform to the account password policy.", 400)
    assert error_of(iam.create_login_profile, UserName="pw", Password="longenoughbutplain")[0] == \
        "PasswordPolicyViolation"
    iam.create_login_profile(UserName="pw", Password="long-enough-42!")
    iam.update_account_password_policy()  # not a partial update: everything back to defaults
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and not policy["RequireNumbers"] and not policy["ExpirePasswords"]
    iam.delete_account_password_policy()
    assert error_of(iam.delete_account_password_policy)[0] == "NoSuchEntity"
