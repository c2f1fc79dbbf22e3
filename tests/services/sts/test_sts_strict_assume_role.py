"""AssumeRole against a ``--strict`` server: trust policy and identity policies together."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from sts_helpers import error_of


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-sts-strict-roles")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(autouse=True)
def _fresh(strict_server):
    strict_server.post("/_overcast/reset")


def client(server, service, key="test", secret="test", token=None):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def user(server, name, account_key="test", policy: str | None = None):
    iam = client(server, "iam", key=account_key)
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy)
    keys = iam.create_access_key(UserName=name)["AccessKey"]
    return client(server, "sts", keys["AccessKeyId"], keys["SecretAccessKey"])


def role(server, name, trusted, account_key="test"):
    trust = document({"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"})
    return client(server, "iam", key=account_key).create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]


ALLOW_ASSUME = document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})


def test_user_with_permission_and_account_trust(strict_server):
    target = role(strict_server, "worker", "arn:aws:iam::000000000000:root")
    alice = user(strict_server, "alice", policy=ALLOW_ASSUME)
    identity = alice.get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:user/alice"
    assert identity["UserId"].startswith("AIDA")
    out = alice.assume_role(RoleArn=target["Arn"], RoleSessionName="alice-session")
    creds = out["Credentials"]
    session = client(strict_server, "sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert session.get_caller_identity()["Arn"] == "arn:aws:sts::000000000000:assumed-role/worker/alice-session"


def test_user_without_permission_is_denied_by_an_account_trust(strict_server):
    target = role(strict_server, "worker", "arn:aws:iam::000000000000:root")
    bob = user(strict_server, "bob")
    code, message, status = error_of(bob.assume_role, RoleArn=target["Arn"], RoleSessionName="s1")
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith("User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sts:AssumeRole")


def test_trust_naming_another_user_refuses_a_permitted_one(strict_server):
    user(strict_server, "alice")
    target = role(strict_server, "alice-only", "arn:aws:iam::000000000000:user/alice")
    carol = user(strict_server, "carol", policy=ALLOW_ASSUME)
    code, message, _ = error_of(carol.assume_role, RoleArn=target["Arn"], RoleSessionName="s1")
    assert code == "AccessDenied"
    assert message == (
        "User: arn:aws:iam::000000000000:user/carol is not authorized to perform: sts:AssumeRole on resource: "
        f"{target['Arn']}"
    )


def test_trust_naming_the_user_itself_is_enough_in_the_same_account(strict_server):
    erin = user(strict_server, "erin")  # no identity policy at all
    target = role(strict_server, "erin-role", "arn:aws:iam::000000000000:user/erin")
    out = erin.assume_role(RoleArn=target["Arn"], RoleSessionName="s1")
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/erin-role/s1"


def test_role_tags_decide_an_abac_assume_role_policy(strict_server):
    iam = client(strict_server, "iam")
    trust = document({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                      "Action": "sts:AssumeRole"})
    blue = iam.create_role(RoleName="blue", AssumeRolePolicyDocument=trust, Tags=[{"Key": "team", "Value": "blue"}])
    red = iam.create_role(RoleName="red", AssumeRolePolicyDocument=trust, Tags=[{"Key": "team", "Value": "red"}])
    abac = document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}})
    frank = user(strict_server, "frank", policy=abac)
    assert frank.assume_role(RoleArn=blue["Role"]["Arn"], RoleSessionName="s1")["Credentials"]["AccessKeyId"]
    assert error_of(frank.assume_role, RoleArn=red["Role"]["Arn"], RoleSessionName="s1")[0] == "AccessDenied"


def test_explicit_deny_in_the_identity_policy_wins(strict_server):
    target = role(strict_server, "worker", "arn:aws:iam::000000000000:root")
    policy = document(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": target["Arn"]},
    )
    dave = user(strict_server, "dave", policy=policy)
    assert error_of(dave.assume_role, RoleArn=target["Arn"], RoleSessionName="s1")[0] == "AccessDenied"


def test_cross_account_with_b_credentials_acts_in_a(strict_server):
    target = role(strict_server, "shared", "arn:aws:iam::222222222222:root", account_key="111111111111")
    erin = user(strict_server, "erin", account_key="222222222222", policy=ALLOW_ASSUME)
    creds = erin.assume_role(RoleArn=target["Arn"], RoleSessionName="erin")["Credentials"]
    session = client(strict_server, "sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    identity = session.get_caller_identity()
    assert identity["Account"] == "111111111111"
    assert identity["Arn"] == "arn:aws:sts::111111111111:assumed-role/shared/erin"
    frank = user(strict_server, "frank", account_key="333333333333", policy=ALLOW_ASSUME)
    assert error_of(frank.assume_role, RoleArn=target["Arn"], RoleSessionName="frank")[0] == "AccessDenied"


def test_session_policy_narrows_the_role_session(strict_server):
    target = role(strict_server, "queues", "arn:aws:iam::000000000000:root")
    client(strict_server, "iam").put_role_policy(
        RoleName="queues", PolicyName="all-sqs",
        PolicyDocument=document({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}),
    )
    narrow = document({"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"})
    assumer = user(strict_server, "assumer", policy=ALLOW_ASSUME)  # root may not assume roles
    creds = assumer.assume_role(RoleArn=target["Arn"], RoleSessionName="narrow", Policy=narrow)["Credentials"]
    sqs = client(strict_server, "sqs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    sqs.list_queues()
    code, _, _ = error_of(sqs.create_queue, QueueName="nope")
    assert code in ("AccessDenied", "AccessDeniedException")
    creds = assumer.assume_role(RoleArn=target["Arn"], RoleSessionName="wide")["Credentials"]
    sqs = client(strict_server, "sqs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert sqs.create_queue(QueueName="yes")["QueueUrl"].endswith("/yes")


def test_federated_user_gets_the_intersection(strict_server):
    user(strict_server, "henry", policy=document({"Effect": "Allow", "Action": ["sqs:*", "sts:*"], "Resource": "*"}))
    iam = client(strict_server, "iam")
    keys = iam.create_access_key(UserName="henry")["AccessKey"]
    henry = client(strict_server, "sts", keys["AccessKeyId"], keys["SecretAccessKey"])
    out = henry.get_federation_token(
        Name="partner", Policy=document({"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"})
    )
    creds = out["Credentials"]
    sqs = client(strict_server, "sqs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    sqs.list_queues()
    code, _, _ = error_of(sqs.create_queue, QueueName="nope")
    assert code in ("AccessDenied", "AccessDeniedException")


def test_role_session_survives_a_crash(strict_server):
    target = role(strict_server, "durable", "arn:aws:iam::000000000000:root")
    assumer = user(strict_server, "assumer", policy=ALLOW_ASSUME)
    creds = assumer.assume_role(RoleArn=target["Arn"], RoleSessionName="kept")["Credentials"]
    strict_server.kill()
    strict_server.start()
    session = client(strict_server, "sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert session.get_caller_identity()["Arn"] == "arn:aws:sts::000000000000:assumed-role/durable/kept"


def test_root_credentials_may_not_assume_roles(strict_server):
    target = role(strict_server, "worker", "arn:aws:iam::000000000000:root")
    code, message, status = error_of(client(strict_server, "sts").assume_role, RoleArn=target["Arn"],
                                     RoleSessionName="s1")
    assert (code, status, message) == ("AccessDenied", 403, "Roles may not be assumed by root accounts.")
