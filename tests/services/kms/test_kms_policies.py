"""Key policies through a real server: the default policy AWS writes, Get/PutKeyPolicy,
ListKeyPolicies, malformed documents and the policy lockout safety check."""

from __future__ import annotations

import json

import pytest
from aws_clients import STRICT
from kms_helpers import error_of

DEFAULT_POLICY = """{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::000000000000:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"""


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ROOT_ALL = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*",
            "Resource": "*"}


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def test_default_policy_text(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    out = kms.get_key_policy(KeyId=key_id, PolicyName="default")
    assert out["Policy"] == DEFAULT_POLICY and out["PolicyName"] == "default"
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY  # PolicyName is optional now
    listed = kms.list_key_policies(KeyId=key_id)
    assert (listed["PolicyNames"], listed["Truncated"]) == (["default"], False)


def test_put_policy_is_stored_verbatim(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    text = policy(ROOT_ALL, {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": "*"},
                             "Action": "kms:DescribeKey", "Resource": "*"})
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=text)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == text


def test_create_key_with_policy(kms):
    text = policy(ROOT_ALL)
    key_id = kms.create_key(Policy=text)["KeyMetadata"]["KeyId"]
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == text


def test_other_policy_names_do_not_exist(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.get_key_policy, KeyId=key_id, PolicyName="other")[0] == "NotFoundException"


def test_malformed_policy(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for bad in ("not json", json.dumps({"Statement": [{"Effect": "Maybe", "Action": "kms:*", "Resource": "*",
                                                        "Principal": "*"}]})):
        code, _, status = error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=bad)
        assert (code, status) == ("MalformedPolicyDocumentException", 400)
    assert error_of(kms.create_key, Policy="{}")[0] == "MalformedPolicyDocumentException"


def test_lockout_safety_check(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    locked = policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                     "Action": "kms:Encrypt", "Resource": "*"})
    assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=locked) == (
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.", 400)
    assert error_of(kms.create_key, Policy=locked)[0] == "MalformedPolicyDocumentException"
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=locked, BypassPolicyLockoutSafetyCheck=True)
    if STRICT:  # locked out indeed: the new policy lets the root do nothing but Encrypt
        assert error_of(kms.get_key_policy, KeyId=key_id)[0] == "AccessDeniedException"
    else:
        assert kms.get_key_policy(KeyId=key_id)["Policy"] == locked


def test_policy_size_quota(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    padded = policy(ROOT_ALL, {"Sid": "x" * 33000, "Effect": "Allow", "Principal": {"AWS": "*"},
                               "Action": "kms:DescribeKey", "Resource": "*"})
    assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=padded)[0] == \
        "LimitExceededException"
    assert error_of(kms.create_key, Policy=padded)[0] == "LimitExceededException"


def test_explicit_deny_of_put_key_policy_fails_the_check(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    text = policy(ROOT_ALL, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:PutKeyPolicy",
                             "Resource": "*"})
    assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=text)[0] == \
        "MalformedPolicyDocumentException"


def test_policy_of_key_pending_deletion_can_still_be_read(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


def test_cli_get_key_policy_text(aws_cli):
    key_id = aws_cli("kms", "create-key")["KeyMetadata"]["KeyId"]
    assert aws_cli("kms", "get-key-policy", "--key-id", key_id, "--policy-name", "default")["Policy"] == DEFAULT_POLICY
