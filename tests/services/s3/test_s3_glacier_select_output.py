"""Glacier Select writes every output object (job.txt, results/..., result_manifest.txt) as a
PutObject with OutputLocation.S3's ACL, encryption, tags, metadata and storage class; S3 checks
those members, the output bucket and (strict mode) the requester's s3:PutObject on it before the
job is accepted, so a refused request writes nothing."""

from __future__ import annotations

import base64
import json
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

from overcast.canonical_users import canonical_id

RESTORE_SECONDS = 5  # the default of OVERCAST_S3_RESTORE_SECONDS
CSV = b"id,name\n1,ada\n2,alan\n3,grace\n"
OTHER_ACCOUNT = "444455556666"
STRICT_ACCOUNT = "111122223333"


def _advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _request(output: dict) -> dict:
    return {"Type": "SELECT", "Tier": "Expedited",
            "SelectParameters": {"Expression": "SELECT s.name FROM S3Object s WHERE s.id > '1'",
                                 "ExpressionType": "SQL",
                                 "InputSerialization": {"CSV": {"FileHeaderInfo": "USE"}},
                                 "OutputSerialization": {"CSV": {}}},
            "OutputLocation": {"S3": {"BucketName": "results", "Prefix": "out", **output}}}


def _keys(s3, bucket: str, prefix: str = "") -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def _run(s3, server, source: str, output: dict, reader=None) -> list[str]:
    """Queue the job as ``s3``, move the cloud clock past the restore delay; the keys it wrote
    (listed by ``reader``, the output bucket's owner, when ``s3`` may not list them)."""
    path = s3.restore_object(Bucket=source, Key="cold.csv", RestoreRequest=_request(output))["RestoreOutputPath"]
    _advance(server, RESTORE_SECONDS + 1)
    for _ in range(100):  # the job runs on the server's loop right after the clock moved
        keys = _keys(reader or s3, "results", path)
        if f"{path}/result_manifest.txt" in keys:
            assert len(keys) == 3 and any("/results/" in k for k in keys), keys
            return keys
        time.sleep(0.05)
    raise AssertionError(f"{path}/result_manifest.txt never appeared")


def _error(call) -> tuple:
    with pytest.raises(ClientError) as exc:
        call()
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


