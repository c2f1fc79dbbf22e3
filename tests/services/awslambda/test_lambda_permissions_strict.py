"""Strict mode, a function's resource policy: a principal the policy names may make the calls
it allows on what the policy is attached to (the function, or one alias), with no identity
policy of its own; a principal it does not name stays denied. A layer version's policy shares
it with another account in the same way."""

from __future__ import annotations

import json
import os
import sys

import pytest
from lambda_helpers import TRUST_LAMBDA, create_python_function, zip_of

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, denied, policy  # noqa: E402

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-lambda-policy")), "--strict").start()
    iam = client(proc, "iam", ACCOUNT_A)
    role = iam.create_role(RoleName="policy-exec", AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
    root = client(proc, "lambda", ACCOUNT_A)
    create_python_function(root, "guarded", HANDLER, Role=role)
    root.get_waiter("function_active_v2").wait(FunctionName="guarded", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    root.publish_version(FunctionName="guarded")
    root.create_alias(FunctionName="guarded", Name="live", FunctionVersion="1")
    yield proc
    proc.stop()


def make_user(strict, name):
    iam = client(strict, "iam", ACCOUNT_A)
    user = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="unrelated", PolicyDocument=policy(allow("sqs:ListQueues")))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return user, client(strict, "lambda", key["AccessKeyId"], key["SecretAccessKey"])


def test_the_policy_lets_the_principal_it_names_in(strict):
    root = client(strict, "lambda", ACCOUNT_A)
    user, caller = make_user(strict, "invoker")
    _, outsider = make_user(strict, "outsider")
    assert denied(caller.invoke, FunctionName="guarded")[:2] == ("AccessDeniedException", 403)
    root.add_permission(FunctionName="guarded", StatementId="invoker", Action="lambda:InvokeFunction",
                        Principal=user)
    answer = caller.invoke(FunctionName="guarded", Payload=b"{}")
    assert answer["StatusCode"] == 200 and json.loads(answer["Payload"].read()) == {"ok": True}
    # only what the statement allows, only to whom it names
    assert denied(caller.get_function_configuration, FunctionName="guarded")[:2] == ("AccessDeniedException", 403)
    assert denied(outsider.invoke, FunctionName="guarded")[:2] == ("AccessDeniedException", 403)
    # the function's policy is not the alias's
    assert denied(caller.invoke, FunctionName="guarded", Qualifier="live")[:2] == ("AccessDeniedException", 403)
    root.add_permission(FunctionName="guarded", Qualifier="live", StatementId="invoker",
                        Action="lambda:InvokeFunction", Principal=user)
    assert caller.invoke(FunctionName="guarded", Qualifier="live")["ExecutedVersion"] == "1"
    root.remove_permission(FunctionName="guarded", StatementId="invoker")
    assert denied(caller.invoke, FunctionName="guarded")[:2] == ("AccessDeniedException", 403)


def test_a_layer_version_policy_shares_it_with_another_account(strict):
    owner = client(strict, "lambda", ACCOUNT_A)
    other = client(strict, "lambda", ACCOUNT_B)
    arn = owner.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_of({"a.txt": "a"})})[
        "LayerVersionArn"]
    assert denied(other.get_layer_version_by_arn, Arn=arn)[:2] == ("AccessDeniedException", 403)
    owner.add_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="b",
                                       Action="lambda:GetLayerVersion", Principal=ACCOUNT_B)
    assert other.get_layer_version_by_arn(Arn=arn)["LayerVersionArn"] == arn
    # the policy shares reading the version, nothing else
    assert denied(other.get_layer_version_policy, LayerName=arn.rsplit(":", 1)[0], VersionNumber=1)[:2] == (
        "AccessDeniedException", 403)
