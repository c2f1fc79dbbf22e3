"""S3 ACLs: canned ACLs and grants stored and returned, Object Ownership and Block Public Access."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def _code(exc) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _grants(response) -> list[tuple[str, str]]:
    """(grantee, permission) pairs, the owner's id shown as OWNER."""
    owner = response["Owner"]["ID"]
    pairs = []
    for grant in response["Grants"]:
        grantee = grant["Grantee"]
        name = "OWNER" if grantee.get("ID") == owner else grantee.get("URI") or grantee.get("ID") or \
            grantee.get("EmailAddress")
        pairs.append((name, grant["Permission"]))
    return sorted(pairs)


@pytest.fixture
def acl_bucket(s3):
    """A bucket with ACLs enabled (ObjectWriter) and public ACLs allowed."""
    s3.create_bucket(Bucket="acl-bucket", ObjectOwnership="ObjectWriter")
    s3.put_public_access_block(Bucket="acl-bucket", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    return "acl-bucket"


def test_default_acl_is_owner_full_control(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    acl = s3.get_object_acl(Bucket=bucket, Key="k")
    assert acl["Owner"]["ID"] == s3.list_buckets()["Owner"]["ID"]
    assert _grants(acl) == [("OWNER", "FULL_CONTROL")]
    assert acl["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"
    bucket_acl = s3.get_bucket_acl(Bucket=bucket)
    assert bucket_acl["Owner"] == acl["Owner"]
    assert _grants(bucket_acl) == [("OWNER", "FULL_CONTROL")]


def test_new_buckets_refuse_acls(s3, bucket):
    """New buckets are BucketOwnerEnforced: ACLs disabled, except owner-full-control ones."""
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    assert _code(exc) == ("AccessControlListNotSupported", 400)
    assert exc.value.response["Error"]["Message"] == "The bucket does not allow ACLs"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    for call in (lambda: s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read"),
                 lambda: s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read"),
                 lambda: s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/k", ACL="public-read")):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == ("AccessControlListNotSupported", 400)
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="public-at-birth", ACL="public-read")
    assert _code(exc) == ("InvalidBucketAclWithObjectOwnership", 400)
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="granted-at-birth", GrantRead=f'uri="{ALL_USERS}"')
    assert _code(exc) == ("InvalidBucketAclWithObjectOwnership", 400)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "public-at-birth" not in names and "granted-at-birth" not in names
    owner = s3.list_buckets()["Owner"]["ID"]
    s3.create_bucket(Bucket="owner-granted", GrantFullControl=f'id="{owner}"')


@pytest.mark.parametrize("canned, expected", [
    ("private", []),
    ("public-read", [(ALL_USERS, "READ")]),
    ("public-read-write", [(ALL_USERS, "READ"), (ALL_USERS, "WRITE")]),
    ("authenticated-read", [(AUTHENTICATED, "READ")]),
    ("aws-exec-read", [("6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c", "READ")]),
    ("bucket-owner-read", []),
    ("bucket-owner-full-control", []),
])
def test_canned_object_acls(s3, acl_bucket, canned, expected):
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", ACL=canned)
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == sorted([("OWNER", "FULL_CONTROL")] + expected)
    s3.put_object_acl(Bucket=acl_bucket, Key="k", ACL="private")
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == [("OWNER", "FULL_CONTROL")]
    s3.put_object_acl(Bucket=acl_bucket, Key="k", ACL=canned)
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == sorted([("OWNER", "FULL_CONTROL")] + expected)


def test_bucket_canned_acls(s3, acl_bucket):
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="log-delivery-write")
    assert _grants(s3.get_bucket_acl(Bucket=acl_bucket)) == sorted(
        [("OWNER", "FULL_CONTROL"), (LOG_DELIVERY, "WRITE"), (LOG_DELIVERY, "READ_ACP")])
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="public-read")
    assert _grants(s3.get_bucket_acl(Bucket=acl_bucket)) == sorted([(ALL_USERS, "READ"), ("OWNER", "FULL_CONTROL")])


