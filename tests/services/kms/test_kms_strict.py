"""Strict mode, KMS: the key policy is the key's resource policy and KMS reads it as AWS does.
The default policy's root statement lets the account's identity policies count; a policy
without it opens the key only to the principals it names (not even the root gets in); a
principal the key policy names directly needs no identity policy; grants allow their
grantee; another account needs both the key policy and its own identity policies; an
explicit deny wins; aliases are authorized by identity policies; condition keys of the key
and of the request (kms:KeyUsage, kms:CallerAccount, aws:RequestTag/*) are there."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, denied, policy  # noqa: E402

ROOT_A = f"arn:aws:iam::{ACCOUNT_A}:root"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-kms")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root(strict):
    return client(strict, "kms", ACCOUNT_A)


@pytest.fixture(scope="module")
def iam(strict):
    return client(strict, "iam", ACCOUNT_A)


def make_user(iam, strict, name, *statements):
    """A KMS client signed as a new IAM user of account A with ``statements`` as its policy."""
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "kms", key["AccessKeyId"], key["SecretAccessKey"])


def user_arn(name):
    return f"arn:aws:iam::{ACCOUNT_A}:user/{name}"


def key_policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow_principal(principal, action="kms:*", **extra) -> dict:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*", **extra}


def test_root_manages_keys_under_the_default_policy(root):
    key_id = root.create_key(Description="root's")["KeyMetadata"]["KeyId"]
    root.create_alias(AliasName="alias/strict-root", TargetKeyId=key_id)
    root.disable_key(KeyId=key_id)
    root.enable_key(KeyId=key_id)
    assert root.describe_key(KeyId="alias/strict-root")["KeyMetadata"]["KeyId"] == key_id


def test_default_policy_delegates_to_identity_policies(root, iam, strict):
    key = root.create_key()["KeyMetadata"]
    allowed = make_user(iam, strict, "kms-reader", allow("kms:DescribeKey"))
    assert allowed.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]
    nothing = make_user(iam, strict, "kms-nobody")
    code, status, message = denied(nothing.describe_key, KeyId=key["Arn"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (f"User: {user_arn('kms-nobody')} is not authorized to perform: kms:DescribeKey on resource: "
                       f"{key['Arn']} because no identity-based policy allows the kms:DescribeKey action")
    assert denied(allowed.disable_key, KeyId=key["Arn"])[:2] == ("AccessDeniedException", 400)


def test_policy_without_root_delegation(root, iam, strict):
    alice = make_user(iam, strict, "kms-alice")  # no identity policy at all
    bob = make_user(iam, strict, "kms-bob", allow("kms:*"))
    text = key_policy(allow_principal(user_arn("kms-alice")))
    key = root.create_key(Policy=text, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    # named directly by the key policy: no identity policy needed
    assert alice.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]
    alice.update_key_description(KeyId=key["Arn"], Description="alice was here")
    # identity policies do not count without the root statement, and the root is locked out
    code, status, message = denied(bob.describe_key, KeyId=key["Arn"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert message.endswith("because no resource-based policy allows the kms:DescribeKey action")
    assert denied(root.describe_key, KeyId=key["Arn"])[:2] == ("AccessDeniedException", 400)


def test_lockout_check_counts_the_caller(root, iam, strict):
    admin = make_user(iam, strict, "kms-admin", allow("kms:*"))
    key_id = root.create_key()["KeyMetadata"]["KeyId"]
    only_root = key_policy(allow_principal(ROOT_A))
    admin.put_key_policy(KeyId=key_id, PolicyName="default", Policy=only_root)  # root statement: IAM counts
    only_alice = key_policy(allow_principal(user_arn("kms-alice-2")))
    assert denied(admin.put_key_policy, KeyId=key_id, PolicyName="default", Policy=only_alice)[0] == \
        "MalformedPolicyDocumentException"


def test_explicit_deny_in_the_key_policy_stops_the_root(root):
    text = key_policy(allow_principal(ROOT_A),
                      {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:DisableKey", "Resource": "*"})
    key_id = root.create_key(Policy=text)["KeyMetadata"]["KeyId"]
    code, _, message = denied(root.disable_key, KeyId=key_id)
    assert code == "AccessDeniedException" and "with an explicit deny in a resource-based policy" in message
    root.update_key_description(KeyId=key_id, Description="still allowed")


def test_grants_allow_their_grantee(root, iam, strict):
    carol = make_user(iam, strict, "kms-carol")
    key = root.create_key()["KeyMetadata"]
    assert denied(carol.describe_key, KeyId=key["Arn"])[:2] == ("AccessDeniedException", 400)
    grant = root.create_grant(KeyId=key["KeyId"], GranteePrincipal=user_arn("kms-carol"),
                              Operations=["DescribeKey", "RetireGrant"])
    assert carol.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]
    assert denied(carol.disable_key, KeyId=key["Arn"])[:2] == ("AccessDeniedException", 400)
    carol.retire_grant(KeyId=key["Arn"], GrantId=grant["GrantId"])  # the grant lets its grantee retire it
    assert denied(carol.describe_key, KeyId=key["Arn"])[:2] == ("AccessDeniedException", 400)


def test_retiring_principal_retires_by_token(root, iam, strict):
    frank = make_user(iam, strict, "kms-frank")  # no identity policy
    key_id = root.create_key()["KeyMetadata"]["KeyId"]
    token = root.create_grant(KeyId=key_id, GranteePrincipal=user_arn("kms-carol"),
                              RetiringPrincipal=user_arn("kms-frank"), Operations=["Decrypt"])["GrantToken"]
    frank.retire_grant(GrantToken=token)
    assert root.list_grants(KeyId=key_id)["Grants"] == []


def test_another_account_needs_the_key_policy(root, strict):
    other = client(strict, "kms", ACCOUNT_B)
    private = root.create_key()["KeyMetadata"]
    code, _, message = denied(other.describe_key, KeyId=private["Arn"])
    assert code == "AccessDeniedException" and message.startswith(f"User: arn:aws:iam::{ACCOUNT_B}:root ")
    shared = root.create_key(Policy=key_policy(allow_principal(ROOT_A),
                                               allow_principal(f"arn:aws:iam::{ACCOUNT_B}:root", "kms:DescribeKey")))
    assert other.describe_key(KeyId=shared["KeyMetadata"]["Arn"])["KeyMetadata"]["AWSAccountId"] == ACCOUNT_A


def test_users_need_kms_create_key(iam, strict):
    maker = make_user(iam, strict, "kms-maker", allow("kms:CreateKey"))
    maker.create_key()
    nothing = make_user(iam, strict, "kms-no-create")
    code, _, message = denied(nothing.create_key)
    assert code == "AccessDeniedException" and "kms:CreateKey" in message


def test_key_condition_keys(root, iam, strict):
    signer = root.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    plain = root.create_key()["KeyMetadata"]
    user = make_user(iam, strict, "kms-signing-only",
                     allow("kms:DescribeKey", Condition={"StringEquals": {"kms:KeyUsage": "SIGN_VERIFY",
                                                                           "kms:CallerAccount": ACCOUNT_A}}))
    assert user.describe_key(KeyId=signer["Arn"])["KeyMetadata"]["KeyUsage"] == "SIGN_VERIFY"
    assert denied(user.describe_key, KeyId=plain["Arn"])[:2] == ("AccessDeniedException", 400)


def test_create_key_condition_keys_see_the_defaults(iam, strict):
    user = make_user(iam, strict, "kms-symmetric-maker",
                     allow("kms:CreateKey", Condition={"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT",
                                                                         "kms:KeyOrigin": "AWS_KMS"}}))
    user.create_key(Policy=key_policy(allow_principal(ROOT_A)))  # no PutKeyPolicy permission needed
    assert denied(user.create_key, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")[:2] == ("AccessDeniedException", 400)


def test_request_tag_conditions(iam, strict):
    user = make_user(iam, strict, "kms-tagged-maker",
                     allow("kms:CreateKey"),
                     allow("kms:TagResource", Condition={"StringEquals": {"aws:RequestTag/team": "blue"}}))
    user.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])
    assert denied(user.create_key, Tags=[{"TagKey": "team", "TagValue": "red"}])[:2] == ("AccessDeniedException", 400)


def test_aliases_need_identity_permission_on_the_alias(root, iam, strict):
    key = root.create_key()["KeyMetadata"]
    on_key_only = make_user(iam, strict, "kms-alias-key-only", allow("kms:CreateAlias", key["Arn"]))
    code, _, message = denied(on_key_only.create_alias, AliasName="alias/strict-a", TargetKeyId=key["KeyId"])
    assert code == "AccessDeniedException" and f"arn:aws:kms:us-east-1:{ACCOUNT_A}:alias/strict-a" in message
    both = make_user(iam, strict, "kms-alias-both", allow("kms:CreateAlias", [
        key["Arn"], f"arn:aws:kms:us-east-1:{ACCOUNT_A}:alias/strict-*"]))
    both.create_alias(AliasName="alias/strict-a", TargetKeyId=key["KeyId"])


def test_validation_comes_before_authorization(iam, strict):
    nothing = make_user(iam, strict, "kms-validation")
    code, _, message = denied(nothing.create_key, Description="x" * 8193)
    assert code == "ValidationException" and "description" in message


def test_missing_key_is_not_found_for_an_allowed_caller(iam, strict):
    allowed = make_user(iam, strict, "kms-finder", allow("kms:DescribeKey"))
    missing = "11111111-2222-3333-4444-555555555555"
    assert denied(allowed.describe_key, KeyId=missing)[0] == "NotFoundException"
    nothing = make_user(iam, strict, "kms-finder-nothing")
    assert denied(nothing.describe_key, KeyId=missing)[0] == "AccessDeniedException"


def test_grant_constraints_on_the_encryption_context(root, iam, strict):
    dave = make_user(iam, strict, "kms-dave")
    key_id = root.create_key()["KeyMetadata"]["KeyId"]
    root.create_grant(KeyId=key_id, GranteePrincipal=user_arn("kms-dave"), Operations=["Encrypt", "Decrypt"],
                      Constraints={"EncryptionContextSubset": {"app": "billing"}})
    blob = dave.encrypt(KeyId=key_id, Plaintext=b"ok", EncryptionContext={"app": "billing", "run": "1"})
    assert dave.decrypt(CiphertextBlob=blob["CiphertextBlob"],
                        EncryptionContext={"app": "billing", "run": "1"})["Plaintext"] == b"ok"
    assert denied(dave.encrypt, KeyId=key_id, Plaintext=b"x", EncryptionContext={"app": "other"})[:2] == (
        "AccessDeniedException", 400)
    assert denied(dave.encrypt, KeyId=key_id, Plaintext=b"x")[:2] == ("AccessDeniedException", 400)
    exact = make_user(iam, strict, "kms-erin")
    root.create_grant(KeyId=key_id, GranteePrincipal=user_arn("kms-erin"), Operations=["Encrypt"],
                      Constraints={"EncryptionContextEquals": {"app": "billing"}})
    exact.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"app": "billing"})
    assert denied(exact.encrypt, KeyId=key_id, Plaintext=b"x",
                  EncryptionContext={"app": "billing", "extra": "1"})[:2] == ("AccessDeniedException", 400)


def test_grant_to_a_role_covers_its_sessions(root, iam, strict):
    trust = policy({"Effect": "Allow", "Principal": {"AWS": ROOT_A}, "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName="kms-grantee-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    key_id = root.create_key()["KeyMetadata"]["KeyId"]
    root.create_grant(KeyId=key_id, GranteePrincipal=role_arn, Operations=["Encrypt"])
    # in strict mode an account's root may not assume roles: a user does
    iam.create_user(UserName="kms-assumer")
    iam.put_user_policy(UserName="kms-assumer", PolicyName="inline", PolicyDocument=policy(allow("sts:AssumeRole")))
    key = iam.create_access_key(UserName="kms-assumer")["AccessKey"]
    sts = client(strict, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="session")["Credentials"]
    session = client(strict, "kms", creds["AccessKeyId"], creds["SecretAccessKey"], token=creds["SessionToken"])
    session.encrypt(KeyId=key_id, Plaintext=b"from the role")
    assert denied(session.describe_key, KeyId=key_id)[:2] == ("AccessDeniedException", 400)


def test_tags_and_aliases_in_conditions(root, iam, strict):
    blue = root.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]
    red = root.create_key(Tags=[{"TagKey": "team", "TagValue": "red"}])["KeyMetadata"]
    root.create_alias(AliasName="alias/strict-blue", TargetKeyId=blue["KeyId"])
    by_tag = make_user(iam, strict, "kms-abac",
                       allow("kms:DescribeKey", Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}))
    by_tag.describe_key(KeyId=blue["Arn"])
    assert denied(by_tag.describe_key, KeyId=red["Arn"])[:2] == ("AccessDeniedException", 400)
    by_alias = make_user(iam, strict, "kms-alias-abac", allow("kms:DescribeKey", Condition={
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/strict-blue"}}))
    by_alias.describe_key(KeyId=blue["KeyId"])
    assert denied(by_alias.describe_key, KeyId=red["KeyId"])[:2] == ("AccessDeniedException", 400)
    by_request = make_user(iam, strict, "kms-request-alias", allow("kms:DescribeKey", Condition={
        "StringEquals": {"kms:RequestAlias": "alias/strict-blue"}}))
    by_request.describe_key(KeyId="alias/strict-blue")
    assert denied(by_request.describe_key, KeyId=blue["KeyId"])[:2] == ("AccessDeniedException", 400)
