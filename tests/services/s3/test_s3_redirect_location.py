"""``x-amz-website-redirect-location`` on writes: S3 takes only a key of the bucket (``/...``) or
an http(s) URL, of at most 2 KB, on PutObject, CopyObject, CreateMultipartUpload and browser
(POST) uploads; anything else is 400 InvalidRedirectLocation and nothing is written."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

PREFIX_MESSAGE = "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."


def _refused(call) -> dict:
    with pytest.raises(ClientError) as exc:
        call()
    response = exc.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "InvalidRedirectLocation"
    return response["Error"]


@pytest.mark.parametrize("location", ["other.html", "ftp://example.com/x", "HTTP://example.com", "http:/x"])
def test_put_object_refuses_a_location_without_the_prefix(s3, bucket, location):
    error = _refused(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", WebsiteRedirectLocation=location))
    assert error["Message"] == PREFIX_MESSAGE
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize("location", ["/other.html", "http://example.com/x", "https://example.com"])
def test_put_object_keeps_a_valid_location(s3, bucket, location):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", WebsiteRedirectLocation=location)
    assert s3.head_object(Bucket=bucket, Key="k")["WebsiteRedirectLocation"] == location


def test_location_is_limited_to_2_kb(s3, bucket):
    longest = "/" + "a" * 2047
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", WebsiteRedirectLocation=longest)
    assert s3.head_object(Bucket=bucket, Key="k")["WebsiteRedirectLocation"] == longest
    _refused(lambda: s3.put_object(Bucket=bucket, Key="k2", Body=b"x", WebsiteRedirectLocation=longest + "a"))
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_copy_and_multipart_create_refuse_it_too(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    error = _refused(lambda: s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                                            WebsiteRedirectLocation="dst.html"))
    assert error["Message"] == PREFIX_MESSAGE
    error = _refused(lambda: s3.create_multipart_upload(Bucket=bucket, Key="mp", WebsiteRedirectLocation="mp.html"))
    assert error["Message"] == PREFIX_MESSAGE
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   WebsiteRedirectLocation="/src")
    assert s3.head_object(Bucket=bucket, Key="dst")["WebsiteRedirectLocation"] == "/src"


def test_browser_upload_refuses_it(s3, bucket):
    post = s3.generate_presigned_post(bucket, "form", Fields={"x-amz-website-redirect-location": "form.html"},
                                      Conditions=[{"x-amz-website-redirect-location": "form.html"}])
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"data")}, timeout=30)
    assert response.status_code == 400, response.text
    assert "<Code>InvalidRedirectLocation</Code>" in response.text
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
