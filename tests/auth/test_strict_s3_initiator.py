"""The Initiator of a multipart upload as S3 names it: an IAM user or a role session by its
ARN ("If the principal is an IAM User, it provides a user ARN value"), the account's root by
the account's canonical id; the Owner stays the account's canonical id either way."""

from __future__ import annotations

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, allow, client, policy

BUCKET = "initiator-data"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_A}:role/uploader"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-initiator")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def principals(strict):
    """A user allowed to upload and to assume a role allowed to upload."""
    client(strict, "s3").create_bucket(Bucket=BUCKET)
    iam = client(strict, "iam")
    uploads = allow(["s3:PutObject", "s3:ListBucketMultipartUploads", "s3:ListMultipartUploadParts"],
                    [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"])
    iam.create_user(UserName="ana")
    iam.put_user_policy(UserName="ana", PolicyName="upload", PolicyDocument=policy(
        uploads, allow("sts:AssumeRole", ROLE_ARN)))
    key = iam.create_access_key(UserName="ana")["AccessKey"]
    iam.create_role(RoleName="uploader", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="uploader", PolicyName="upload", PolicyDocument=policy(uploads))
    user = client(strict, "s3", key["AccessKeyId"], key["SecretAccessKey"])
    credentials = client(strict, "sts", key["AccessKeyId"], key["SecretAccessKey"]).assume_role(
        RoleArn=ROLE_ARN, RoleSessionName="night-batch")["Credentials"]
    role = client(strict, "s3", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                  credentials["SessionToken"])
    return {"root": client(strict, "s3"), "user": user, "role": role}


@pytest.mark.parametrize("who, initiator", [
    ("user", f"arn:aws:iam::{ACCOUNT_A}:user/ana"),
    ("role", f"arn:aws:sts::{ACCOUNT_A}:assumed-role/uploader/night-batch"),
    ("root", None),
])
def test_initiator_names_the_principal(principals, who, initiator):
    s3 = principals[who]
    owner = principals["root"].list_buckets()["Owner"]["ID"]
    key = f"by-{who}"
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    expected = {"ID": initiator or owner}
    parts = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload)
    assert parts["Initiator"] == expected and parts["Owner"] == {"ID": owner}
    listed = [u for u in s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"] if u["Key"] == key]
    assert [u["Initiator"] for u in listed] == [expected] and listed[0]["Owner"] == {"ID": owner}
