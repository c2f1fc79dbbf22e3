"""Strict mode with IAM users: identity policies (user and group), explicit denies, permission
boundaries; S3, SQS, IAM and STS calls all authorized; open mode does not care."""

from __future__ import annotations

import json

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, allow, client, deny, denied, policy


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-identity")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root_iam(strict):
    return client(strict, "iam", ACCOUNT_A)


@pytest.fixture(scope="module")
def root_s3(strict):
    s3 = client(strict, "s3", ACCOUNT_A)
    s3.create_bucket(Bucket="identity-data")
    s3.put_object(Bucket="identity-data", Key="docs/a.txt", Body=b"hello")
    return s3


def make_user(iam, name, *statements, boundary=None):
    """An IAM user with one inline policy of ``statements``; returns its (key, secret)."""
    iam.create_user(UserName=name, **({"PermissionsBoundary": boundary} if boundary else {}))
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def as_user(strict, service, keys):
    return client(strict, service, keys[0], keys[1])


def test_s3_allowed_and_implicitly_denied(strict, root_iam, root_s3):
    keys = make_user(root_iam, "s3-reader", allow("s3:GetObject", "arn:aws:s3:::identity-data/*"))
    s3 = as_user(strict, "s3", keys)
    assert s3.get_object(Bucket="identity-data", Key="docs/a.txt")["Body"].read() == b"hello"
    code, status, message = denied(s3.list_objects_v2, Bucket="identity-data")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT_A}:user/s3-reader is not authorized to perform: s3:ListBucket "
                       'on resource: "arn:aws:s3:::identity-data" because no identity-based policy allows the '
                       "s3:ListBucket action")
    assert denied(s3.put_object, Bucket="identity-data", Key="x", Body=b"1")[:2] == ("AccessDenied", 403)
    # a bucket nobody has is NoSuchBucket whatever the caller may do
    assert denied(s3.list_objects_v2, Bucket="identity-nowhere")[:2] == ("NoSuchBucket", 404)
    assert denied(s3.create_bucket, Bucket="identity-new")[:2] == ("AccessDenied", 403)


def test_s3_explicit_deny_in_identity_policy(strict, root_iam, root_s3):
    keys = make_user(root_iam, "s3-no-delete", allow("s3:*"), deny("s3:DeleteObject"))
    s3 = as_user(strict, "s3", keys)
    s3.put_object(Bucket="identity-data", Key="tmp/x", Body=b"1")
    code, _, message = denied(s3.delete_object, Bucket="identity-data", Key="tmp/x")
    assert code == "AccessDenied"
    assert message.endswith('"arn:aws:s3:::identity-data/tmp/x" with an explicit deny in an identity-based policy')


def test_group_policy_applies(strict, root_iam, root_s3):
    root_iam.create_group(GroupName="listers")
    root_iam.put_group_policy(GroupName="listers", PolicyName="list", PolicyDocument=policy(
        allow("s3:ListBucket", "arn:aws:s3:::identity-data")))
    keys = make_user(root_iam, "s3-lister")
    s3 = as_user(strict, "s3", keys)
    assert denied(s3.list_objects_v2, Bucket="identity-data")[:2] == ("AccessDenied", 403)
    root_iam.add_user_to_group(GroupName="listers", UserName="s3-lister")
    assert s3.list_objects_v2(Bucket="identity-data")["KeyCount"] >= 1


def test_permissions_boundary_limits_the_user(strict, root_iam, root_s3):
    arn = root_iam.create_policy(PolicyName="read-only-boundary", PolicyDocument=policy(
        allow(["s3:GetObject", "s3:ListBucket"])))["Policy"]["Arn"]
    keys = make_user(root_iam, "s3-bounded", allow("s3:*"), boundary=arn)
    s3 = as_user(strict, "s3", keys)
    assert s3.get_object(Bucket="identity-data", Key="docs/a.txt")["Body"].read() == b"hello"
    code, _, message = denied(s3.put_object, Bucket="identity-data", Key="y", Body=b"1")
    assert code == "AccessDenied"
    assert message.endswith("because no permissions boundary allows the s3:PutObject action")


def test_policy_variables_and_principal_tags(strict, root_iam, root_s3):
    keys = make_user(root_iam, "s3-home", allow("s3:PutObject", "arn:aws:s3:::identity-data/home/${aws:username}/*"))
    s3 = as_user(strict, "s3", keys)
    s3.put_object(Bucket="identity-data", Key="home/s3-home/notes.txt", Body=b"mine")
    assert denied(s3.put_object, Bucket="identity-data", Key="home/someone/notes.txt", Body=b"x")[0] == "AccessDenied"


