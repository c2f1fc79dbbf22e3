"""Open mode (the default) authorizes nothing: an IAM user without any policy, a policy that
denies everything and anonymous callers all get on as before strict mode existed."""

from __future__ import annotations

import urllib.request

from strict_helpers import ACCOUNT_A, client, deny, policy


def test_user_without_policies_does_everything(server):
    iam = client(server, "iam", ACCOUNT_A)
    iam.create_user(UserName="open-nobody")
    key = iam.create_access_key(UserName="open-nobody")["AccessKey"]
    keys = (key["AccessKeyId"], key["SecretAccessKey"])
    s3 = client(server, "s3", *keys)
    s3.create_bucket(Bucket="open-bucket")
    s3.put_object(Bucket="open-bucket", Key="k", Body=b"v")
    assert s3.get_object(Bucket="open-bucket", Key="k")["Body"].read() == b"v"
    sqs = client(server, "sqs", *keys)
    url = sqs.create_queue(QueueName="open-queue")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    assert client(server, "iam", *keys).list_users()["Users"]


def test_explicit_denies_are_not_enforced(server):
    iam = client(server, "iam", ACCOUNT_A)
    iam.create_user(UserName="open-denied")
    iam.put_user_policy(UserName="open-denied", PolicyName="all", PolicyDocument=policy(deny("*")))
    key = iam.create_access_key(UserName="open-denied")["AccessKey"]
    s3 = client(server, "s3", key["AccessKeyId"], key["SecretAccessKey"])
    s3.create_bucket(Bucket="open-denied-bucket")
    s3.put_bucket_policy(Bucket="open-denied-bucket", Policy=policy(
        deny("s3:*", "arn:aws:s3:::open-denied-bucket/*", Principal="*")))
    s3.put_object(Bucket="open-denied-bucket", Key="k", Body=b"v")
    assert s3.get_object(Bucket="open-denied-bucket", Key="k")["Body"].read() == b"v"


def test_anonymous_reads_pass_unchecked(server):
    # a bucket of the default account: the one an anonymous caller belongs to in open mode
    s3_default = client(server, "s3", "test")
    s3_default.create_bucket(Bucket="open-anonymous-default")
    s3_default.put_object(Bucket="open-anonymous-default", Key="k", Body=b"v")
    with urllib.request.urlopen(f"{server.endpoint}/open-anonymous-default/k", timeout=10) as response:
        assert response.read() == b"v"
