"""Tag input as S3 reads it: the ``x-amz-tagging`` header's query pairs (a name without ``=``
is a tag with an empty value; only a repeated name or a broken encoding is refused), the
InvalidTag details (``TagKey``/``TagValue``), a PutObjectTagging Tag without its Key."""

from __future__ import annotations

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


_HEADER_TEXT = ("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
                "without tag name duplicates.")


def _tags(s3, bucket, key):
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


@pytest.mark.parametrize("header, expected", [
    ("foo=bar&bar", {"foo": "bar", "bar": ""}),
    ("solo", {"solo": ""}),
    ("empty=", {"empty": ""}),
    ("a%20b=c+d&%C3%A9t%C3%A9=chaud", {"a b": "c d", "été": "chaud"}),
    ("x=1&&y=2", {"x": "1", "y": "2"}),
])
def test_tagging_header_pairs(s3, bucket, header, expected):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging=header)
    assert _tags(s3, bucket, "k") == expected


@pytest.mark.parametrize("header", ["dup=1&dup=2", "dup&dup=", "bad=%zz", "bad=%C3"])
def test_tagging_header_refused(s3, bucket, header):
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging=header)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidArgument", _HEADER_TEXT)
    assert error["ArgumentName"] == "x-amz-tagging" and error["ArgumentValue"] == header


def test_invalid_tag_names_the_tag(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as caught:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "k", "Value": "v" * 257}]})
    error = caught.value.response["Error"]
    assert error["Message"] == "The TagValue you have provided is too long, max 256"
    assert error["TagKey"] == "k" and error["TagValue"] == "v" * 257
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"x", Tagging="aws%3Aname=v")
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"], error["TagKey"]) == (
        "InvalidTag", "Your TagKey cannot be prefixed with aws:", "aws:name")


def _raw_put_tagging(endpoint: str, bucket: str, key: str, body: bytes) -> requests.Response:
    request = AWSRequest(method="PUT", url=f"{endpoint}/{bucket}/{key}?tagging", data=body)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return requests.put(request.url, data=body, headers=dict(request.headers.items()), timeout=30)


def test_tag_without_key_is_malformed_xml(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    body = b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>"
    response = _raw_put_tagging(endpoint, bucket, "k", body)
    assert response.status_code == 400
    assert b"<Code>MalformedXML</Code>" in response.content
    assert _tags(s3, bucket, "k") == {}