def test_sqs_identity_policies(strict, root_iam):
    owner = client(strict, "sqs", ACCOUNT_A)
    url = owner.create_queue(QueueName="identity-jobs")["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:identity-jobs"
    keys = make_user(root_iam, "sqs-sender", allow("sqs:SendMessage", arn), deny("sqs:PurgeQueue"))
    sqs = as_user(strict, "sqs", keys)
    sqs.send_message(QueueUrl=url, MessageBody="one")
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two"}])
    code, status, message = denied(sqs.receive_message, QueueUrl=url)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT_A}:user/sqs-sender is not authorized to perform: "
                       f"sqs:receivemessage on resource: {arn} because no identity-based policy allows the "
                       "sqs:receivemessage action")
    assert denied(sqs.purge_queue, QueueUrl=url)[2].endswith("with an explicit deny in an identity-based policy")


def test_iam_calls_are_authorized(strict, root_iam):
    keys = make_user(root_iam, "iam-self", allow(["iam:GetUser", "iam:ListAccessKeys"],
                                                 f"arn:aws:iam::{ACCOUNT_A}:user/${{aws:username}}"))
    iam = as_user(strict, "iam", keys)
    assert iam.get_user()["User"]["UserName"] == "iam-self"
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 1
    code, status, message = denied(iam.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT_A}:user/iam-self is not authorized to perform: iam:ListUsers on "
                       f"resource: arn:aws:iam::{ACCOUNT_A}:user/ because no identity-based policy allows the "
                       "iam:ListUsers action")
    assert denied(iam.get_user, UserName="s3-reader")[0] == "AccessDenied"
    assert denied(iam.create_user, UserName="mallory")[0] == "AccessDenied"


def test_aws_managed_policies_are_not_another_account(strict, root_iam):
    keys = make_user(root_iam, "policy-reader", allow("iam:GetPolicy"))
    iam = as_user(strict, "iam", keys)
    found = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]
    assert found["PolicyName"] == "ReadOnlyAccess"


def test_sts_calls(strict, root_iam):
    keys = make_user(root_iam, "sts-denied-all", deny("*"))
    sts = as_user(strict, "sts", keys)
    # GetCallerIdentity needs no permission: an explicit deny does not stop it
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT_A}:user/sts-denied-all"
    # nor does GetSessionToken: policies cannot control authentication operations
    assert sts.get_session_token()["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert denied(sts.decode_authorization_message, EncodedMessage="abc")[:3] == ("AccessDenied", 403, (
        f"User: arn:aws:iam::{ACCOUNT_A}:user/sts-denied-all is not authorized to perform: "
        "sts:DecodeAuthorizationMessage with an explicit deny in an identity-based policy"))


def test_ec2_denial_is_an_encoded_unauthorized_operation(strict, root_iam):
    keys = make_user(root_iam, "ec2-viewer", allow(["ec2:Describe*", "sts:DecodeAuthorizationMessage"]))
    ec2 = as_user(strict, "ec2", keys)
    ec2.describe_instances()
    code, status, message = denied(ec2.run_instances, ImageId="ami-12345678", MinCount=1, MaxCount=1)
    assert (code, status) == ("UnauthorizedOperation", 403)
    prefix = "You are not authorized to perform this operation. Encoded authorization failure message: "
    assert message.startswith(prefix)
    decoded = json.loads(as_user(strict, "sts", keys).decode_authorization_message(
        EncodedMessage=message[len(prefix):])["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "ec2:RunInstances"
    assert decoded["context"]["principal"]["arn"] == f"arn:aws:iam::{ACCOUNT_A}:user/ec2-viewer"


def test_ec2_dry_run_in_strict_mode(strict, root_iam):
    keys = make_user(root_iam, "ec2-dry", allow("ec2:DescribeInstances"))
    ec2 = as_user(strict, "ec2", keys)
    assert denied(ec2.describe_instances, DryRun=True)[:2] == ("DryRunOperation", 412)
    assert denied(ec2.describe_regions, DryRun=True)[:2] == ("UnauthorizedOperation", 403)


def test_run_instances_with_a_profile_needs_pass_role(strict, root_iam):
    root_iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    root_iam.create_instance_profile(InstanceProfileName="app-profile")
    root_iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app-role")
    keys = make_user(root_iam, "ec2-launcher", allow("ec2:RunInstances"))
    ec2 = as_user(strict, "ec2", keys)
    launch = {"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1, "IamInstanceProfile": {"Name": "app-profile"}}
    assert denied(ec2.run_instances, **launch)[:2] == ("UnauthorizedOperation", 403)
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)  # no role passed: no PassRole needed
    root_iam.put_user_policy(UserName="ec2-launcher", PolicyName="pass", PolicyDocument=policy(
        allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT_A}:role/app-role",
              Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})))
    assert ec2.run_instances(**launch)["Instances"][0]["IamInstanceProfile"]["Arn"].endswith("/app-profile")


