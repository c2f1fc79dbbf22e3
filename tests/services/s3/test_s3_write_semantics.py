"""Writes as S3 answers them: conditional-write headers S3 does not implement, conditional
Completes that conflict, version ids (made up, deleted, on delete markers, in listings),
copies onto themselves and copy ranges, and parts uploaded twice at once."""

from __future__ import annotations

import datetime
import hashlib
import http.client
import time
from urllib.parse import urlparse

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

MIB = 1024 * 1024
SELF_COPY = ("This copy request is illegal because it is trying to copy an object to itself without changing the "
             "object's metadata, storage class, website redirect location or encryption attributes.")
RANGE_FORM = ("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
              "zero-based offsets of the first and last bytes to copy")


def _signed(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> dict:
    signed = {"x-amz-content-sha256": hashlib.sha256(body).hexdigest(), **(headers or {})}
    request = AWSRequest(method=method, url=endpoint + path, data=body, headers=signed)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _raw(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    return requests.request(method, endpoint + path, data=body, timeout=30,
                            headers=_signed(endpoint, method, path, body, headers))


def _error(caught) -> dict:
    error = caught.value.response["Error"]
    return {**error, "Status": caught.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def _fails(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return _error(caught)


# -- conditional writes ------------------------------------------------------------------------

@pytest.mark.parametrize("conditions,header,detail", [
    ({"IfNoneMatch": '"abc"'}, "If-None-Match",
     "We don't accept the provided value of If-None-Match header for this API"),
    ({"IfMatch": "*"}, "If-Match", "We don't accept the provided value of If-Match header for this API"),
    ({"IfMatch": '"abc"', "IfNoneMatch": "*"}, "If-Match,If-None-Match",
     "Multiple conditional request headers present in the request"),
])
def test_unsupported_write_conditions_are_not_implemented(s3, bucket, conditions, header, detail):
    # before the key is looked up: the key does not exist, yet the answer is 501, not 404
    error = _fails(s3.put_object, Bucket=bucket, Key="absent", Body=b"x", **conditions)
    assert (error["Code"], error["Status"], error["Header"], error["additionalMessage"]) == (
        "NotImplemented", 501, header, detail)
    assert error["Message"] == "A header you provided implies functionality that is not implemented"
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    error = _fails(s3.copy_object, Bucket=bucket, Key="absent", CopySource=f"{bucket}/src", **conditions)
    assert (error["Code"], error["Header"]) == ("NotImplemented", header)


def _one_part_upload(s3, bucket, key):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    return upload, {"Parts": [{"PartNumber": 1, "ETag": etag}]}


def test_conditional_complete_after_the_key_changed_conflicts(s3, bucket):
    upload, parts = _one_part_upload(s3, bucket, "k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"written meanwhile")
    s3.delete_object(Bucket=bucket, Key="k")
    error = _fails(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts,
                   IfNoneMatch="*")
    assert (error["Code"], error["Status"], error["Condition"], error["Key"]) == (
        "ConditionalRequestConflict", 409, "If-None-Match", "k")
    assert error["Message"] == ("The conditional request cannot succeed due to a conflicting operation against "
                                "this resource.")
    # without a condition the upload still completes
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"part"


def test_conditional_complete_with_an_untouched_key_succeeds(s3, bucket):
    s3.put_object(Bucket=bucket, Key="other", Body=b"x")  # another key's writes do not matter
    upload, parts = _one_part_upload(s3, bucket, "k")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts, IfNoneMatch="*")
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"]
    upload, parts = _one_part_upload(s3, bucket, "k")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts, IfMatch=etag)


def test_conditional_complete_if_match_after_overwrite_conflicts(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    upload, parts = _one_part_upload(s3, bucket, "k")
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v2")["ETag"]
    error = _fails(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts,
                   IfMatch=etag)
    assert (error["Code"], error["Condition"]) == ("ConditionalRequestConflict", "If-Match")


def test_conditional_complete_if_match_star_is_not_implemented(s3, bucket):
    upload, parts = _one_part_upload(s3, bucket, "k")
    error = _fails(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts,
                   IfMatch="*")
    assert (error["Code"], error["Status"]) == ("NotImplemented", 501)


def test_if_modified_since_in_the_future_is_ignored(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    header = future.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert _raw(endpoint, "GET", f"/{bucket}/k", headers={"If-Modified-Since": header}).status_code == 200
    past = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1) - datetime.timedelta(
        days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert _raw(endpoint, "GET", f"/{bucket}/k", headers={"If-Modified-Since": past}).status_code == 200


# -- version ids ---------------------------------------------------------------------------------

def _versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


@pytest.mark.parametrize("version_id", ["not-a-version", "A" * 32])
def test_made_up_version_ids_are_invalid(s3, bucket, version_id):
    _versioned(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for name in ("get_object", "head_object", "delete_object", "get_object_tagging"):
        with pytest.raises(ClientError) as caught:
            getattr(s3, name)(Bucket=bucket, Key="k", VersionId=version_id)
        assert _error(caught)["Status"] == 400
        if name != "head_object":  # a HEAD answer has no body to carry the code
            assert (_error(caught)["Code"], _error(caught)["Message"]) == ("InvalidArgument",
                                                                           "Invalid version id specified")
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": version_id}]})
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("k", "NoSuchVersion")]


def test_a_deleted_version_id_is_no_such_version(s3, bucket):
    _versioned(s3, bucket)
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    error = _fails(s3.get_object, Bucket=bucket, Key="k", VersionId=version)
    assert (error["Code"], error["Status"]) == ("NoSuchVersion", 404)
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=version)["VersionId"] == version  # idempotent


def test_sub_resources_of_a_delete_marker_are_method_not_allowed(s3, bucket):
    _versioned(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    calls = [(s3.get_object_tagging, {}), (s3.get_object_acl, {}),
             (s3.get_object_attributes, {"ObjectAttributes": ["ETag"]}),
             (s3.put_object_tagging, {"Tagging": {"TagSet": []}})]
    for call, extra in calls:
        error = _fails(call, Bucket=bucket, Key="k", VersionId=marker, **extra)
        assert (error["Code"], error["Status"]) == ("MethodNotAllowed", 405)
    error = _fails(s3.put_object_tagging, Bucket=bucket, Key="k", VersionId=marker, Tagging={"TagSet": []})
    assert error["Method"] == "PUT"


def test_no_expiration_header_on_reads_by_version_id(s3, bucket):
    _versioned(s3, bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 5}}]})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    assert "Expiration" in s3.head_object(Bucket=bucket, Key="k")
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="k", VersionId=version)
    assert "Expiration" not in s3.get_object(Bucket=bucket, Key="k", VersionId=version)


