"""SSE-C: objects encrypted with the customer's key, readable only with it, with S3's errors."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
import requests
from botocore.exceptions import ClientError
from s3_raw import error_of, send

KEY, OTHER = b"K" * 32, b"O" * 32
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
WRONG = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": OTHER}
PREFIX = "Requests specifying Server Side Encryption with Customer provided keys must provide "
KEY_REQUIRED = ("The object was stored using a form of Server Side Encryption. The correct parameters must be "
                "provided to retrieve the object.")


def _md5(key: bytes) -> str:
    return base64.b64encode(hashlib.md5(key).digest()).decode()


def _headers(key: bytes = KEY, md5: str | None = None, algorithm: str = "AES256", prefix: str = "") -> dict:
    return {f"x-amz-{prefix}server-side-encryption-customer-algorithm": algorithm,
            f"x-amz-{prefix}server-side-encryption-customer-key": base64.b64encode(key).decode(),
            f"x-amz-{prefix}server-side-encryption-customer-key-MD5": md5 or _md5(key)}


def _error(exc) -> tuple:
    error = exc.value.response["Error"]
    return exc.value.response["ResponseMetadata"]["HTTPStatusCode"], error.get("Code"), error.get("Message")


def test_round_trip_with_the_key(s3, bucket):
    body = os.urandom(100_000)
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, **SSE_C)
    assert (put["SSECustomerAlgorithm"], put["SSECustomerKeyMD5"]) == ("AES256", _md5(KEY))
    assert "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="c", **SSE_C)
    assert got["Body"].read() == body
    assert (got["SSECustomerAlgorithm"], got["SSECustomerKeyMD5"]) == ("AES256", _md5(KEY))
    head = s3.head_object(Bucket=bucket, Key="c", **SSE_C)
    assert (head["SSECustomerAlgorithm"], head["SSECustomerKeyMD5"], head["ContentLength"]) == (
        "AES256", _md5(KEY), len(body))
    ranged = s3.get_object(Bucket=bucket, Key="c", Range="bytes=99-5000", **SSE_C)
    assert ranged["Body"].read() == body[99:5001]


def test_read_without_the_key_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **SSE_C)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c")
    assert _error(exc) == (400, "InvalidRequest", KEY_REQUIRED)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["ETag"])
    assert _error(exc) == (400, "InvalidRequest", KEY_REQUIRED)
    # (botocore encodes the key for this operation only if asked: it is sent as given)
    attributes = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["ObjectSize"],
                                          SSECustomerAlgorithm="AES256", SSECustomerKey=base64.b64encode(KEY).decode(),
                                          SSECustomerKeyMD5=_md5(KEY))
    assert attributes["ObjectSize"] == 6


def test_read_with_another_key_is_denied(s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **SSE_C)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", **WRONG)
    assert _error(exc) == (403, "AccessDenied", PREFIX + "the correct secret key.")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", **WRONG)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_read_with_a_key_of_another_length_is_denied(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **SSE_C)
    answer = send(endpoint, "GET", f"/{bucket}/c", headers=_headers(key=b"short"))
    error = error_of(answer)
    assert (answer.status_code, error["Code"], error["Message"]) == (403, "AccessDenied", PREFIX + "the correct secret key.")


def test_post_upload_with_a_customer_key(s3, bucket):
    fields = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
              "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY).decode(),
              "x-amz-server-side-encryption-customer-key-MD5": _md5(KEY)}
    post = s3.generate_presigned_post(bucket, "form", Fields=fields, Conditions=[{k: v} for k, v in fields.items()])
    answer = requests.post(post["url"], data=post["fields"], files={"file": ("form", b"posted")}, timeout=10)
    assert answer.status_code == 204, answer.text
    assert answer.headers["x-amz-server-side-encryption-customer-key-MD5"] == _md5(KEY)
    assert s3.get_object(Bucket=bucket, Key="form", **SSE_C)["Body"].read() == b"posted"
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="form")


def test_versions_keep_their_own_keys(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"one", **SSE_C)["VersionId"]
    s3.put_object(Bucket=bucket, Key="v", Body=b"two", **WRONG)
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=first, **SSE_C)["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="v", **WRONG)["Body"].read() == b"two"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="v", VersionId=first, **WRONG)
    assert _error(exc)[:2] == (403, "AccessDenied")


def test_key_on_an_object_without_one_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="plain", **SSE_C)
    assert _error(exc) == (400, "InvalidRequest", "The encryption parameters are not applicable to this object.")


@pytest.mark.parametrize("headers, code, message, argument", [
    (_headers(md5=_md5(OTHER)), "InvalidArgument",
     "The calculated MD5 hash of the key did not match the hash that was provided.", "x-amz-server-side-encryption"),
    (_headers(algorithm="AES128"), "InvalidEncryptionAlgorithmError",
     "The Encryption request you specified is not valid. Supported value: AES256.", "x-amz-server-side-encryption"),
    (_headers(key=b"short"), "InvalidArgument", "The secret key was invalid for the specified algorithm.",
     "x-amz-server-side-encryption"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument",
     PREFIX + "an appropriate secret key.", "x-amz-server-side-encryption"),
    ({"x-amz-server-side-encryption-customer-key": base64.b64encode(KEY).decode(),
      "x-amz-server-side-encryption-customer-key-MD5": _md5(KEY)}, "InvalidArgument",
     PREFIX + "a valid encryption algorithm.", "x-amz-server-side-encryption"),
])
def test_malformed_key_headers_on_write(endpoint, s3, bucket, headers, code, message, argument):
    answer = send(endpoint, "PUT", f"/{bucket}/bad", b"body", headers)
    error = error_of(answer)
    assert (answer.status_code, error["Code"], error["Message"]) == (400, code, message)
    assert error["ArgumentName"] == argument
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="bad")  # nothing stored


def test_wrong_md5_on_read(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **SSE_C)
    answer = send(endpoint, "GET", f"/{bucket}/c", headers=_headers(md5=_md5(OTHER)))
    assert (answer.status_code, error_of(answer)["Code"]) == (400, "InvalidArgument")
    # the MD5 is optional on a read
    no_md5 = {k: v for k, v in _headers().items() if not k.endswith("MD5")}
    answer = send(endpoint, "GET", f"/{bucket}/c", headers=no_md5)
    assert (answer.status_code, answer.content) == (200, b"secret")
    assert answer.headers["x-amz-server-side-encryption-customer-key-MD5"] == _md5(KEY)


def test_copy_needs_the_source_key_and_takes_a_new_one(s3, bucket):
    body = os.urandom(70_000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, **SSE_C)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")
    assert _error(exc) == (400, "InvalidRequest", KEY_REQUIRED)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", CopySourceSSECustomerAlgorithm="AES256",
                       CopySourceSSECustomerKey=OTHER)
    assert _error(exc)[:2] == (403, "AccessDenied")
    # SSE-C source -> SSE-C destination under another key
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", CopySourceSSECustomerAlgorithm="AES256",
                            CopySourceSSECustomerKey=KEY, **WRONG)
    assert (copied["SSECustomerAlgorithm"], copied["SSECustomerKeyMD5"]) == ("AES256", _md5(OTHER))
    assert s3.get_object(Bucket=bucket, Key="dst", **WRONG)["Body"].read() == body
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="dst", **SSE_C)
    # SSE-C source -> SSE-S3 destination, and back
    plain = s3.copy_object(Bucket=bucket, Key="plain", CopySource=f"{bucket}/src",
                           CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY)
    assert plain["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == body
    s3.copy_object(Bucket=bucket, Key="again", CopySource=f"{bucket}/plain", **SSE_C)
    assert s3.get_object(Bucket=bucket, Key="again", **SSE_C)["Body"].read() == body


def test_multipart_upload_with_a_customer_key(s3, bucket):
    part = 5 * 1024 * 1024
    bodies = [os.urandom(part), os.urandom(999)]
    created = s3.create_multipart_upload(Bucket=bucket, Key="m", **SSE_C)
    assert (created["SSECustomerAlgorithm"], created["SSECustomerKeyMD5"]) == ("AES256", _md5(KEY))
    upload = created["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=bodies[0])
    assert _error(exc) == (400, "InvalidRequest", "The multipart upload initiate requested encryption. Subsequent "
                           "part requests must include the appropriate encryption parameters.")
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=bodies[0], **WRONG)
    assert _error(exc) == (400, "InvalidRequest", "The provided encryption parameters did not match the ones used "
                           "originally.")
    first = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=bodies[0], **SSE_C)
    assert first["SSECustomerKeyMD5"] == _md5(KEY)
    s3.put_object(Bucket=bucket, Key="plain-source", Body=bodies[1])
    second = s3.upload_part_copy(Bucket=bucket, Key="m", UploadId=upload, PartNumber=2,
                                 CopySource=f"{bucket}/plain-source", **SSE_C)
    assert second["SSECustomerKeyMD5"] == _md5(KEY)
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    whole = b"".join(bodies)
    assert s3.get_object(Bucket=bucket, Key="m", **SSE_C)["Body"].read() == whole
    ranged = s3.get_object(Bucket=bucket, Key="m", Range=f"bytes={part - 3}-{part + 3}", **SSE_C)
    assert ranged["Body"].read() == whole[part - 3:part + 4]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="m")
    assert _error(exc)[:2] == (400, "InvalidRequest")


def test_part_copy_from_a_customer_encrypted_source(s3, bucket):
    body = os.urandom(4000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, **SSE_C)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, CopySource=f"{bucket}/src")
    assert _error(exc) == (400, "InvalidRequest", KEY_REQUIRED)
    etag = s3.upload_part_copy(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, CopySource=f"{bucket}/src",
                               CopySourceRange="bytes=10-2009", CopySourceSSECustomerAlgorithm="AES256",
                               CopySourceSSECustomerKey=KEY)["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == body[10:2010]
