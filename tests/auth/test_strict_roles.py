"""Strict mode with role sessions: a role in account A trusted by account B is assumed from
B's credentials and acts in A with the role's permissions, narrowed by a session policy; the
caller needs sts:AssumeRole in its own identity policy."""

from __future__ import annotations

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, denied, policy

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_A}:role/shared-reader"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-roles")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def setup(strict):
    """Account A: a bucket, a queue and a role B may assume; account B: a user allowed to assume it."""
    s3 = client(strict, "s3", ACCOUNT_A)
    s3.create_bucket(Bucket="roles-data")
    s3.put_object(Bucket="roles-data", Key="docs/a.txt", Body=b"hello")
    s3.put_object(Bucket="roles-data", Key="private/b.txt", Body=b"secret")
    queue_url = client(strict, "sqs", ACCOUNT_A).create_queue(QueueName="roles-jobs")["QueueUrl"]
    iam_a = client(strict, "iam", ACCOUNT_A)
    iam_a.create_role(RoleName="shared-reader", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"}, "Action": "sts:AssumeRole"}))
    iam_a.put_role_policy(RoleName="shared-reader", PolicyName="read", PolicyDocument=policy(
        allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::roles-data", "arn:aws:s3:::roles-data/*"]),
        allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:roles-jobs")))
    iam_b = client(strict, "iam", ACCOUNT_B)
    keys = {}
    for name, statements in (("bob", [allow("sts:AssumeRole", ROLE_ARN)]), ("eve", [])):
        iam_b.create_user(UserName=name)
        if statements:
            iam_b.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=policy(*statements))
        key = iam_b.create_access_key(UserName=name)["AccessKey"]
        keys[name] = (key["AccessKeyId"], key["SecretAccessKey"])
    return {"keys": keys, "queue_url": queue_url}


def session(strict, keys, **kwargs):
    sts = client(strict, "sts", keys[0], keys[1])
    return sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="work", **kwargs)["Credentials"]


def as_session(strict, service, credentials):
    return client(strict, service, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                  credentials["SessionToken"])


def test_role_from_account_b_acts_in_account_a(strict, setup):
    credentials = session(strict, setup["keys"]["bob"])
    identity = as_session(strict, "sts", credentials).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT_A}:assumed-role/shared-reader/work"
    s3 = as_session(strict, "s3", credentials)
    assert s3.get_object(Bucket="roles-data", Key="docs/a.txt")["Body"].read() == b"hello"
    code, _, message = denied(s3.put_object, Bucket="roles-data", Key="x", Body=b"1")
    assert code == "AccessDenied"
    assert message == (f"User: arn:aws:sts::{ACCOUNT_A}:assumed-role/shared-reader/work is not authorized to "
                       'perform: s3:PutObject on resource: "arn:aws:s3:::roles-data/x" because no identity-based '
                       "policy allows the s3:PutObject action")
    as_session(strict, "sqs", credentials).send_message(QueueUrl=setup["queue_url"], MessageBody="from the role")


def test_caller_needs_assume_role_permission(strict, setup):
    eve = client(strict, "sts", *setup["keys"]["eve"])
    code, status, message = denied(eve.assume_role, RoleArn=ROLE_ARN, RoleSessionName="probe")
    assert (code, status) == ("AccessDenied", 403)
    # STS writes its AssumeRole denials without the reason other services append
    assert message == (f"User: arn:aws:iam::{ACCOUNT_B}:user/eve is not authorized to perform: sts:AssumeRole on "
                       f"resource: {ROLE_ARN}")


def test_session_policy_narrows_the_role(strict, setup):
    credentials = session(strict, setup["keys"]["bob"], Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::roles-data/docs/*")))
    s3 = as_session(strict, "s3", credentials)
    assert s3.get_object(Bucket="roles-data", Key="docs/a.txt")["Body"].read() == b"hello"
    code, _, message = denied(s3.get_object, Bucket="roles-data", Key="private/b.txt")
    assert code == "AccessDenied"
    assert message.endswith("because no session policy allows the s3:GetObject action")


def test_bucket_policy_naming_the_role_grants_other_buckets(strict, setup):
    s3_b = client(strict, "s3", ACCOUNT_B)
    s3_b.create_bucket(Bucket="roles-b-bucket")
    s3_b.put_object(Bucket="roles-b-bucket", Key="k", Body=b"b's")
    credentials = session(strict, setup["keys"]["bob"])
    s3 = as_session(strict, "s3", credentials)
    # the role's policy does not cover B's bucket, and B's bucket policy does not name the role yet
    assert denied(s3.get_object, Bucket="roles-b-bucket", Key="k") == ("AccessDenied", 403, "Access Denied")
    s3_b.put_bucket_policy(Bucket="roles-b-bucket", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::roles-b-bucket/*", Principal={"AWS": ROLE_ARN})))
    # cross-account: the resource policy allows, but the role's identity policy must allow too
    assert denied(s3.get_object, Bucket="roles-b-bucket", Key="k")[0] == "AccessDenied"


def test_resource_tags_of_queues(strict, setup):
    sqs_a = client(strict, "sqs", ACCOUNT_A)
    blue = sqs_a.create_queue(QueueName="roles-blue", tags={"team": "blue"})["QueueUrl"]
    red = sqs_a.create_queue(QueueName="roles-red", tags={"team": "red"})["QueueUrl"]
    iam_a = client(strict, "iam", ACCOUNT_A)
    iam_a.create_user(UserName="blue-member")
    iam_a.put_user_policy(UserName="blue-member", PolicyName="abac", PolicyDocument=policy(
        allow("sqs:SendMessage", "*", Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}})))
    key = iam_a.create_access_key(UserName="blue-member")["AccessKey"]
    sqs = client(strict, "sqs", key["AccessKeyId"], key["SecretAccessKey"])
    sqs.send_message(QueueUrl=blue, MessageBody="ok")
    assert denied(sqs.send_message, QueueUrl=red, MessageBody="no")[0] == "AccessDenied"
