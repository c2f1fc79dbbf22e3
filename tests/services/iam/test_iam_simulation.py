"""SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the policy engine."""

from __future__ import annotations

import json

import pytest
from iam_helpers import ACCOUNT, allow, error_of, trust_policy


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def deny(action: str, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "NoDelete", "Effect": "Deny", "Action": action, "Resource": resource}]})


def decisions(results) -> dict:
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}


def test_principal_policy_for_a_user_with_group(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="read", PolicyDocument=allow("s3:Get*"))
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="alice")
    iam.put_group_policy(GroupName="g", PolicyName="no-delete", PolicyDocument=deny("s3:DeleteObject"))
    iam.attach_group_policy(GroupName="g", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/alice",
        ActionNames=["s3:GetObject", "s3:DeleteObject", "sqs:SendMessage", "sns:Publish"],
        ResourceArns=["arn:aws:s3:::bucket/key"])["EvaluationResults"]
    assert decisions(results) == {
        ("s3:GetObject", "arn:aws:s3:::bucket/key"): "allowed",
        ("s3:DeleteObject", "arn:aws:s3:::bucket/key"): "explicitDeny",
        ("sqs:SendMessage", "arn:aws:s3:::bucket/key"): "allowed",
        ("sns:Publish", "arn:aws:s3:::bucket/key"): "implicitDeny",
    }
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyId"] == "read"
    assert by_action["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"] == "user"
    assert by_action["s3:DeleteObject"]["MatchedStatements"][0]["SourcePolicyType"] == "group"
    assert by_action["sqs:SendMessage"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert by_action["sns:Publish"]["MatchedStatements"] == []


def test_principal_policy_for_a_role_with_boundary_and_inputs(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy(),
                    PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/r",
        ActionNames=["s3:GetObject", "s3:PutObject"])["EvaluationResults"]
    assert decisions(results) == {("s3:GetObject", "*"): "allowed", ("s3:PutObject", "*"): "implicitDeny"}
    assert results[1]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # an extra policy passed in can only add explicit denies here
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/r", ActionNames=["s3:GetObject"],
        PolicyInputList=[deny("s3:GetObject")])["EvaluationResults"]
    assert results[0]["EvalDecision"] == "explicitDeny"
    assert results[0]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"


def test_custom_policy_with_conditions_and_missing_context(iam):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
        "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}}]})
    missing = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:ListBucket"],
                                         ResourceArns=["arn:aws:s3:::b"])["EvaluationResults"][0]
    assert missing["EvalDecision"] == "implicitDeny" and missing["MissingContextValues"] == ["s3:prefix"]
    allowed = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:ListBucket"], ResourceArns=["arn:aws:s3:::b"],
        ContextEntries=[{"ContextKeyName": "s3:prefix", "ContextKeyValues": ["home/bob/docs"],
                         "ContextKeyType": "string"},
                        {"ContextKeyName": "aws:username", "ContextKeyValues": ["bob"], "ContextKeyType": "string"}],
    )["EvaluationResults"][0]
    assert allowed["EvalDecision"] == "allowed" and allowed["MissingContextValues"] == []


def test_custom_policy_with_resource_policy(iam):
    resource_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/carol"},
        "Action": "sqs:SendMessage", "Resource": "*"}]})
    results = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:*")], ActionNames=["sqs:SendMessage"],
        ResourceArns=[f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"], ResourcePolicy=resource_policy,
        CallerArn=f"arn:aws:iam::{ACCOUNT}:user/carol")["EvaluationResults"]
    assert results[0]["EvalDecision"] == "allowed"
    assert results[0]["MatchedStatements"][0]["SourcePolicyType"] == "resource"


def test_simulation_errors(iam):
    assert error_of(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/ghost",
                    ActionNames=["s3:GetObject"])[0] == "NoSuchEntity"
    assert error_of(iam.simulate_custom_policy, PolicyInputList=["{"], ActionNames=["s3:GetObject"])[0] == \
        "MalformedPolicyDocument"
    assert error_of(iam.simulate_principal_policy, PolicySourceArn="arn:aws:s3:::not-an-entity",
                    ActionNames=["s3:GetObject"])[0] == "InvalidInput"


def test_simulation_pages(iam):
    results = []
    pages = iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[allow("s3:*")], ActionNames=[f"s3:Action{n}" for n in range(5)],
        PaginationConfig={"PageSize": 2})
    for page in pages:
        results += page["EvaluationResults"]
    assert [r["EvalActionName"] for r in results] == [f"s3:Action{n}" for n in range(5)]
