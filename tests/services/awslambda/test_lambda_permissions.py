"""A function's resource policy through boto3 and the AWS CLI: AddPermission's statement as
AWS writes it (principals, SourceArn/SourceAccount/EventSourceToken/FunctionUrlAuthType
conditions), one policy per qualifier, GetPolicy, RemovePermission, RevisionIds, AWS's errors."""

from __future__ import annotations

import json

import pytest
from lambda_helpers import create_python_function, error_of

HANDLER = "def handler(event, context):\n    return event\n"
TOPIC = "arn:aws:sns:us-east-1:000000000000:alerts"


@pytest.fixture
def lam(aws_client):
    client = aws_client("lambda")
    create_python_function(client, "perm-fn", HANDLER)
    return client


def _arn(lam):
    return lam.get_function_configuration(FunctionName="perm-fn")["FunctionArn"]


def test_add_answers_the_statement_and_get_policy_the_document(lam):
    arn = _arn(lam)
    added = lam.add_permission(FunctionName="perm-fn", StatementId="sns", Action="lambda:InvokeFunction",
                               Principal="sns.amazonaws.com", SourceArn=TOPIC, SourceAccount="000000000000")
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": arn,
        "Condition": {"StringEquals": {"AWS:SourceAccount": "000000000000"}, "ArnLike": {"AWS:SourceArn": TOPIC}}}
    lam.add_permission(FunctionName=arn, StatementId="other-account", Action="lambda:InvokeFunction",
                       Principal="111122223333")
    lam.add_permission(FunctionName="perm-fn", StatementId="url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    got = lam.get_policy(FunctionName="perm-fn")
    policy = json.loads(got["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Id"] == "default"
    assert [s["Sid"] for s in policy["Statement"]] == ["sns", "other-account", "url"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert policy["Statement"][2]["Principal"] == "*"
    assert policy["Statement"][2]["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert got["RevisionId"] == lam.get_function_configuration(FunctionName="perm-fn")["RevisionId"]


def test_errors(lam):
    arn = _arn(lam)
    assert error_of(lam.get_policy, FunctionName="perm-fn", status=404) == (
        "ResourceNotFoundException", "The resource you requested does not exist.")
    lam.add_permission(FunctionName="perm-fn", StatementId="s1", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com")
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s1", Action="lambda:InvokeFunction",
                    Principal="s3.amazonaws.com", status=409) == (
        "ResourceConflictException",
        "The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing "
        "statement.")
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s2", Action="lambda:InvokeFunction",
                    Principal="not a principal")[0] in ("InvalidParameterValueException", "ValidationException")
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s2", Action="lambda:InvokeFunction",
                    Principal="nobody") == (
        "InvalidParameterValueException", "The provided principal was invalid. Please check the principal and try "
                                          "again.")
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s2", Action="lambda:InvokeFunction",
                    Principal="sns.amazonaws.com", Qualifier="$LATEST") == (
        "InvalidParameterValueException", "We currently do not support adding policies for $LATEST.")
    code, _ = error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s2", Action="sqs:SendMessage",
                       Principal="sns.amazonaws.com")
    assert code == "ValidationException"
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s2", Action="lambda:InvokeFunction",
                    Principal="sns.amazonaws.com", RevisionId="stale", status=412)[0] == "PreconditionFailedException"
    assert error_of(lam.remove_permission, FunctionName="perm-fn", StatementId="s9", status=404) == (
        "ResourceNotFoundException", "Statement s9 is not found in resource policy.")
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s3", Action="lambda:InvokeFunction",
                    Principal="sns.amazonaws.com", Qualifier="nope", status=404) == (
        "ResourceNotFoundException", f"Cannot find alias arn: {arn}:nope")
    assert error_of(lam.add_permission, FunctionName="perm-fn", StatementId="s3", Action="lambda:InvokeFunction",
                    Principal="sns.amazonaws.com", Qualifier="4", status=404) == (
        "ResourceNotFoundException", f"Function not found: {arn}:4")
    assert error_of(lam.get_policy, FunctionName="nope", status=404)[0] == "ResourceNotFoundException"


def test_remove_and_qualified_policies(lam):
    arn = _arn(lam)
    lam.publish_version(FunctionName="perm-fn")
    lam.create_alias(FunctionName="perm-fn", Name="live", FunctionVersion="1")
    alias_rev = lam.get_alias(FunctionName="perm-fn", Name="live")["RevisionId"]
    added = lam.add_permission(FunctionName="perm-fn", StatementId="a", Action="lambda:InvokeFunction",
                               Principal="sns.amazonaws.com", Qualifier="live", RevisionId=alias_rev)
    assert json.loads(added["Statement"])["Resource"] == f"{arn}:live"
    lam.add_permission(FunctionName=f"{arn}:1", StatementId="a", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    # each qualifier has its own policy: the function itself still has none
    assert error_of(lam.get_policy, FunctionName="perm-fn", status=404)[0] == "ResourceNotFoundException"
    live = lam.get_policy(FunctionName="perm-fn", Qualifier="live")
    assert [s["Resource"] for s in json.loads(live["Policy"])["Statement"]] == [f"{arn}:live"]
    assert live["RevisionId"] == lam.get_alias(FunctionName="perm-fn", Name="live")["RevisionId"] != alias_rev
    one = json.loads(lam.get_policy(FunctionName="perm-fn", Qualifier="1")["Policy"])
    assert one["Statement"][0]["Resource"] == f"{arn}:1"
    assert lam.remove_permission(FunctionName="perm-fn", StatementId="a", Qualifier="live")[
        "ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_policy, FunctionName="perm-fn", Qualifier="live", status=404)[0] == \
        "ResourceNotFoundException"
    assert error_of(lam.remove_permission, FunctionName="perm-fn", StatementId="a", Qualifier="live",
                    status=404) == ("ResourceNotFoundException", "No policy is associated with the given resource.")
    # an alias's policy goes with the alias
    lam.add_permission(FunctionName="perm-fn", StatementId="b", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", Qualifier="live")
    lam.delete_alias(FunctionName="perm-fn", Name="live")
    lam.create_alias(FunctionName="perm-fn", Name="live", FunctionVersion="1")
    assert error_of(lam.get_policy, FunctionName="perm-fn", Qualifier="live", status=404)[0] == \
        "ResourceNotFoundException"


def test_cli_add_get_remove(lam, aws_cli):
    added = aws_cli("lambda", "add-permission", "--function-name", "perm-fn", "--statement-id", "sns",
                    "--action", "lambda:InvokeFunction", "--principal", "sns.amazonaws.com")
    assert json.loads(added["Statement"])["Principal"] == {"Service": "sns.amazonaws.com"}
    policy = json.loads(aws_cli("lambda", "get-policy", "--function-name", "perm-fn")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns"]
    aws_cli("lambda", "remove-permission", "--function-name", "perm-fn", "--statement-id", "sns")
    assert aws_cli("lambda", "get-policy", "--function-name", "perm-fn", check=False).returncode != 0