def test_acl_on_create_bucket(s3):
    s3.create_bucket(Bucket="born-private", ObjectOwnership="ObjectWriter", ACL="private")
    assert _grants(s3.get_bucket_acl(Bucket="born-private")) == [("OWNER", "FULL_CONTROL")]
    s3.create_bucket(Bucket="born-with-log-acl", ObjectOwnership="BucketOwnerPreferred", ACL="log-delivery-write")
    assert (LOG_DELIVERY, "WRITE") in _grants(s3.get_bucket_acl(Bucket="born-with-log-acl"))


def test_grant_headers(s3, acl_bucket, aws_client):
    owner = s3.get_bucket_acl(Bucket=acl_bucket)["Owner"]["ID"]
    other = aws_client("s3", aws_access_key_id="111111111111").list_buckets()["Owner"]["ID"]  # another account
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", GrantRead=f'id="{other}", uri="{ALL_USERS}"',
                  GrantFullControl=f'id="{owner}"')
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == sorted(
        [(ALL_USERS, "READ"), (other, "READ"), ("OWNER", "FULL_CONTROL")])
    s3.put_object_acl(Bucket=acl_bucket, Key="k", GrantWriteACP='emailAddress="someone@example.com"')
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == [("someone@example.com", "WRITE_ACP")]
    with pytest.raises(ClientError) as exc:
        s3.put_object_acl(Bucket=acl_bucket, Key="k", ACL="private", GrantRead=f'id="{other}"')
    assert _code(exc) == ("InvalidRequest", 400)


def test_access_control_policy_body(s3, acl_bucket):
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
    acl = s3.get_object_acl(Bucket=acl_bucket, Key="k")
    policy = {"Owner": acl["Owner"], "Grants": acl["Grants"] + [
        {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ_ACP"}]}
    s3.put_object_acl(Bucket=acl_bucket, Key="k", AccessControlPolicy=policy)
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="k")) == sorted(
        [("OWNER", "FULL_CONTROL"), (AUTHENTICATED, "READ_ACP")])
    s3.put_bucket_acl(Bucket=acl_bucket, AccessControlPolicy=policy)
    assert (AUTHENTICATED, "READ_ACP") in _grants(s3.get_bucket_acl(Bucket=acl_bucket))


def test_invalid_canned_acl(s3, acl_bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", ACL="everyone-welcome")
    assert _code(exc) == ("InvalidArgument", 400)
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_acl(Bucket=acl_bucket, Key="k", ACL="log-delivery-write")  # a bucket-only canned ACL
    assert _code(exc) == ("InvalidArgument", 400)


def test_block_public_acls_by_default(s3):
    """ACLs enabled but the default public access block on: a public ACL is refused (403)."""
    s3.create_bucket(Bucket="writer-owned", ObjectOwnership="ObjectWriter")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket="writer-owned", Key="k", Body=b"x", ACL="public-read")
    assert _code(exc) == ("AccessDenied", 403)
    s3.put_object(Bucket="writer-owned", Key="k", Body=b"x", ACL="aws-exec-read")
    assert len(s3.get_object_acl(Bucket="writer-owned", Key="k")["Grants"]) == 2


def test_copy_sets_acl_not_copies_it(s3, acl_bucket):
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", ACL="public-read")
    s3.copy_object(Bucket=acl_bucket, Key="plain", CopySource=f"{acl_bucket}/k")
    assert _grants(s3.get_object_acl(Bucket=acl_bucket, Key="plain")) == [("OWNER", "FULL_CONTROL")]
    s3.copy_object(Bucket=acl_bucket, Key="auth", CopySource=f"{acl_bucket}/k", ACL="authenticated-read")
    assert (AUTHENTICATED, "READ") in _grants(s3.get_object_acl(Bucket=acl_bucket, Key="auth"))


def test_acl_of_missing_object(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_acl(Bucket=bucket, Key="nope")
    assert _code(exc) == ("NoSuchKey", 404)


def test_cli_acl(aws_cli, s3):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-acl", "--object-ownership", "ObjectWriter")
    aws_cli("s3api", "put-object", "--bucket", "cli-acl", "--key", "k", "--acl", "aws-exec-read")
    acl = aws_cli("s3api", "get-object-acl", "--bucket", "cli-acl", "--key", "k")
    assert sorted(g["Permission"] for g in acl["Grants"]) == ["FULL_CONTROL", "READ"]
