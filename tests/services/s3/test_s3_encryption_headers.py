"""S3 default encryption as every object write and read reports it: SSE-S3 unless the request
or the bucket's default rule names a KMS mode; the mode is kept with each version and upload."""

from __future__ import annotations

import base64
import json
import re

import pytest
import requests
from botocore.exceptions import ClientError

KMS_ARN = re.compile(r"^arn:aws:kms:us-east-1:000000000000:key/[0-9a-f-]{36}$")
PART = 5 * 1024 * 1024


def _error(exc) -> dict:
    return exc.value.response["Error"]


def test_every_write_and_read_answers_sse_s3(s3, bucket):
    assert s3.put_object(Bucket=bucket, Key="a", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="a")["ServerSideEncryption"] == "AES256"
    head = s3.head_object(Bucket=bucket, Key="a")
    assert head["ServerSideEncryption"] == "AES256"
    assert "SSEKMSKeyId" not in head and "BucketKeyEnabled" not in head
    copied = s3.copy_object(Bucket=bucket, Key="b", CopySource=f"{bucket}/a")
    assert copied["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="b")["ServerSideEncryption"] == "AES256"


def test_requested_kms_is_kept_and_reported(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    assert put["ServerSideEncryption"] == "aws:kms" and KMS_ARN.match(put["SSEKMSKeyId"])
    head = s3.head_object(Bucket=bucket, Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", put["SSEKMSKeyId"])
    # the account's aws/s3 key: the same ARN every time
    again = s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms")
    assert again["SSEKMSKeyId"] == put["SSEKMSKeyId"]
    # a plain overwrite goes back to SSE-S3
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")
    assert "SSEKMSKeyId" not in s3.head_object(Bucket=bucket, Key="k")


def test_named_key_bucket_key_and_context(s3, aws_client, bucket):
    kms = aws_client("kms")
    key = kms.create_key()["KeyMetadata"]
    context = base64.b64encode(json.dumps({"project": "blue"}).encode()).decode()
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"],
                        BucketKeyEnabled=True, SSEKMSEncryptionContext=context)
    assert put["SSEKMSKeyId"] == key["Arn"]
    assert put["BucketKeyEnabled"] is True and put["SSEKMSEncryptionContext"] == context
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["SSEKMSKeyId"] == key["Arn"] and got["BucketKeyEnabled"] is True
    dsse = s3.put_object(Bucket=bucket, Key="d", Body=b"x", ServerSideEncryption="aws:kms:dsse",
                         SSEKMSKeyId=key["Arn"])
    assert (dsse["ServerSideEncryption"], dsse["SSEKMSKeyId"]) == ("aws:kms:dsse", key["Arn"])
    assert s3.head_object(Bucket=bucket, Key="d")["ServerSideEncryption"] == "aws:kms:dsse"


def test_bucket_default_rule_applies_to_writes(s3, aws_client, bucket):
    kms = aws_client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/team", TargetKeyId=key["KeyId"])
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/team"},
         "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms" and put["BucketKeyEnabled"] is True
    assert put["SSEKMSKeyId"] == key["Arn"]  # S3 answers the key an alias names
    # the request's own mode wins over the rule
    assert s3.put_object(Bucket=bucket, Key="s", Body=b"x", ServerSideEncryption="AES256")[
        "ServerSideEncryption"] == "AES256"
    s3.delete_bucket_encryption(Bucket=bucket)
    assert s3.put_object(Bucket=bucket, Key="after", Body=b"x")["ServerSideEncryption"] == "AES256"
    # what the earlier write chose stays with that object
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "aws:kms"


def test_copy_takes_the_destination_mode(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", ServerSideEncryption="aws:kms")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")
    assert copied["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in copied
    # re-encrypting in place is a change S3 allows as a self-copy
    again = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/dst", ServerSideEncryption="aws:kms")
    assert again["ServerSideEncryption"] == "aws:kms"
    assert s3.head_object(Bucket=bucket, Key="dst")["ServerSideEncryption"] == "aws:kms"


def test_multipart_upload_keeps_its_mode(s3, bucket):
    created = s3.create_multipart_upload(Bucket=bucket, Key="big", ServerSideEncryption="aws:kms",
                                         BucketKeyEnabled=True)
    assert created["ServerSideEncryption"] == "aws:kms" and KMS_ARN.match(created["SSEKMSKeyId"])
    upload = created["UploadId"]
    part1 = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"a" * PART)
    assert (part1["ServerSideEncryption"], part1["SSEKMSKeyId"]) == ("aws:kms", created["SSEKMSKeyId"])
    assert part1["BucketKeyEnabled"] is True
    s3.put_object(Bucket=bucket, Key="src", Body=b"tail")
    part2 = s3.upload_part_copy(Bucket=bucket, Key="big", UploadId=upload, PartNumber=2, CopySource=f"{bucket}/src")
    assert part2["ServerSideEncryption"] == "aws:kms"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": part1["ETag"]}, {"PartNumber": 2, "ETag": part2["CopyPartResult"]["ETag"]}]})
    assert done["ServerSideEncryption"] == "aws:kms" and done["SSEKMSKeyId"] == created["SSEKMSKeyId"]
    head = s3.head_object(Bucket=bucket, Key="big")
    assert head["ServerSideEncryption"] == "aws:kms" and head["BucketKeyEnabled"] is True


def test_multipart_defaults_to_sse_s3(s3, bucket):
    created = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert created["ServerSideEncryption"] == "AES256"
    part = s3.upload_part(Bucket=bucket, Key="m", UploadId=created["UploadId"], PartNumber=1, Body=b"x")
    assert part["ServerSideEncryption"] == "AES256"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=created["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize("headers, name, value, message", [
    ({"x-amz-server-side-encryption": "AES128"}, "x-amz-server-side-encryption", "AES128",
     "The encryption method specified is not supported"),
    ({"x-amz-server-side-encryption": "AES256", "x-amz-server-side-encryption-aws-kms-key-id": "abc"},
     "x-amz-server-side-encryption-aws-kms-key-id", "abc",
     "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"),
    ({"x-amz-server-side-encryption-aws-kms-key-id": "abc"}, "x-amz-server-side-encryption-aws-kms-key-id", "abc",
     "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"),
])
def test_invalid_sse_headers_are_refused(s3, bucket, headers, name, value, message):
    def add_headers(request, **_):
        for name_, value_ in headers.items():
            request.headers[name_] = value_

    s3.meta.events.register("before-sign.s3.PutObject", add_headers)
    try:
        with pytest.raises(ClientError) as exc:
            s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", add_headers)
    error = _error(exc)
    assert (error["Code"], error["Message"], error["ArgumentName"]) == ("InvalidArgument", message, name)
    assert error["ArgumentValue"] == value
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")  # nothing was stored


def test_sse_with_customer_key_is_incompatible(s3, bucket):
    key = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256",
                      SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert _error(exc)["Code"] == "InvalidArgument"
    assert _error(exc)["Message"] == ("Server Side Encryption with Customer provided key is incompatible with the "
                                      "encryption method specified")


def test_customer_key_writes_report_no_sse_s3(s3, bucket):
    key = b"k" * 32  # botocore base64-encodes the raw key (and adds its MD5)
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert "ServerSideEncryption" not in put  # not SSE-S3: the customer's key
    head = s3.head_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert "ServerSideEncryption" not in head
    assert head["SSECustomerAlgorithm"] == "AES256"


def test_post_form_upload_reports_encryption(s3, bucket, endpoint):
    post = s3.generate_presigned_post(bucket, "form.txt", Fields={"x-amz-server-side-encryption": "aws:kms"},
                                      Conditions=[{"x-amz-server-side-encryption": "aws:kms"}])
    answer = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", b"hello")}, timeout=10)
    assert answer.status_code == 204, answer.text
    assert answer.headers["x-amz-server-side-encryption"] == "aws:kms"
    assert KMS_ARN.match(answer.headers["x-amz-server-side-encryption-aws-kms-key-id"])
    assert s3.head_object(Bucket=bucket, Key="form.txt")["ServerSideEncryption"] == "aws:kms"
    plain = s3.generate_presigned_post(bucket, "plain.txt")
    answer = requests.post(plain["url"], data=plain["fields"], files={"file": ("plain.txt", b"x")}, timeout=10)
    assert answer.headers["x-amz-server-side-encryption"] == "AES256"


def test_versions_keep_their_own_mode(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"1", ServerSideEncryption="aws:kms")["VersionId"]
    s3.put_object(Bucket=bucket, Key="v", Body=b"2")
    assert s3.head_object(Bucket=bucket, Key="v")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="v", VersionId=first)["ServerSideEncryption"] == "aws:kms"


def test_cli_reports_the_mode(aws_cli, bucket, tmp_path):
    source = tmp_path / "f.txt"
    source.write_bytes(b"cli")
    assert aws_cli("s3", "cp", str(source), f"s3://{bucket}/plain.txt", check=False).returncode == 0
    assert aws_cli("s3", "cp", str(source), f"s3://{bucket}/kms.txt", "--sse", "aws:kms", check=False).returncode == 0
    assert aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "plain.txt")["ServerSideEncryption"] == "AES256"
    head = aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "kms.txt")
    assert head["ServerSideEncryption"] == "aws:kms" and KMS_ARN.match(head["SSEKMSKeyId"])
