"""Strict mode, functions: identity policies decide on the function's ARN (qualified when the
call names a version), CreateFunction passes the execution role (iam:PassRole to
lambda.amazonaws.com), the role must trust Lambda, and the model's constraints come before
authorization."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from lambda_helpers import PYTHON_RUNTIME, TRUST_LAMBDA, zip_of  # noqa: E402
from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

FUNCTIONS = f"arn:aws:lambda:us-east-1:{ACCOUNT_A}:function"
CODE = {"ZipFile": zip_of({"lambda_function.py": "def handler(event, context):\n    return 1\n"})}


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-lambda")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def iam(strict):
    return client(strict, "iam", ACCOUNT_A)


@pytest.fixture(scope="module")
def role(iam):
    return iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]


def make_user(iam, strict, name, *statements):
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "lambda", key["AccessKeyId"], key["SecretAccessKey"])


def _create(lam, name, role, **extra):
    return lam.create_function(FunctionName=name, Runtime=PYTHON_RUNTIME, Role=role,
                               Handler="lambda_function.handler", Code=CODE, **extra)


def test_create_needs_the_action_and_pass_role(iam, strict, role):
    no_pass = make_user(iam, strict, "no-pass", allow("lambda:CreateFunction", f"{FUNCTIONS}:mine-*"))
    code, status, message = denied(_create, no_pass, "mine-1", role)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "iam:PassRole" in message and role in message
    both = make_user(iam, strict, "both", allow("lambda:CreateFunction", f"{FUNCTIONS}:mine-*"),
                     allow("iam:PassRole", role, Condition={
                         "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))
    assert _create(both, "mine-1", role)["FunctionName"] == "mine-1"
    code, status, message = denied(_create, both, "other", role)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "lambda:CreateFunction" in message and f"{FUNCTIONS}:other" in message


def test_model_constraints_come_before_authorization(iam, strict, role):
    nobody = make_user(iam, strict, "nobody")
    code, status, message = denied(_create, nobody, "t", role, Timeout=901)
    assert (code, status) == ("ValidationException", 400) and "at 'timeout'" in message


def test_qualified_calls_are_decided_on_the_qualified_arn(iam, strict, role):
    lam = client(strict, "lambda", ACCOUNT_A)
    _create(lam, "q", role, Publish=True)
    reader = make_user(iam, strict, "reader", allow("lambda:GetFunctionConfiguration", f"{FUNCTIONS}:q"))
    assert reader.get_function_configuration(FunctionName="q")["Version"] == "$LATEST"
    code, status, message = denied(reader.get_function_configuration, FunctionName="q", Qualifier="1")
    assert (code, status) == ("AccessDeniedException", 403) and f"{FUNCTIONS}:q:1" in message


def test_role_must_trust_lambda(iam, strict):
    lam = client(strict, "lambda", ACCOUNT_A)
    ec2_role = iam.create_role(RoleName="ec2-role", AssumeRolePolicyDocument=TRUST_LAMBDA.replace(
        "lambda.amazonaws.com", "ec2.amazonaws.com"))["Role"]["Arn"]
    for arn in (ec2_role, ec2_role.replace("ec2-role", "missing-role")):
        code, status, message = denied(_create, lam, "untrusted", arn)
        assert (code, status, message) == ("InvalidParameterValueException", 400,
                                           "The role defined for the function cannot be assumed by Lambda.")