@pytest.fixture
def archived(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    return bucket


def test_grants_apply_to_every_output_object(s3, archived, server):
    s3.create_bucket(Bucket="results", ObjectOwnership="ObjectWriter")
    other = canonical_id(OTHER_ACCOUNT)
    grants = [{"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ"},
              {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ_ACP"}]
    for key in _run(s3, server, archived, {"AccessControlList": grants}):
        acl = s3.get_object_acl(Bucket="results", Key=key)
        got = sorted((g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"])
        assert got == sorted([(other, "READ"), (other, "READ_ACP")]), (key, acl["Grants"])


def test_canned_acl_applies_to_every_output_object(s3, archived, server):
    s3.create_bucket(Bucket="results", ObjectOwnership="ObjectWriter")
    owner = s3.get_bucket_acl(Bucket="results")["Owner"]["ID"]
    for key in _run(s3, server, archived, {"CannedACL": "bucket-owner-read"}):
        grants = s3.get_object_acl(Bucket="results", Key=key)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and grants[0]["Grantee"]["ID"] == owner


def test_sse_kms_tags_metadata_and_storage_class_apply_to_every_output_object(s3, aws_client, archived, server):
    s3.create_bucket(Bucket="results")
    key = aws_client("kms").create_key()["KeyMetadata"]
    context = base64.b64encode(json.dumps({"job": "select"}).encode()).decode()
    output = {"Encryption": {"EncryptionType": "aws:kms", "KMSKeyId": key["KeyId"], "KMSContext": context},
              "Tagging": {"TagSet": [{"Key": "kind", "Value": "select result"}, {"Key": "team", "Value": "a+b"}]},
              "UserMetadata": [{"Name": "origin", "Value": "glacier"}], "StorageClass": "STANDARD_IA"}
    for name in _run(s3, server, archived, output):
        head = s3.head_object(Bucket="results", Key=name)
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key["Arn"]
        assert head["StorageClass"] == "STANDARD_IA" and head["Metadata"] == {"origin": "glacier"}
        assert s3.get_object_tagging(Bucket="results", Key=name)["TagSet"] == [
            {"Key": "kind", "Value": "select result"}, {"Key": "team", "Value": "a+b"}]
        body = s3.get_object(Bucket="results", Key=name)["Body"].read()  # decrypted through KMS as any GET
        if "/results/" in name:
            assert body == b"alan\ngrace\n"


def test_sse_s3_applies_to_every_output_object(s3, archived, server):
    s3.create_bucket(Bucket="results")
    for name in _run(s3, server, archived, {"Encryption": {"EncryptionType": "AES256"}}):
        head = s3.head_object(Bucket="results", Key=name)
        assert head["ServerSideEncryption"] == "AES256" and "StorageClass" not in head


@pytest.mark.parametrize("output, expected", [
    ({"CannedACL": "everyone-reads"}, (400, "InvalidArgument", None)),
    ({"CannedACL": "private", "AccessControlList": [
        {"Grantee": {"Type": "CanonicalUser", "ID": canonical_id(OTHER_ACCOUNT)}, "Permission": "READ"}]},
     (400, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")),
    ({"AccessControlList": [{"Grantee": {"Type": "CanonicalUser", "ID": "not-an-id"}, "Permission": "READ"}]},
     (400, "InvalidArgument", "Invalid id")),
    ({"AccessControlList": [{"Grantee": {"Type": "Group", "URI": "http://example.com/g"}, "Permission": "READ"}]},
     (400, "InvalidArgument", "Invalid group uri")),
    ({"AccessControlList": [{"Grantee": {"Type": "Robot", "ID": "x"}, "Permission": "READ"}]},
     (400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published "
                           "schema")),
    ({"AccessControlList": [{"Grantee": {"Type": "CanonicalUser", "ID": canonical_id(OTHER_ACCOUNT)},
                             "Permission": "EVERYTHING"}]},
     (400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published "
                           "schema")),
    ({"Encryption": {"EncryptionType": "AES512"}},
     (400, "InvalidArgument", "The encryption method specified is not supported")),
    ({"Encryption": {"EncryptionType": "AES256", "KMSKeyId": "alias/aws/s3"}},
     (400, "InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header "
                              "x-amz-server-side-encryption : aws:kms")),
    ({"Encryption": {"EncryptionType": "aws:kms", "KMSContext": "not json"}},
     (400, "InvalidArgument", "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 "
                              "string holding JSON which represents a string-string map")),
    ({"Tagging": {"TagSet": [{"Key": "k", "Value": "v" * 257}]}}, (400, "InvalidTag", None)),
    ({"Prefix": "p" * 1000}, (400, "KeyTooLongError", "Your key is too long")),
    ({"StorageClass": "FROZEN"}, (400, "InvalidStorageClass", "The storage class you specified is not valid")),
    ({"UserMetadata": [{"Name": "big", "Value": "x" * 2100}]},
     (400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.")),
])
def test_output_location_is_checked_before_the_job_starts(s3, archived, server, output, expected):
    s3.create_bucket(Bucket="results", ObjectOwnership="ObjectWriter")
    status, code, message = _error(lambda: s3.restore_object(Bucket=archived, Key="cold.csv",
                                                             RestoreRequest=_request(output)))
    assert (status, code) == expected[:2], message
    if expected[2] is not None:
        assert message == expected[2]
    _assert_only_a_later_job_writes(s3, server, archived)


def _assert_only_a_later_job_writes(s3, server, source: str) -> None:
    """Nothing was queued: a job accepted afterwards (due after any earlier one) is the only
    writer once it has finished."""
    keys = _run(s3, server, source, {})
    assert _keys(s3, "results") == keys


def test_acl_on_a_bucket_with_acls_disabled_is_refused(s3, archived):
    s3.create_bucket(Bucket="results")  # new buckets: BucketOwnerEnforced
    grants = [{"Grantee": {"Type": "CanonicalUser", "ID": canonical_id(OTHER_ACCOUNT)}, "Permission": "READ"}]
    status, code, message = _error(lambda: s3.restore_object(
        Bucket=archived, Key="cold.csv", RestoreRequest=_request({"AccessControlList": grants})))
    assert (status, code, message) == (400, "AccessControlListNotSupported", "The bucket does not allow ACLs")


def test_output_bucket_in_another_region_is_refused(s3, aws_client, archived):
    aws_client("s3", region="us-west-2").create_bucket(
        Bucket="results", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    status, code, _ = _error(lambda: s3.restore_object(Bucket=archived, Key="cold.csv", RestoreRequest=_request({})))
    assert (status, code) == (400, "InvalidRequest")
    assert _keys(s3, "results") == []


# -- strict mode: the requester must be allowed to write the output ------------------------------

@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-glacier-output")), "--strict").start()
    yield proc
    proc.stop()


def _client(server, service: str, access_key: str, secret: str = "test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=access_key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))


def _user(server, name: str, statements: list[dict]):
    iam = _client(server, "iam", STRICT_ACCOUNT)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    return _client(server, "s3", access["AccessKeyId"], access["SecretAccessKey"])


def test_strict_requester_without_put_object_on_the_output_is_denied(strict):
    strict.post("/_overcast/reset")
    root = _client(strict, "s3", STRICT_ACCOUNT)
    root.create_bucket(Bucket="archive")
    root.create_bucket(Bucket="results")
    root.put_object(Bucket="archive", Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    read_only = _user(strict, "restorer", [{"Effect": "Allow", "Action": ["s3:RestoreObject", "s3:GetObject"],
                                            "Resource": "*"}])
    status, code, message = _error(lambda: read_only.restore_object(Bucket="archive", Key="cold.csv",
                                                                    RestoreRequest=_request({})))
    assert (status, code) == (403, "AccessDenied")
    assert message.startswith(f"User: arn:aws:iam::{STRICT_ACCOUNT}:user/restorer is not authorized to perform: "
                              f's3:PutObject on resource: "arn:aws:s3:::results/out/')
    # allowed to write under the prefix: the job runs and writes as that requester (and is the
    # only job that ever wrote there)
    writer = _user(strict, "writer", [
        {"Effect": "Allow", "Action": ["s3:RestoreObject", "s3:GetObject", "s3:ListBucket"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectTagging"],
         "Resource": "arn:aws:s3:::results/out/*"}])
    keys = _run(writer, strict, "archive", {"Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}})
    assert _keys(root, "results") == keys
    result = next(k for k in keys if "/results/" in k)
    assert root.get_object(Bucket="results", Key=result)["Body"].read() == b"alan\ngrace\n"
    # SSE-KMS output: the job asks KMS for the data keys as the requester, who may use the key
    key = _client(strict, "kms", STRICT_ACCOUNT).create_key()["KeyMetadata"]
    kms_writer = _user(strict, "kms-writer", [
        {"Effect": "Allow", "Action": ["s3:RestoreObject", "s3:GetObject", "s3:PutObject", "s3:ListBucket",
                                       "kms:GenerateDataKey"], "Resource": "*"}])
    keys = _run(kms_writer, strict, "archive", {"Prefix": "kms", "Encryption": {"EncryptionType": "aws:kms",
                                                                                 "KMSKeyId": key["KeyId"]}})
    assert all(root.head_object(Bucket="results", Key=k)["SSEKMSKeyId"] == key["Arn"] for k in keys)
    # a condition on the written object's members sees them (s3:x-amz-storage-class)
    picky = _user(strict, "picky", [
        {"Effect": "Allow", "Action": ["s3:RestoreObject", "s3:GetObject", "s3:PutObject"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
         "Condition": {"StringEquals": {"s3:x-amz-storage-class": "REDUCED_REDUNDANCY"}}}])
    assert _error(lambda: picky.restore_object(Bucket="archive", Key="cold.csv", RestoreRequest=_request(
        {"StorageClass": "REDUCED_REDUNDANCY"})))[:2] == (403, "AccessDenied")


def test_strict_output_to_another_accounts_bucket_its_policy_lets_write(strict):
    strict.post("/_overcast/reset")
    root = _client(strict, "s3", STRICT_ACCOUNT)
    other = _client(strict, "s3", OTHER_ACCOUNT)
    root.create_bucket(Bucket="archive")
    root.put_object(Bucket="archive", Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    other.create_bucket(Bucket="results")
    # without a grant from the bucket's owner the requester may not write there
    assert _error(lambda: root.restore_object(Bucket="archive", Key="cold.csv",
                                              RestoreRequest=_request({})))[:3] == (403, "AccessDenied", "Access Denied")
    other.put_bucket_policy(Bucket="results", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STRICT_ACCOUNT}:root"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::results/out/*"}]}))
    keys = _run(root, strict, "archive", {}, reader=other)
    result = next(k for k in keys if "/results/" in k)
    assert other.get_object(Bucket="results", Key=result)["Body"].read() == b"alan\ngrace\n"