def test_a_deleted_version_id_marker_still_pages_versions(s3, bucket):
    _versioned(s3, bucket)
    versions = [s3.put_object(Bucket=bucket, Key="k", Body=b"%d" % n)["VersionId"] for n in range(4)]
    last = s3.put_object(Bucket=bucket, Key="l", Body=b"x")["VersionId"]
    first_page = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
    assert first_page["NextVersionIdMarker"] == versions[2]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=versions[2])
    page = s3.list_object_versions(Bucket=bucket, KeyMarker="k", VersionIdMarker=versions[2])
    assert [(v["Key"], v["VersionId"]) for v in page["Versions"]] == [("k", versions[1]), ("k", versions[0]),
                                                                        ("l", last)]
    error = _fails(s3.list_object_versions, Bucket=bucket, KeyMarker="k", VersionIdMarker="B" * 32)
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Invalid version id specified")


# -- copies ------------------------------------------------------------------------------------

def test_copy_into_a_suspended_bucket_names_the_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")["VersionId"] == "null"


@pytest.mark.parametrize("versioning", [None, "Enabled"])
def test_copy_onto_itself_without_a_change_is_illegal(s3, bucket, versioning):
    if versioning:
        _versioned(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="STANDARD_IA", Metadata={"a": "1"})
    # the request changes nothing, even though STANDARD (the default) differs from the object's class
    error = _fails(s3.copy_object, Bucket=bucket, Key="k", CopySource=f"{bucket}/k")
    assert (error["Code"], error["Message"]) == ("InvalidRequest", SELF_COPY)
    error = _fails(s3.copy_object, Bucket=bucket, Key="k", CopySource=f"{bucket}/k", MetadataDirective="COPY")
    assert error["Message"] == SELF_COPY
    # the destination's preconditions are answered first
    error = _fails(s3.copy_object, Bucket=bucket, Key="k", CopySource=f"{bucket}/k", IfMatch='"nope"')
    assert (error["Code"], error["Status"]) == ("PreconditionFailed", 412)


