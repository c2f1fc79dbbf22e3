"""Keys holding characters XML 1.0 has no place for (NUL, other C0 controls): S3 writes them
as hexadecimal character references (``<Key>a&#x7;</Key>``), never raw, in every XML answer
that carries a key; ``encoding-type=url`` (which boto3 asks for on its listings) keeps the
answer strict XML. Raw HTTP for the wire form, boto3 for what a client sees."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from s3_raw import raw_element, send

KEYS = ["bell\x07.txt", "nul\x00byte", "esc\x1b[0m"]


@pytest.mark.parametrize("key", KEYS)
def test_boto3_lists_such_keys(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == [key]
    assert [v["Key"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == [key]
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"x"


@pytest.mark.parametrize("query", ["list-type=2", "", "versions"])
def test_listing_without_url_encoding_writes_character_references(endpoint, s3, bucket, query):
    s3.put_object(Bucket=bucket, Key=KEYS[0], Body=b"x")
    response = send(endpoint, "GET", f"/{bucket}?{query}")
    assert response.status_code == 200
    assert b"\x07" not in response.content
    assert raw_element(response, "Key") == "bell&#x7;.txt"


def test_url_encoded_listing_is_strict_xml(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key=KEYS[1], Body=b"x")
    response = send(endpoint, "GET", f"/{bucket}?list-type=2&encoding-type=url")
    assert raw_element(response, "Key") == "nul%00byte"
    # (CreateMultipartUpload's own answer names the key with a reference: botocore cannot read it)
    created = send(endpoint, "POST", f"/{bucket}/{quote(KEYS[1])}?uploads")
    assert raw_element(created, "Key") == "nul&#x0;byte"
    upload = raw_element(created, "UploadId")
    listed = s3.list_multipart_uploads(Bucket=bucket, EncodingType="url")["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in listed] == [("nul%00byte", upload)]


def test_uploads_delete_results_and_errors_write_character_references(endpoint, s3, bucket):
    key = KEYS[0]
    path = f"/{bucket}/{quote(key)}"
    created = send(endpoint, "POST", path + "?uploads")
    assert created.status_code == 200 and b"\x07" not in created.content
    assert raw_element(created, "Key") == "bell&#x7;.txt"
    uploads = send(endpoint, "GET", f"/{bucket}?uploads")
    assert raw_element(uploads, "Key") == "bell&#x7;.txt" and b"\x07" not in uploads.content
    missing = send(endpoint, "GET", path)
    assert missing.status_code == 404 and raw_element(missing, "Key") == "bell&#x7;.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    body = (f'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>{key}</Key></Object>'
            f"</Delete>").encode()
    import base64
    import hashlib

    deleted = send(endpoint, "POST", f"/{bucket}?delete", body,
                   {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})
    # a raw control character in the request is no XML either: S3 refuses it as MalformedXML
    assert deleted.status_code == 400 and raw_element(deleted, "Code") == "MalformedXML"
