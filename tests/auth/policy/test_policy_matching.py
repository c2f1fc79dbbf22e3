"""Wildcards, ARN segments, policy variables and principal matching."""

import pytest

from overcast.auth.policy import Principal
from overcast.auth.policy.matching import action_matches, resource_matches
from overcast.auth.policy.principals import match, spec

ACCOUNT = "123456789012"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/division/alice", ACCOUNT, "user",
                 user_id="AIDAJQABLZS4A3QDU576Q", username="alice")
SESSION = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice", ACCOUNT, "assumed-role",
                    user_id="AROADBQP57FF2AEXAMPLE:alice", role_arn=f"arn:aws:iam::{ACCOUNT}:role/ops/Admin")
ROOT = Principal(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "root", user_id=ACCOUNT)
SERVICE = Principal("ec2.amazonaws.com", "", "service", service="ec2.amazonaws.com")
ANONYMOUS = Principal("*", "", "anonymous")
WEB = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/Web/app", ACCOUNT, "web-identity",
                service=f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com")


@pytest.mark.parametrize("pattern,action,expected", [
    ("*", "s3:GetObject", True),
    ("s3:*", "s3:GetObject", True),
    ("s3:*", "sqs:SendMessage", False),
    ("s3:get*", "S3:GetObject", True),
    ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get?bject", "s3:GetObjectAcl", False),
    ("iam:*User*", "iam:ListUserPolicies", True),
    ("s3:GetObject", "s3:GetObjectAcl", False),
])
def test_actions(pattern, action, expected):
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize("pattern,resource,expected", [
    ("*", "arn:aws:s3:::b/k", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),
    ("arn:aws:s3:::b*", "arn:aws:s3:::bucket/x", True),
    ("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", False),
    ("arn:aws:sqs:*:123456789012:*", "arn:aws:sqs:us-east-1:123456789012:q", True),
    ("arn:aws:sqs:*:123456789012:*", "arn:aws:sqs:us-east-1:210987654321:q", False),
    ("arn:aws:sqs:us-*-1:*:q", "arn:aws:sqs:us-east-1:123456789012:q", True),
    ("arn:aws:sqs:*:q", "arn:aws:sqs:us-east-1:123456789012:q", False),
    ("arn:aws:*", "arn:aws:sqs:us-east-1:123456789012:q", True),
    ("arn:aws:logs:*:*:log-group:app:*", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:s", True),
    ("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/path/name", True),
    ("arn:aws:iam::123456789012:user/division/*", "arn:aws:iam::123456789012:user/division/alice", True),
])
def test_resources(pattern, resource, expected):
    assert resource_matches(pattern, resource, {}, True) is expected


def test_resource_variables():
    context = {"aws:username": "alice", "aws:principaltag/team": "blue", "multi": ["a", "b"]}
    assert resource_matches("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", context, True)
    assert resource_matches("arn:aws:s3:::b/${AWS:UserName}/*", "arn:aws:s3:::b/alice/x", context, True)
    assert not resource_matches("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/x", context, True)
    assert not resource_matches("arn:aws:s3:::b/${aws:userid}/*", "arn:aws:s3:::b//x", context, True)
    assert not resource_matches("arn:aws:s3:::b/${multi}", "arn:aws:s3:::b/a", context, True)
    assert resource_matches("arn:aws:s3:::b/${aws:PrincipalTag/x, 'all'}", "arn:aws:s3:::b/all", context, True)
    assert resource_matches("arn:aws:s3:::b/${ aws:username , 'x' }", "arn:aws:s3:::b/alice", context, True)
    assert resource_matches("arn:aws:s3:::b/${$}{x}", "arn:aws:s3:::b/${x}", context, True)
    # the value of a variable is literal text, never a wildcard
    assert not resource_matches("arn:aws:s3:::b/${v}", "arn:aws:s3:::b/anything", {"v": "*"}, True)
    assert resource_matches("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/${aws:username}", context, False)


def aws(*values):
    return spec({"AWS": list(values)})


@pytest.mark.parametrize("principal_spec,principal,expected", [
    (spec("*"), USER, "any"),
    (spec("*"), ANONYMOUS, "any"),
    (aws("*"), ANONYMOUS, "any"),
    (aws(ACCOUNT), USER, "account"),
    (aws(f"arn:aws:iam::{ACCOUNT}:root"), USER, "account"),
    (aws(f"arn:aws:iam::{ACCOUNT}:root"), SESSION, "account"),
    (aws(f"arn:aws:iam::{ACCOUNT}:root"), ROOT, "direct"),
    (aws("210987654321"), USER, None),
    (aws(f"arn:aws:iam::{ACCOUNT}:user/division/alice"), USER, "direct"),
    (aws(f"arn:aws:iam::{ACCOUNT}:user/alice"), USER, None),  # the path is part of the ARN
    (aws("AIDAJQABLZS4A3QDU576Q"), USER, "direct"),
    (aws(f"arn:aws:iam::{ACCOUNT}:role/ops/Admin"), SESSION, "role"),
    (aws("AROADBQP57FF2AEXAMPLE"), SESSION, "role"),
    (aws(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice"), SESSION, "direct"),
    (aws(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/bob"), SESSION, None),
    (aws(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice"), SESSION, "direct"),
    (aws(ACCOUNT), SERVICE, None),
    (aws(ACCOUNT), ANONYMOUS, None),
    (spec({"Service": "ec2.amazonaws.com"}), SERVICE, "direct"),
    (spec({"Service": ["lambda.amazonaws.com"]}), SERVICE, None),
    (spec({"Service": "ec2.amazonaws.com"}), USER, None),
    (spec({"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com"}), WEB, "direct"),
    (spec({"Federated": "accounts.google.com"}), WEB, None),
])
def test_principals(principal_spec, principal, expected):
    assert match(principal_spec, principal) == expected