def test_iam_resources_carry_the_entity_path(strict, root_iam):
    root_iam.create_user(UserName="pathed-target", Path="/division/")
    keys = make_user(root_iam, "division-admin",
                     allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT_A}:user/division/*"))
    iam = as_user(strict, "iam", keys)
    assert iam.get_user(UserName="pathed-target")["User"]["Path"] == "/division/"
    assert denied(iam.get_user, UserName="s3-reader")[0] == "AccessDenied"


def test_existing_object_tag_condition(strict, root_iam, root_s3):
    root_s3.put_object(Bucket="identity-data", Key="tagged/public.txt", Body=b"p", Tagging="class=public")
    root_s3.put_object(Bucket="identity-data", Key="tagged/secret.txt", Body=b"s", Tagging="class=secret")
    keys = make_user(root_iam, "s3-by-tag", allow("s3:GetObject", "arn:aws:s3:::identity-data/*",
                                                  Condition={"StringEquals": {"s3:ExistingObjectTag/class": "public"}}))
    s3 = as_user(strict, "s3", keys)
    assert s3.get_object(Bucket="identity-data", Key="tagged/public.txt")["Body"].read() == b"p"
    assert denied(s3.get_object, Bucket="identity-data", Key="tagged/secret.txt")[0] == "AccessDenied"


def test_ec2_resource_tags(strict, root_iam):
    root_ec2 = client(strict, "ec2", ACCOUNT_A)
    mine = root_ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "Owner", "Value": "ec2-owner"}]}])["Instances"][0]["InstanceId"]
    theirs = root_ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    keys = make_user(root_iam, "ec2-owner", allow("ec2:TerminateInstances", "*", Condition={
        "StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"}}))
    ec2 = as_user(strict, "ec2", keys)
    assert denied(ec2.terminate_instances, InstanceIds=[theirs])[:2] == ("UnauthorizedOperation", 403)
    assert denied(ec2.terminate_instances, InstanceIds=[mine, theirs])[:2] == ("UnauthorizedOperation", 403)
    ec2.terminate_instances(InstanceIds=[mine])


def test_put_with_tags_needs_put_object_tagging(strict, root_iam, root_s3):
    keys = make_user(root_iam, "s3-writer", allow("s3:PutObject", "arn:aws:s3:::identity-data/*"))
    s3 = as_user(strict, "s3", keys)
    s3.put_object(Bucket="identity-data", Key="w/plain", Body=b"1")
    code, _, message = denied(s3.put_object, Bucket="identity-data", Key="w/tagged", Body=b"1", Tagging="a=b")
    assert code == "AccessDenied" and "s3:PutObjectTagging" in message


def test_create_bucket_with_ownership_controls_needs_that_permission(strict, root_iam):
    keys = make_user(root_iam, "s3-creator", allow("s3:CreateBucket"))
    s3 = as_user(strict, "s3", keys)
    s3.create_bucket(Bucket="identity-created")
    code, _, message = denied(s3.create_bucket, Bucket="identity-created-2", ObjectOwnership="ObjectWriter")
    assert code == "AccessDenied" and "s3:PutBucketOwnershipControls" in message


def test_session_token_credentials_cannot_call_iam_or_most_of_sts(strict, root_iam):
    keys = make_user(root_iam, "session-user", allow("*"))
    token = as_user(strict, "sts", keys).get_session_token()["Credentials"]
    session = (token["AccessKeyId"], token["SecretAccessKey"], token["SessionToken"])
    assert client(strict, "s3", *session).list_buckets()["Buckets"] is not None
    sts = client(strict, "sts", *session)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT_A}:user/session-user"
    assert denied(client(strict, "iam", *session).list_users)[:2] == ("InvalidClientTokenId", 403)
    assert denied(sts.get_session_token)[:2] == ("InvalidClientTokenId", 403)
