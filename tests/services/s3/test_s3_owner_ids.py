"""Owners and grantees as S3 shows them today: a 64-hex canonical id per account (not the
account number), stable, and no DisplayName anywhere."""

from __future__ import annotations

import re

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

CANONICAL = re.compile(r"^[0-9a-f]{64}$")


def _signed_get(endpoint: str, path: str) -> requests.Response:
    request = AWSRequest(method="GET", url=f"{endpoint}{path}", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return requests.get(request.url, headers=dict(request.headers), timeout=10)


def _owner_id(s3) -> str:
    return s3.list_buckets()["Owner"]["ID"]


def test_owner_is_a_stable_canonical_id(s3, aws_client, bucket):
    owner = s3.list_buckets()["Owner"]
    assert CANONICAL.match(owner["ID"]) and set(owner) == {"ID"}
    assert owner["ID"] != "000000000000"
    assert _owner_id(s3) == owner["ID"]
    other = _owner_id(aws_client("s3", aws_access_key_id="111111111111"))
    assert CANONICAL.match(other) and other != owner["ID"]


def test_no_display_name_on_the_wire(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for path in ("/", f"/{bucket}", f"/{bucket}?list-type=2&fetch-owner=true", f"/{bucket}?versions",
                 f"/{bucket}?acl", f"/{bucket}/k?acl"):
        answer = _signed_get(endpoint, path)
        assert answer.status_code == 200, answer.text
        assert b"DisplayName" not in answer.content and b"<ID>" in answer.content, path


def test_every_listing_shows_the_same_owner_id(s3, bucket):
    owner = _owner_id(s3)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert [o["Owner"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == [{"ID": owner}]
    assert [o["Owner"] for o in s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]] == [{"ID": owner}]
    assert [v["Owner"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == [{"ID": owner}]
    assert s3.get_bucket_acl(Bucket=bucket)["Owner"] == {"ID": owner}
    acl = s3.get_object_acl(Bucket=bucket, Key="k")
    assert acl["Owner"] == {"ID": owner}
    assert acl["Grants"] == [{"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "FULL_CONTROL"}]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    listed = s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]
    assert listed["Owner"] == {"ID": owner} and listed["Initiator"] == {"ID": owner}
    parts = s3.list_parts(Bucket=bucket, Key="m", UploadId=upload)
    assert parts["Owner"] == {"ID": owner} and parts["Initiator"] == {"ID": owner}


@pytest.fixture
def acl_bucket(s3):
    s3.create_bucket(Bucket="owner-ids-acls", ObjectOwnership="ObjectWriter")
    s3.put_public_access_block(Bucket="owner-ids-acls", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    return "owner-ids-acls"


def test_grants_name_canonical_ids(s3, aws_client, acl_bucket):
    other = _owner_id(aws_client("s3", aws_access_key_id="111111111111"))
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", GrantRead=f'id="{other}"')
    grants = s3.get_object_acl(Bucket=acl_bucket, Key="k")["Grants"]
    assert {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ"} in grants


@pytest.mark.parametrize("grantee", ["f" * 64, "000000000000", "not-an-id"])
def test_unknown_canonical_id_is_invalid(s3, acl_bucket, grantee):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x", GrantRead=f'id="{grantee}"')
    error = exc.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Invalid id")
    owner = s3.get_bucket_acl(Bucket=acl_bucket)["Owner"]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_acl(Bucket=acl_bucket, AccessControlPolicy={"Owner": owner, "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": grantee}, "Permission": "READ"}]})
    assert exc.value.response["Error"]["Message"] == "Invalid id"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
