"""Against a ``--strict`` server: IAM checks a request's parameters before it authorizes the
caller, and the service-specific credential condition keys decide."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from iam_helpers import ACCOUNT, error_of
from serverproc import ServerProcess


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("iam-strict-checks")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(autouse=True)
def _fresh(strict_server):
    strict_server.post("/_overcast/reset")


def client(server, key="test", secret="test", validate=True):
    return boto3.session.Session().client(
        "iam", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, parameter_validation=validate, connect_timeout=5, read_timeout=30))


def user_client(server, name: str, policy: dict | None = None, validate=True):
    root = client(server)
    root.create_user(UserName=name)
    if policy is not None:
        root.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = root.create_access_key(UserName=name)["AccessKey"]
    return client(server, key["AccessKeyId"], key["SecretAccessKey"], validate)


def test_attach_with_a_non_arn_is_a_validation_error_before_authorization(strict_server):
    iam = user_client(strict_server, "nobody")
    code, message, status = error_of(iam.attach_role_policy, RoleName="r", PolicyArn="AWSLambdaBasicExecutionRole")
    assert (code, message, status) == ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    code, _, status = error_of(iam.attach_role_policy, RoleName="r",
                               PolicyArn="arn:aws:iam::aws:policy/AWSLambdaExecute")
    assert (code, status) == ("AccessDenied", 403)


def test_model_constraints_are_checked_before_authorization(strict_server):
    iam = user_client(strict_server, "nobody", validate=False)
    code, message, _ = error_of(iam.create_role, RoleName="bad name", AssumeRolePolicyDocument="{}")
    assert code == "ValidationError"
    assert message.startswith("1 validation error detected: Value 'bad name' at 'roleName'")


def test_service_name_condition_key(strict_server):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:CreateServiceSpecificCredential",
        "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
        "Condition": {"StringEquals": {"iam:ServiceSpecificCredentialServiceName": "codecommit.amazonaws.com"}}}]}
    iam = user_client(strict_server, "dev", policy)
    created = iam.create_service_specific_credential(UserName="dev", ServiceName="codecommit.amazonaws.com")
    assert created["ServiceSpecificCredential"]["ServiceUserName"] == f"dev-at-{ACCOUNT}"
    code, _, status = error_of(iam.create_service_specific_credential, UserName="dev",
                               ServiceName="bedrock.amazonaws.com")
    assert (code, status) == ("AccessDenied", 403)
