"""A few IAM workflows through the AWS CLI (documents from files, paginated listings, errors)."""

from __future__ import annotations

import json

from iam_helpers import ACCOUNT, trust_policy


def test_role_workflow_with_files(aws_cli, tmp_path):
    trust = tmp_path / "trust.json"
    trust.write_text(trust_policy("lambda.amazonaws.com"))
    role = aws_cli("iam", "create-role", "--role-name", "fn", "--assume-role-policy-document",
                   f"file://{trust}")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/fn"
    aws_cli("iam", "attach-role-policy", "--role-name", "fn", "--policy-arn",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    attached = aws_cli("iam", "list-attached-role-policies", "--role-name", "fn")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]
    got = aws_cli("iam", "get-role", "--role-name", "fn")["Role"]
    assert got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    proc = aws_cli("iam", "delete-role", "--role-name", "fn", check=False)
    assert proc.returncode != 0 and "DeleteConflict" in proc.stderr


def test_cli_paginates_list_users(aws_cli):
    for n in range(5):
        aws_cli("iam", "create-user", "--user-name", f"cli{n}")
    users = aws_cli("iam", "list-users", "--page-size", "2")["Users"]
    assert [u["UserName"] for u in users] == [f"cli{n}" for n in range(5)]


def test_cli_simulate_custom_policy(aws_cli):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})
    results = aws_cli("iam", "simulate-custom-policy", "--policy-input-list", policy,
                      "--action-names", "sqs:SendMessage", "sqs:DeleteQueue")["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["allowed", "implicitDeny"]
