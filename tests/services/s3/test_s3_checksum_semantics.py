"""Checksums as S3 answers them: malformed values, checksum mode, part and range reads, form
uploads, CompleteMultipartUpload's checksum rules, GetObjectAttributes, copies of multipart
objects, and the error details (BadDigest, unsupported algorithms, Complete's error shapes)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from overcast.services.s3.checksums import checksum_of

MIB = 1024 * 1024
UNSUPPORTED = ("Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
               "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")


def _raw(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """A SigV4-signed request boto3 cannot send in this shape."""
    signed = {"x-amz-content-sha256": hashlib.sha256(body).hexdigest(), **(headers or {})}
    request = AWSRequest(method=method, url=endpoint + path, data=body, headers=signed)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return requests.request(method, endpoint + path, data=body, headers=dict(request.headers.items()), timeout=30)


def _xml(response, name: str) -> str | None:
    found = re.search(f"<{name}>(.*?)</{name}>", response.text, re.S)
    return found.group(1) if found else None


def _error(caught) -> dict:
    error = caught.value.response["Error"]
    return {**error, "Status": caught.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def _checksum_headers(response) -> dict:
    return {name: value for name, value in response.headers.items() if name.lower().startswith("x-amz-checksum")}


@pytest.mark.parametrize("value", ["not base64!", "AAAA", base64.b64encode(b"x" * 5).decode()])
def test_malformed_checksum_value_is_invalid_request(s3, bucket, endpoint, value):
    response = _raw(endpoint, "PUT", f"/{bucket}/k", b"data", {"x-amz-checksum-crc32": value})
    assert response.status_code == 400
    assert _xml(response, "Code") == "InvalidRequest"
    assert _xml(response, "Message") == "Value for x-amz-checksum-crc32 header is invalid."
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_checksum_mode_is_case_insensitive(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello world", ChecksumAlgorithm="SHA256")
    for mode in ("enabled", "Enabled", "ENABLED"):
        response = _raw(endpoint, "HEAD", f"/{bucket}/k", headers={"x-amz-checksum-mode": mode})
        assert response.headers["x-amz-checksum-sha256"] == checksum_of("SHA256", b"hello world")
    assert "x-amz-checksum-sha256" not in _raw(endpoint, "HEAD", f"/{bucket}/k").headers


def test_ranged_get_has_the_checksum_only_when_it_covers_the_object(s3, bucket):
    body = b"0123456789"
    s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm="CRC32")
    whole = s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-", ChecksumMode="ENABLED")
    assert whole["ChecksumCRC32"] == checksum_of("CRC32", body)
    beyond = s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-100", ChecksumMode="ENABLED")
    assert beyond["ChecksumCRC32"] == checksum_of("CRC32", body)
    part = s3.get_object(Bucket=bucket, Key="k", Range="bytes=2-5", ChecksumMode="ENABLED")
    assert part["Body"].read() == b"2345"
    assert "ChecksumCRC32" not in part and "ChecksumType" not in part


def _multipart(s3, bucket, key, parts, **create):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        extra = {"ChecksumAlgorithm": create["ChecksumAlgorithm"]} if "ChecksumAlgorithm" in create else {}
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=data, **extra)
        done.append({"PartNumber": number, "ETag": answer["ETag"],
                     **{name: value for name, value in answer.items() if name.startswith("Checksum")}})
    return upload, done


def test_part_number_read_returns_the_part_checksum_of_a_composite_object(s3, bucket):
    parts = [b"a" * (5 * MIB), b"tail"]
    upload, done = _multipart(s3, bucket, "k", parts, ChecksumAlgorithm="SHA256")
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    second = s3.head_object(Bucket=bucket, Key="k", PartNumber=2, ChecksumMode="ENABLED")
    assert second["ChecksumSHA256"] == checksum_of("SHA256", b"tail")
    assert second["PartsCount"] == 2


def test_part_number_read_of_a_single_part_object_returns_its_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"single", ChecksumAlgorithm="CRC32C")
    answer = s3.get_object(Bucket=bucket, Key="k", PartNumber=1, ChecksumMode="ENABLED")
    assert answer["ChecksumCRC32C"] == checksum_of("CRC32C", b"single")


@pytest.mark.open_mode_only  # an unsigned form upload: strict mode needs a signed policy
def test_post_form_upload_gets_the_default_crc64nvme(s3, bucket, endpoint):
    response = requests.post(f"{endpoint}/{bucket}", data={"key": "form"}, files={"file": ("f", b"form body")},
                             timeout=30)
    assert response.status_code == 204, response.text
    head = s3.head_object(Bucket=bucket, Key="form", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == checksum_of("CRC64NVME", b"form body")
    assert head["ChecksumType"] == "FULL_OBJECT"


def test_complete_checksum_type_must_match_the_upload(s3, bucket):
    upload, done = _multipart(s3, bucket, "k", [b"x"])
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done},
                                     ChecksumType="FULL_OBJECT")
    assert _error(caught)["Message"] == ("The upload was created using the null checksum mode. The complete "
                                         "request must use the same checksum mode.")
    upload, done = _multipart(s3, bucket, "c", [b"x"], ChecksumAlgorithm="CRC32")
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="c", UploadId=upload, MultipartUpload={"Parts": done},
                                     ChecksumType="FULL_OBJECT")
    assert "created using the COMPOSITE checksum mode" in _error(caught)["Message"]


def test_composite_complete_needs_every_part_checksum(s3, bucket):
    upload, done = _multipart(s3, bucket, "k", [b"x"], ChecksumAlgorithm="CRC32")
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": done[0]["ETag"]}]})
    assert _error(caught)["Code"] == "InvalidRequest"
    assert "It was missing for part 1 in the request." in _error(caught)["Message"]


def test_full_object_checksum_given_at_complete(s3, bucket):
    data = [b"a" * (5 * MIB), b"b" * 10]
    whole = checksum_of("CRC32", b"".join(data))
    upload, done = _multipart(s3, bucket, "k", data, ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    for wrong in ({"ChecksumCRC32": checksum_of("CRC32", b"other"), "ChecksumType": "FULL_OBJECT"},
                  {"ChecksumCRC32": whole},  # without x-amz-checksum-type
                  {"ChecksumSHA256": checksum_of("SHA256", b"x"), "ChecksumType": "FULL_OBJECT"}):
        with pytest.raises(ClientError) as caught:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done},
                                         **wrong)
        assert _error(caught)["Code"] == "BadDigest"
        assert _error(caught)["Message"] == "The crc32 you specified did not match the calculated checksum."
    answer = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done},
                                          ChecksumCRC32=whole, ChecksumType="FULL_OBJECT")
    assert answer["ChecksumCRC32"] == whole and answer["ChecksumType"] == "FULL_OBJECT"


def test_object_attributes_of_composite_and_full_object_uploads(s3, bucket):
    data = [b"a" * (5 * MIB), b"tail"]
    upload, done = _multipart(s3, bucket, "composite", data, ChecksumAlgorithm="SHA1")
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="composite", UploadId=upload,
                                             MultipartUpload={"Parts": done})
    assert completed["ChecksumSHA1"].endswith("-2")
    attributes = s3.get_object_attributes(Bucket=bucket, Key="composite",
                                          ObjectAttributes=["Checksum", "ObjectParts", "ETag"])
    assert attributes["Checksum"]["ChecksumSHA1"] == completed["ChecksumSHA1"][:-2]  # without -N
    assert attributes["Checksum"]["ChecksumType"] == "COMPOSITE"
    assert attributes["ETag"].endswith("-2")
    parts = attributes["ObjectParts"]
    assert parts["TotalPartsCount"] == 2
    assert [part["ChecksumSHA1"] for part in parts["Parts"]] == [checksum_of("SHA1", d) for d in data]

    upload, done = _multipart(s3, bucket, "full", data)  # the default CRC64NVME, full object
    s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload, MultipartUpload={"Parts": done})
    attributes = s3.get_object_attributes(Bucket=bucket, Key="full", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attributes["Checksum"]["ChecksumCRC64NVME"] == checksum_of("CRC64NVME", b"".join(data))
    assert attributes["ObjectParts"] == {"TotalPartsCount": 2}


def test_copy_of_a_multipart_object_is_a_plain_object(s3, bucket):
    data = [b"a" * (5 * MIB), b"tail"]
    upload, done = _multipart(s3, bucket, "src", data, ChecksumAlgorithm="CRC32")
    s3.complete_multipart_upload(Bucket=bucket, Key="src", UploadId=upload, MultipartUpload={"Parts": done})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")["CopyObjectResult"]
    whole = b"".join(data)
    assert copied["ETag"] == f'"{hashlib.md5(whole).hexdigest()}"'
    assert copied["ChecksumCRC32"] == checksum_of("CRC32", whole) and copied["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head["ETag"] == copied["ETag"] and "PartsCount" not in head
    assert head["ChecksumCRC32"] == checksum_of("CRC32", whole)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == whole
    assert s3.get_object_attributes(Bucket=bucket, Key="dst", ObjectAttributes=["ObjectParts", "ETag"]).get(
        "ObjectParts") is None
    s3.delete_object(Bucket=bucket, Key="src")  # the copy owns its bytes
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == whole


def test_bad_digest_expected_digest_is_hex(s3, bucket, endpoint):
    claimed = hashlib.md5(b"something else").digest()
    response = _raw(endpoint, "PUT", f"/{bucket}/k", b"body",
                    {"Content-MD5": base64.b64encode(claimed).decode()})
    assert _xml(response, "Code") == "BadDigest"
    assert _xml(response, "ExpectedDigest") == claimed.hex()
    assert _xml(response, "CalculatedDigest") == base64.b64encode(hashlib.md5(b"body").digest()).decode()


def test_unknown_checksum_algorithm_names(s3, bucket, endpoint):
    response = _raw(endpoint, "PUT", f"/{bucket}/k", b"x", {"x-amz-sdk-checksum-algorithm": "FOO"})
    assert (response.status_code, _xml(response, "Code"), _xml(response, "Message")) == (
        400, "InvalidRequest", UNSUPPORTED)
    response = _raw(endpoint, "POST", f"/{bucket}/k?uploads", headers={"x-amz-checksum-algorithm": "FOO"})
    assert (response.status_code, _xml(response, "Message")) == (400, UNSUPPORTED)
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    response = _raw(endpoint, "PUT", f"/{bucket}/dst", headers={"x-amz-copy-source": f"/{bucket}/src",
                                                                "x-amz-checksum-algorithm": "FOO"})
    assert (response.status_code, _xml(response, "Message")) == (400, UNSUPPORTED)


def test_complete_error_shapes(s3, bucket, endpoint):
    upload, done = _multipart(s3, bucket, "k", [b"small", b"x"])
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    error = _error(caught)
    assert (error["Code"], error["ProposedSize"], error["MinSizeAllowed"], error["PartNumber"]) == (
        "EntityTooSmall", "5", str(5 * MIB), "1")
    assert error["ETag"].strip('"') == done[0]["ETag"].strip('"')
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]})
    error = _error(caught)
    assert (error["Code"], error["UploadId"], error["PartNumber"]) == ("InvalidPart", upload, "1")
    assert error["ETag"].strip('"') == "0" * 32
    with pytest.raises(ClientError) as caught:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": list(reversed(done))})
    assert (_error(caught)["Code"], _error(caught)["UploadId"]) == ("InvalidPartOrder", upload)
    response = _raw(endpoint, "POST", f"/{bucket}/k?uploadId={upload}",
                    b"<CompleteMultipartUpload></CompleteMultipartUpload>")
    assert (response.status_code, _xml(response, "Code")) == (400, "MalformedXML")


def test_cross_location_logging_names_the_source_location_outside_us_east_1(s3, aws_client):
    west = aws_client("s3", region="us-west-2")
    s3.create_bucket(Bucket="east-logs")
    west.create_bucket(Bucket="west-logs", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_logging(Bucket="east-logs", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "west-logs", "TargetPrefix": "l/"}})
    error = _error(caught)
    assert (error["Code"], error["Status"], error["TargetBucketLocation"]) == (
        "CrossLocationLoggingProhibitted", 403, "us-west-2")
    assert "SourceBucketLocation" not in error
    with pytest.raises(ClientError) as caught:
        west.put_bucket_logging(Bucket="west-logs", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "east-logs", "TargetPrefix": "l/"}})
    error = _error(caught)
    assert (error["TargetBucketLocation"], error["SourceBucketLocation"]) == ("us-east-1", "us-west-2")
