"""S3 object tagging: Put/Get/DeleteObjectTagging, the x-amz-tagging header, tag counts."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _tags(s3, bucket, key, **kwargs):
    return s3.get_object_tagging(Bucket=bucket, Key=key, **kwargs)["TagSet"]


def _code(exc) -> str:
    return exc.value.response["Error"]["Code"]


def test_put_get_delete_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert _tags(s3, bucket, "k") == []
    tag_set = [{"Key": "team", "Value": "blue"}, {"Key": "env", "Value": "dev"}]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tag_set})
    assert _tags(s3, bucket, "k") == tag_set
    assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": ""}]})
    assert _tags(s3, bucket, "k") == [{"Key": "only", "Value": ""}]
    response = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _tags(s3, bucket, "k") == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")


def test_tagging_header_on_put(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1&b=two%20words&empty=")
    assert _tags(s3, bucket, "k") == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two words"},
                                      {"Key": "empty", "Value": ""}]
    assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "3"


def test_tagging_does_not_make_a_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    response = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1,
                                     Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]})
    assert response["VersionId"] == v1
    assert _tags(s3, bucket, "k", VersionId=v1) == [{"Key": "old", "Value": "yes"}]
    assert _tags(s3, bucket, "k") == []  # the current version (v2) is untouched
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "new", "Value": "1"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["VersionId"] == v2
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["VersionId"] == v2 and head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "1"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"


@pytest.mark.parametrize("tag_set, message", [
    ([{"Key": f"k{i}", "Value": "v"} for i in range(11)], "Object tags cannot be greater than 10"),
    ([{"Key": "k" * 129, "Value": "v"}], "The TagKey you have provided is too long, max 128"),
    ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is too long, max 256"),
    ([{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}], "Cannot provide multiple Tags with the same key"),
])
def test_invalid_tags(s3, bucket, tag_set, message):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tag_set})
    assert _code(exc) == "InvalidTag"
    assert exc.value.response["Error"]["Message"] == message
    assert _tags(s3, bucket, "k") == []


def test_limits_count_unicode_characters(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tag_set = [{"Key": "é" * 128, "Value": "ü" * 256}] + [{"Key": f"k{i}", "Value": "v"} for i in range(9)]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tag_set})
    assert _tags(s3, bucket, "k") == tag_set


def test_invalid_tagging_header_stores_nothing(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="&".join(f"k{i}=v" for i in range(11)))
    assert _code(exc) == "InvalidTag"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="k")
    assert exc.value.response["Error"]["Code"] == "404"


def test_tagging_missing_object_and_version(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_tagging(Bucket=bucket, Key="nope")
    assert _code(exc) == "NoSuchKey"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k", VersionId="doesnotexist",
                              Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert _code(exc) in ("NoSuchVersion", "InvalidArgument")


def test_cli_tagging(aws_cli):
    aws_cli("s3api", "create-bucket", "--bucket", "tag-cli")
    aws_cli("s3api", "put-object", "--bucket", "tag-cli", "--key", "k", "--tagging", "project=alpha")
    aws_cli("s3api", "put-object-tagging", "--bucket", "tag-cli", "--key", "k",
            "--tagging", '{"TagSet": [{"Key": "project", "Value": "beta"}]}')
    assert aws_cli("s3api", "get-object-tagging", "--bucket", "tag-cli", "--key", "k")["TagSet"] == [
        {"Key": "project", "Value": "beta"}]


def test_tagging_header_on_multipart_upload(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="stage=upload")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"only part")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert _tags(s3, bucket, "mp") == [{"Key": "stage", "Value": "upload"}]
    with pytest.raises(ClientError) as exc:
        s3.create_multipart_upload(Bucket=bucket, Key="bad", Tagging="&".join(f"k{i}=v" for i in range(11)))
    assert _code(exc) == "InvalidTag"
