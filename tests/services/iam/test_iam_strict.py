"""IAM users' and roles' policies decide requests in a strict-mode server (IAM supplies the
policies; the engine decides): inline, group and managed policies, explicit denies, boundaries."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from iam_helpers import ACCOUNT, allow, error_of
from serverproc import ServerProcess


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("iam-strict-authz")), "--strict").start()
    yield proc
    proc.stop()


def client(server, service, key="test", secret="test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))


def user_with_key(iam, name: str) -> dict:
    iam.create_user(UserName=name)
    return iam.create_access_key(UserName=name)["AccessKey"]


def as_user(server, service, key):
    return client(server, service, key["AccessKeyId"], key["SecretAccessKey"])


def test_user_policies_decide(strict_server):
    iam = client(strict_server, "iam")
    key = user_with_key(iam, "alice")
    sqs = as_user(strict_server, "sqs", key)
    code, message, _ = error_of(sqs.list_queues)
    assert code in ("AccessDenied", "AccessDeniedException")
    assert f"arn:aws:iam::{ACCOUNT}:user/alice" in message and "sqs:listqueues" in message.lower()

    iam.put_user_policy(UserName="alice", PolicyName="sqs", PolicyDocument=allow("sqs:*"))
    sqs.create_queue(QueueName="alice-q")
    assert any(url.endswith("/alice-q") for url in sqs.list_queues()["QueueUrls"])

    deny = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="no-delete", PolicyDocument=deny)["Policy"]["Arn"]
    iam.create_group(GroupName="careful")
    iam.add_user_to_group(GroupName="careful", UserName="alice")
    iam.attach_group_policy(GroupName="careful", PolicyArn=arn)
    url = sqs.get_queue_url(QueueName="alice-q")["QueueUrl"]
    assert error_of(sqs.delete_queue, QueueUrl=url)[0] in ("AccessDenied", "AccessDeniedException")
    iam.remove_user_from_group(GroupName="careful", UserName="alice")
    sqs.delete_queue(QueueUrl=url)


def test_managed_policy_and_boundary(strict_server):
    iam = client(strict_server, "iam")
    key = user_with_key(iam, "bob")
    iam.attach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    s3 = as_user(strict_server, "s3", key)
    s3.create_bucket(Bucket="bob-bucket")
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    code, _, status = error_of(s3.list_objects_v2, Bucket="bob-bucket")
    assert (code, status) == ("AccessDenied", 403)
    iam.delete_user_permissions_boundary(UserName="bob")
    assert s3.list_objects_v2(Bucket="bob-bucket")["KeyCount"] == 0


def test_role_session_gets_the_roles_policies(strict_server):
    iam = client(strict_server, "iam")
    key = user_with_key(iam, "carol")
    iam.put_user_policy(UserName="carol", PolicyName="assume", PolicyDocument=allow("sts:AssumeRole"))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/carol"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="s3-worker", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="s3-worker", PolicyName="s3", PolicyDocument=allow("s3:*"))
    creds = as_user(strict_server, "sts", key).assume_role(RoleArn=role["Arn"], RoleSessionName="job")["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name="us-east-1")
    s3 = session.client("s3", endpoint_url=strict_server.endpoint)
    s3.create_bucket(Bucket="worker-bucket")
    sqs = session.client("sqs", endpoint_url=strict_server.endpoint, config=Config(retries={"max_attempts": 1}))
    assert error_of(sqs.list_queues)[0] in ("AccessDenied", "AccessDeniedException")
    iam.attach_role_policy(RoleName="s3-worker", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")
    assert sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200  # allowed now


def test_iam_read_only_user(strict_server):
    iam = client(strict_server, "iam")
    key = user_with_key(iam, "auditor")
    iam.attach_user_policy(UserName="auditor", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    auditor = as_user(strict_server, "iam", key)
    assert auditor.get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/auditor"
    assert [k["AccessKeyId"] for k in auditor.list_access_keys()["AccessKeyMetadata"]] == [key["AccessKeyId"]]
    code, message, status = error_of(auditor.create_user, UserName="intruder")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: iam:CreateUser "
                       f"on resource: arn:aws:iam::{ACCOUNT}:user/intruder because no identity-based policy allows "
                       "the iam:CreateUser action")
