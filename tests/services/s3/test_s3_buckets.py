"""S3 buckets through boto3: create (naming rules, location, re-create), head, list, delete, location."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _code(exc) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_list_head_delete(s3):
    s3.create_bucket(Bucket="alpha")
    s3.create_bucket(Bucket="beta.example")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["alpha", "beta.example"]
    assert s3.head_bucket(Bucket="alpha")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_location(Bucket="alpha")["LocationConstraint"] is None
    s3.delete_bucket(Bucket="alpha")
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket="alpha")
    assert _code(exc) == ("404", 404)
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket="alpha")
    assert _code(exc) == ("NoSuchBucket", 404)
    assert exc.value.response["Error"]["BucketName"] == "alpha"


@pytest.mark.parametrize("name", ["ab", "UPPER", "a_b", "-abc", "abc-", "a..b", "192.168.1.1", "x" * 64, "xn--abc"])
def test_invalid_names(s3, name):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert _code(exc) == ("InvalidBucketName", 400)


def test_recreate_own_bucket(s3, aws_client):
    s3.create_bucket(Bucket="mine")
    s3.create_bucket(Bucket="mine")  # us-east-1: 200
    west = aws_client("s3", region="eu-west-1")
    west.create_bucket(Bucket="west-one", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket="west-one")["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket="west-one", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert _code(exc) == ("BucketAlreadyOwnedByYou", 409)


@pytest.mark.open_mode_only
def test_other_account_name(s3, aws_client):
    s3.create_bucket(Bucket="taken")
    other = aws_client("s3", aws_access_key_id="111111111111")
    with pytest.raises(ClientError) as exc:
        other.create_bucket(Bucket="taken")
    assert _code(exc) == ("BucketAlreadyExists", 409)
    assert [b["Name"] for b in other.list_buckets()["Buckets"]] == []
    for call in (lambda: other.put_object(Bucket="taken", Key="k", Body=b"x"),
                 lambda: other.list_objects_v2(Bucket="taken"), lambda: other.delete_bucket(Bucket="taken")):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as exc:
        other.head_bucket(Bucket="taken")
    assert _code(exc) == ("403", 403)


def test_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert _code(exc) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)