@pytest.mark.parametrize("change", [
    {"MetadataDirective": "REPLACE"}, {"StorageClass": "STANDARD_IA"}, {"WebsiteRedirectLocation": "/elsewhere"},
    {"ServerSideEncryption": "AES256"}, {"ChecksumAlgorithm": "SHA256"}])
def test_copy_onto_itself_with_a_change_in_the_request(s3, bucket, change):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/k", **change)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_copy_onto_itself_in_a_bucket_with_default_encryption(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/k")


def test_plus_in_copy_source_is_a_space(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="a b", Body=b"spaced")
    response = _raw(endpoint, "PUT", f"/{bucket}/dst", headers={"x-amz-copy-source": f"/{bucket}/a+b"})
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"spaced"


@pytest.mark.parametrize("copy_range,code,message", [
    ("bytes=0-100", "InvalidArgument", "Range specified is not valid for source object of size: 10"),
    ("bytes=20-30", "InvalidRequest", "The specified copy range is invalid for the source object size"),
    ("bytes=5-2", "InvalidArgument", RANGE_FORM),
    ("bytes=0-", "InvalidArgument", RANGE_FORM),
    ("items=0-1", "InvalidArgument", RANGE_FORM),
])
def test_upload_part_copy_range_errors(s3, bucket, copy_range, code, message):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    error = _fails(s3.upload_part_copy, Bucket=bucket, Key="k", UploadId=upload, PartNumber=1,
                   CopySource=f"{bucket}/src", CopySourceRange=copy_range)
    assert (error["Code"], error["Message"], error["Status"]) == (code, message, 400)


# -- parts -------------------------------------------------------------------------------------

def test_the_part_upload_that_finishes_last_is_the_part(s3, bucket, endpoint):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    path = f"/{bucket}/k?partNumber=1&uploadId={upload}"
    slow = b"A" * (6 * MIB)
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in _signed(endpoint, "PUT", path, slow, {"Content-Length": str(len(slow))}).items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(slow[: len(slow) // 2])  # the first upload of part 1 is streaming
    fast = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"B" * (6 * MIB))["ETag"]
    conn.send(slow[len(slow) // 2:])
    response = conn.getresponse()
    assert response.status == 200
    last = response.getheader("ETag")
    response.read()
    conn.close()
    assert last != fast
    assert [p["ETag"] for p in s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"]] == [last]
    tail = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=2, Body=b"tail")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": last}, {"PartNumber": 2, "ETag": tail}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == slow + b"tail"


def test_a_small_single_part_upload_completes(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=7, Body=b"abc")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 7, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"abc"


def test_a_repeated_complete_succeeds_again(s3, bucket):
    upload, parts = _one_part_upload(s3, bucket, "k")
    first = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts)
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts)
    assert {name: again[name] for name in ("ETag", "Key", "Bucket", "ChecksumCRC64NVME")} == {
        name: first[name] for name in ("ETag", "Key", "Bucket", "ChecksumCRC64NVME")}
    other = {"Parts": [{"PartNumber": 2, "ETag": parts["Parts"][0]["ETag"]}]}
    error = _fails(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=other)
    assert (error["Code"], error["Status"]) == ("NoSuchUpload", 404)
    s3.delete_object(Bucket=bucket, Key="k")
    error = _fails(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts)
    assert error["Code"] == "NoSuchUpload"
