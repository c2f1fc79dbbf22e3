"""S3 CopyObject: sources, directives, conditions, self-copies, versions, boto3 and CLI copies."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os

import boto3.s3.transfer
import pytest
from botocore.exceptions import ClientError


def _error(exc) -> tuple[str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error.get("Message", "")


def _status(exc) -> int:
    return exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_copy_between_buckets_keeps_bytes_and_metadata(s3, bucket):
    s3.create_bucket(Bucket="copy-target")
    body = os.urandom(300_000)
    put = s3.put_object(Bucket=bucket, Key="src/a.bin", Body=body, ContentType="image/png",
                        CacheControl="max-age=60", Metadata={"colour": "red"})
    result = s3.copy_object(Bucket="copy-target", Key="dst/b.bin", CopySource=f"{bucket}/src/a.bin")
    assert result["CopyObjectResult"]["ETag"] == put["ETag"]
    assert "VersionId" not in result and "CopySourceVersionId" not in result
    got = s3.get_object(Bucket="copy-target", Key="dst/b.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "image/png" and got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"colour": "red"}
    assert got["ETag"] == put["ETag"]
    # the copy is independent of its source
    s3.delete_object(Bucket=bucket, Key="src/a.bin")
    assert s3.get_object(Bucket="copy-target", Key="dst/b.bin")["Body"].read() == body


def test_copy_source_forms_and_encoded_keys(s3, bucket):
    key = "dir/ünï cødé+plus?.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"odd")
    s3.copy_object(Bucket=bucket, Key="a", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"odd"
    # a string source (boto3 URL-encodes it) with the optional leading slash
    s3.copy_object(Bucket=bucket, Key="b", CopySource=f"/{bucket}/{key}")
    assert s3.get_object(Bucket=bucket, Key="b")["Body"].read() == b"odd"


@pytest.mark.parametrize("source", ["just-a-bucket", "/just-a-bucket/"])
def test_malformed_copy_source(s3, bucket, source):
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=source)
    assert _error(exc)[0] == "InvalidArgument" and _status(exc) == 400


def test_missing_source(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/nope")
    assert _error(exc)[0] == "NoSuchKey" and _status(exc) == 404
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="x", CopySource="no-such-bucket-here/nope")
    assert _error(exc)[0] == "NoSuchBucket"


def test_metadata_directive_replace(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain", Metadata={"old": "1"},
                  ContentDisposition="inline")
    s3.copy_object(Bucket=bucket, Key="k2", CopySource=f"{bucket}/k", MetadataDirective="REPLACE",
                   ContentType="application/json", Metadata={"new": "2"})
    head = s3.head_object(Bucket=bucket, Key="k2")
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"new": "2"}
    assert "ContentDisposition" not in head
    # COPY (the default) ignores the request's metadata
    s3.copy_object(Bucket=bucket, Key="k3", CopySource=f"{bucket}/k", Metadata={"ignored": "yes"},
                   ContentType="application/xml")
    head = s3.head_object(Bucket=bucket, Key="k3")
    assert head["Metadata"] == {"old": "1"} and head["ContentType"] == "text/plain"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="k4", CopySource=f"{bucket}/k", MetadataDirective="MERGE")
    assert _error(exc)[0] == "InvalidArgument"


def test_replaced_metadata_limits_and_storage_class(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="big", CopySource=f"{bucket}/k", MetadataDirective="REPLACE",
                       Metadata={"m": "v" * 2100})
    assert _error(exc)[0] == "MetadataTooLarge"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="odd", CopySource=f"{bucket}/k", StorageClass="SNOW")
    assert _error(exc)[0] == "InvalidStorageClass"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_tagging_directive(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="copied", CopySource=f"{bucket}/k", Tagging="ignored=1")
    assert s3.get_object_tagging(Bucket=bucket, Key="copied")["TagSet"] == [{"Key": "a", "Value": "1"}]
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=f"{bucket}/k", TaggingDirective="REPLACE",
                   Tagging="b=2&c=3")
    assert s3.get_object_tagging(Bucket=bucket, Key="replaced")["TagSet"] == [
        {"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}]
    s3.copy_object(Bucket=bucket, Key="none", CopySource=f"{bucket}/k", TaggingDirective="REPLACE")
    assert s3.get_object_tagging(Bucket=bucket, Key="none")["TagSet"] == []


def test_copy_source_conditions(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    before, after = modified - datetime.timedelta(days=1), modified + datetime.timedelta(days=1)
    ok = [dict(CopySourceIfMatch=etag), dict(CopySourceIfNoneMatch='"other"'),
          dict(CopySourceIfModifiedSince=before), dict(CopySourceIfUnmodifiedSince=after),
          # if-match true wins over if-unmodified-since false
          dict(CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=before)]
    for conditions in ok:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/k", **conditions)
    failing = [dict(CopySourceIfMatch='"other"'), dict(CopySourceIfNoneMatch=etag),
               dict(CopySourceIfModifiedSince=after), dict(CopySourceIfUnmodifiedSince=before),
               dict(CopySourceIfNoneMatch=etag, CopySourceIfModifiedSince=before)]
    for conditions in failing:
        with pytest.raises(ClientError) as exc:
            s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/k", **conditions)
        assert _error(exc)[0] == "PreconditionFailed" and _status(exc) == 412, conditions
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="dst2")


def test_copy_onto_itself(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"a": "1"})
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/k")
    code, message = _error(exc)
    assert code == "InvalidRequest" and _status(exc) == 400
    assert message == ("This copy request is illegal because it is trying to copy an object to itself without "
                       "changing the object's metadata, storage class, website redirect location or encryption "
                       "attributes.")
    s3.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/k", MetadataDirective="REPLACE",
                   Metadata={"a": "2"})
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"a": "2"}
    s3.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/k", StorageClass="STANDARD_IA")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["StorageClass"] == "STANDARD_IA" and head["Metadata"] == {"a": "2"}
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_storage_class_is_not_copied(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=bucket, Key="plain", CopySource=f"{bucket}/k")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="plain")
    s3.copy_object(Bucket=bucket, Key="ia", CopySource=f"{bucket}/k", StorageClass="ONEZONE_IA")
    listing = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert {o["Key"]: o["StorageClass"] for o in listing} == {"ia": "ONEZONE_IA", "k": "STANDARD_IA",
                                                              "plain": "STANDARD"}


def test_glacier_source_needs_a_restored_copy(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="warm", CopySource=f"{bucket}/cold")
    assert _error(exc)[0] == "InvalidObjectState" and _status(exc) == 403
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    with pytest.raises(ClientError) as exc:  # still restoring
        s3.copy_object(Bucket=bucket, Key="warm", CopySource=f"{bucket}/cold")
    assert _error(exc)[0] == "InvalidObjectState"
    server.post("/_overcast/clock", json.dumps({"advance": 3600}).encode())
    # the usual way out of GLACIER: copy the restored object onto itself in another class
    s3.copy_object(Bucket=bucket, Key="cold", CopySource=f"{bucket}/cold", StorageClass="STANDARD")
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert "StorageClass" not in head
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen"


def test_versioned_source_and_destination(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    result = s3.copy_object(Bucket=bucket, Key="old", CopySource=f"{bucket}/k?versionId={v1}")
    assert result["CopySourceVersionId"] == v1
    assert result["VersionId"] not in (v1, v2)
    assert s3.get_object(Bucket=bucket, Key="old")["Body"].read() == b"one"
    result = s3.copy_object(Bucket=bucket, Key="cur", CopySource={"Bucket": bucket, "Key": "k"})
    assert result["CopySourceVersionId"] == v2
    # restoring an old version onto its own key makes a new current version
    restored = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": v1})
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == restored["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v2)["Body"].read() == b"two"


def test_suspended_destination_and_invalid_source_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    result = s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/k")
    assert result["VersionId"] == "null"  # unlike PutObject, a copy names the null version it made
    assert result["CopySourceVersionId"] == "null"
    assert s3.head_object(Bucket=bucket, Key="d", VersionId="null")["ContentLength"] == 1
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/k?versionId=not-a-version")
    assert _error(exc)[0] == "InvalidArgument"


def test_delete_marker_sources(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/k")
    assert _error(exc)[0] == "NoSuchKey"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/k?versionId={marker}")
    assert _error(exc)[0] == "InvalidRequest" and _status(exc) == 400


def test_missing_source_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/k?versionId={version}")
    assert _error(exc)[0] == "NoSuchVersion" and _status(exc) == 404


def test_copy_keeps_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumAlgorithm="CRC32")
    crc = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["ChecksumCRC32"]
    result = s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/k")
    assert result["CopyObjectResult"]["ChecksumCRC32"] == crc
    assert s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")["ChecksumCRC32"] == crc
    result = s3.copy_object(Bucket=bucket, Key="s", CopySource=f"{bucket}/k", ChecksumAlgorithm="SHA256")
    expected = base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    assert result["CopyObjectResult"]["ChecksumSHA256"] == expected
    assert s3.head_object(Bucket=bucket, Key="s", ChecksumMode="ENABLED")["ChecksumSHA256"] == expected
    result = s3.copy_object(Bucket=bucket, Key="c32c", CopySource=f"{bucket}/k", ChecksumAlgorithm="CRC32C")
    from awscrt import checksums  # an independent CRC32C
    assert result["CopyObjectResult"]["ChecksumCRC32C"] == \
        base64.b64encode(checksums.crc32c(b"hello").to_bytes(4, "big")).decode()


def test_copy_of_multipart_object(s3, bucket):
    part = 5 * 1024 * 1024
    body = os.urandom(part) + os.urandom(1000)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=n,
                            Body=body[(n - 1) * part: n * part])["ETag"] for n in (1, 2)]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in zip((1, 2), etags)]})
    assert s3.head_object(Bucket=bucket, Key="mp")["ETag"].endswith('-2"')
    result = s3.copy_object(Bucket=bucket, Key="mp-copy", CopySource=f"{bucket}/mp")
    # S3 copies it as one object: the MD5 of its bytes, no -N
    assert result["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="mp-copy", Range="bytes=5242870-5242889")
    assert got["Body"].read() == body[5242870:5242890]
    assert hashlib.md5(s3.get_object(Bucket=bucket, Key="mp-copy")["Body"].read()).digest() == \
        hashlib.md5(body).digest()


def test_cross_account_source_is_denied(s3, bucket, aws_client):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    other = aws_client("s3", aws_access_key_id="111111111111")
    other.create_bucket(Bucket="other-account-bucket")  # a 12-digit key is that account, in either mode
    with pytest.raises(ClientError) as exc:
        other.copy_object(Bucket="other-account-bucket", Key="k", CopySource=f"{bucket}/k")
    assert _error(exc)[0] == "AccessDenied"


def test_boto3_managed_copy(s3, bucket):
    body = os.urandom(6 * 1024 * 1024)
    s3.put_object(Bucket=bucket, Key="big", Body=body)
    config = boto3.s3.transfer.TransferConfig(multipart_threshold=64 * 1024 * 1024)
    s3.copy({"Bucket": bucket, "Key": "big"}, bucket, "big-copy", Config=config)
    assert hashlib.sha256(s3.get_object(Bucket=bucket, Key="big-copy")["Body"].read()).digest() == \
        hashlib.sha256(body).digest()


def test_cli_copy_between_buckets(aws_cli, s3):
    s3.create_bucket(Bucket="cli-copy-a")
    s3.create_bucket(Bucket="cli-copy-b")
    s3.put_object(Bucket="cli-copy-a", Key="x", Body=b"from the cli", ContentType="text/plain")
    assert aws_cli("s3", "cp", "s3://cli-copy-a/x", "s3://cli-copy-b/y", check=False).returncode == 0
    got = s3.get_object(Bucket="cli-copy-b", Key="y")
    assert got["Body"].read() == b"from the cli"
    assert got["ContentType"] == "text/plain"
