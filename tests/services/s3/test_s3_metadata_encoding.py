"""User metadata beyond ASCII, as S3 stores and returns it: RFC 2047 encoded words decoded on
the way in, non-ASCII values returned as ``=?UTF-8?Q?...?=`` (or ``?B?`` when most characters
need encoding, or one cannot be shown: a control character); ``response-*`` overrides limited to ISO-8859-1; the ``aws-chunked`` framing
never stored as the object's Content-Encoding."""

from __future__ import annotations

import http.client
from urllib.parse import urlparse

import pytest
import requests
from botocore.exceptions import ClientError

HELLO_Q = "=?UTF-8?Q?Hello_World=C3=A9?="


def _raw_put(endpoint: str, path: str, headers: dict[str, bytes], body: bytes = b"x") -> int:
    """An anonymous PUT whose header values go on the wire as the given bytes."""
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest("PUT", path)
        conn.putheader("Content-Length", str(len(body)))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _raw_meta(endpoint: str, path: str, name: str) -> str | None:
    """An ``x-amz-meta-*`` header of a HEAD as its bytes read as latin-1 (the wire form)."""
    return requests.head(endpoint + path, timeout=30).headers.get(name)


def test_encoded_words_are_decoded_and_returned_encoded(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"greeting": HELLO_Q, "plain": "ascii only"})
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["Metadata"] == {"greeting": HELLO_Q, "plain": "ascii only"}


def test_mostly_non_ascii_value_is_base64_encoded(s3, bucket):
    encoded = "=?UTF-8?B?5pel5pys6Kqe?="  # 日本語
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"lang": encoded})
    assert s3.get_object(Bucket=bucket, Key="k")["Metadata"] == {"lang": encoded}


def test_encoded_word_in_ascii_is_returned_decoded(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"word": "=?UTF-8?Q?plain_text?="})
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"word": "plain text"}


def test_long_value_is_split_into_words(s3, bucket):
    value = "é" * 40
    encoded = "=?UTF-8?Q?" + "=C3=A9" * 40 + "?="  # far more than one word holds
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"long": encoded})
    returned = s3.head_object(Bucket=bucket, Key="k")["Metadata"]["long"]
    words = returned.split(" ")
    assert len(words) > 1 and all(len(word) <= 75 for word in words)
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(returned))) == value


@pytest.mark.open_mode_only  # an anonymous write needs an open bucket
def test_raw_utf8_header_bytes_are_stored_as_text(endpoint, s3, bucket):
    status = _raw_put(endpoint, f"/{bucket}/raw", {"x-amz-meta-greeting": "Hello Worldé".encode()})
    assert status == 200
    assert s3.head_object(Bucket=bucket, Key="raw")["Metadata"] == {"greeting": HELLO_Q}
    assert _raw_meta(endpoint, f"/{bucket}/raw", "x-amz-meta-greeting") == HELLO_Q


def test_copy_replace_and_multipart_encode_alike(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"greeting": HELLO_Q})
    assert s3.head_object(Bucket=bucket, Key="dst")["Metadata"] == {"greeting": HELLO_Q}
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", Metadata={"greeting": HELLO_Q})["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"y")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=bucket, Key="mp")["Metadata"] == {"greeting": HELLO_Q}
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "mp"})
    assert s3.head_object(Bucket=bucket, Key="copied")["Metadata"] == {"greeting": HELLO_Q}


@pytest.mark.parametrize("value", ["\x04mymeta", "caf\xe9\x7f", "a\u200bb", "bad \ufffd bytes"])
def test_value_with_an_unprintable_character_is_base64_encoded(s3, bucket, value):
    import base64

    s3.put_object(Bucket=bucket, Key="k", Body=b"x",
                  Metadata={"ctl": "=?UTF-8?B?" + base64.b64encode(value.encode()).decode() + "?="})
    returned = s3.head_object(Bucket=bucket, Key="k")["Metadata"]["ctl"]
    assert returned == "=?UTF-8?B?" + base64.b64encode(value.encode()).decode() + "?="


def test_tab_alone_needs_no_encoding_and_accents_stay_q(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x",
                  Metadata={"tab": "=?UTF-8?Q?a=09b?=", "accent": "=?UTF-8?Q?d=C3=A9j=C3=A0_vu?="})
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"tab": "a\tb", "accent": "=?UTF-8?Q?d=C3=A9j=C3=A0_vu?="}


def test_response_override_outside_latin1_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="k", ResponseContentDisposition="attachment; filename=日本.txt")
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Header value cannot be represented using ISO-8859-1."
    latin = s3.get_object(Bucket=bucket, Key="k", ResponseContentDisposition="attachment; filename=café.txt")
    assert latin["ContentDisposition"] == "attachment; filename=café.txt"


@pytest.mark.parametrize("sent, stored", [("gzip, aws-chunked", "gzip"), ("aws-chunked", None),
                                          ("aws-chunked,br", "br")])
def test_aws_chunked_is_not_stored_as_content_encoding(s3, bucket, sent, stored):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentEncoding=sent)
    assert s3.head_object(Bucket=bucket, Key="k").get("ContentEncoding") == stored


def test_aws_chunked_stripped_on_multipart_create(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentEncoding="gzip, aws-chunked")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"y")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=bucket, Key="mp")["ContentEncoding"] == "gzip"


@pytest.mark.open_mode_only  # an anonymous write needs an open bucket
def test_raw_utf8_metadata_counts_its_bytes_once(endpoint, s3, bucket):
    value = "é" * 1023 + "a"  # 2,047 bytes of UTF-8: with the name "m", exactly the 2 KB limit
    assert _raw_put(endpoint, f"/{bucket}/fits", {"x-amz-meta-m": value.encode()}) == 200
    assert s3.head_object(Bucket=bucket, Key="fits")["Metadata"]["m"].startswith("=?UTF-8?")
    assert _raw_put(endpoint, f"/{bucket}/over", {"x-amz-meta-m": (value + "b").encode()}) == 400
