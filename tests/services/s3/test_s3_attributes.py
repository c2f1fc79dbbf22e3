"""S3 GetObjectAttributes: each attribute, versions, delete markers, parts, bad attribute names."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from botocore.exceptions import ClientError

ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]


def test_single_part_object(s3, bucket):
    body = b"attribute body"
    put = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm="SHA256")
    result = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=ALL)
    assert result["ETag"] == put["ETag"].strip('"') == hashlib.md5(body).hexdigest()
    assert result["ObjectSize"] == len(body)
    assert result["StorageClass"] == "STANDARD"
    assert result["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert result["Checksum"]["ChecksumType"] == "FULL_OBJECT"
    assert "ObjectParts" not in result  # only multipart objects have parts
    assert "VersionId" not in result
    assert result["LastModified"] == s3.head_object(Bucket=bucket, Key="k")["LastModified"]


def test_only_requested_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345", StorageClass="STANDARD_IA")
    result = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize", "StorageClass"])
    assert result["ObjectSize"] == 5 and result["StorageClass"] == "STANDARD_IA"
    assert "ETag" not in result and "Checksum" not in result


def test_unknown_attribute(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag", "Colour"])
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_missing_object(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="nope", ObjectAttributes=["ETag"])
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"


def test_versions_and_delete_markers(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"second")["VersionId"]
    result = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert (result["VersionId"], result["ObjectSize"]) == (v2, 6)
    result = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=v1, ObjectAttributes=["ObjectSize"])
    assert (result["VersionId"], result["ObjectSize"]) == (v1, 3)
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=marker, ObjectAttributes=["ObjectSize"])
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405


def _multipart(s3, bucket, key, parts: list[bytes], algorithm: str | None = None):
    extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=data, **extra)
        entry = {"PartNumber": number, "ETag": response["ETag"]}
        if algorithm:
            entry["Checksum" + algorithm] = response["Checksum" + algorithm]
        done.append(entry)
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})


def test_multipart_object_parts(s3, bucket):
    size = 5 * 1024 * 1024
    parts = [os.urandom(size), os.urandom(size), b"tail"]
    _multipart(s3, bucket, "mp", parts, algorithm="SHA256")
    result = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL)
    assert result["ETag"].endswith("-3") and not result["ETag"].startswith('"')
    assert result["ObjectSize"] == 2 * size + 4
    object_parts = result["ObjectParts"]
    assert object_parts["TotalPartsCount"] == 3
    assert [p["PartNumber"] for p in object_parts["Parts"]] == [1, 2, 3]
    assert [p["Size"] for p in object_parts["Parts"]] == [size, size, 4]
    assert object_parts["Parts"][2]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"tail").digest()).decode()
    page = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"], MaxParts=1,
                                    PartNumberMarker=1)["ObjectParts"]
    assert [p["PartNumber"] for p in page["Parts"]] == [2]
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 2 and page["MaxParts"] == 1
