"""S3's response headers as they go on the wire: ``Server: AmazonS3`` on every answer, the
request ids on preflights, names spelt as S3 spells them, the listing region header, no
Content-Length on a 204. Read over a raw HTTP connection, where the spelling is visible."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ORIGIN = "https://app.example.com"


class Raw:
    """Signed requests over one kept-alive connection; answers keep their header spelling."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        parts = urlsplit(endpoint)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)

    def send(self, method: str, path: str, body: bytes = b"", headers: dict | None = None, sign: bool = True):
        headers = dict(headers or {})
        if sign:
            request = AWSRequest(method=method, url=f"{self.endpoint}{path}", data=body,
                                 headers={**headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
            SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
            headers = dict(request.headers)
        self.connection.request(method, path, body=body or None, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        return response.status, response.getheaders(), content


@pytest.fixture
def raw(endpoint):
    client = Raw(endpoint)
    yield client
    client.connection.close()


def _names(headers) -> list[str]:
    return [name for name, _ in headers]


def _value(headers, name: str) -> str | None:
    found = [value for key, value in headers if key.lower() == name.lower()]
    return found[0] if found else None


def test_object_answers_spell_names_as_s3(raw, bucket):
    status, headers, _ = raw.send("PUT", f"/{bucket}/k", b"hello", {"x-amz-meta-Color": "blue",
                                                                     "Content-Type": "text/plain"})
    assert status == 200
    names = _names(headers)
    assert {"ETag", "Server", "x-amz-request-id", "x-amz-id-2", "x-amz-server-side-encryption"} <= set(names)
    status, headers, body = raw.send("GET", f"/{bucket}/k")
    assert (status, body) == (200, b"hello")
    names = _names(headers)
    assert {"ETag", "Last-Modified", "Content-Type", "Content-Length", "Accept-Ranges", "Server", "Date",
            "x-amz-meta-color", "x-amz-server-side-encryption", "x-amz-request-id"} <= set(names)
    assert _value(headers, "Server") == "AmazonS3"
    assert not [n for n in names if n.lower() in ("etag", "last-modified", "content-type") and n.islower()]


def test_server_header_on_errors_304_and_204(raw, bucket):
    status, headers, _ = raw.send("GET", f"/{bucket}/missing")
    assert status == 404 and _value(headers, "Server") == "AmazonS3"
    status, headers, _ = raw.send("HEAD", f"/{bucket}/missing")
    assert status == 404 and _value(headers, "Server") == "AmazonS3"
    status, headers, _ = raw.send("GET", "/no-such-bucket-here/x")
    assert status == 404 and _value(headers, "Server") == "AmazonS3"
    _, put, _ = raw.send("PUT", f"/{bucket}/k", b"x")
    status, headers, _ = raw.send("GET", f"/{bucket}/k", headers={"If-None-Match": _value(put, "ETag")})
    assert status == 304 and _value(headers, "Server") == "AmazonS3"
    status, headers, _ = raw.send("DELETE", f"/{bucket}/k")
    assert status == 204 and _value(headers, "Server") == "AmazonS3"


def test_no_content_length_on_204(raw, bucket):
    raw.send("PUT", f"/{bucket}/k", b"x")
    status, headers, body = raw.send("DELETE", f"/{bucket}/k")
    assert (status, body) == (204, b"")
    assert _value(headers, "Content-Length") is None and _value(headers, "Transfer-Encoding") is None
    # the connection stays in step for the next request
    status, _, _ = raw.send("GET", f"/{bucket}?list-type=2")
    assert status == 200


def test_other_services_keep_their_headers(aws_client):
    answer = aws_client("sqs").list_queues()["ResponseMetadata"]["HTTPHeaders"]
    assert "server" not in answer


def test_head_bucket_is_xml(raw, bucket):
    status, headers, body = raw.send("HEAD", f"/{bucket}")
    assert (status, body) == (200, b"")
    assert _value(headers, "Content-Type") == "application/xml"
    assert _value(headers, "x-amz-bucket-region") == "us-east-1"


@pytest.mark.parametrize("query", ["", "?list-type=2", "?versions"])
def test_listings_answer_the_bucket_region(raw, bucket, query):
    status, headers, _ = raw.send("GET", f"/{bucket}{query}")
    assert status == 200 and _value(headers, "x-amz-bucket-region") == "us-east-1"
    assert "x-amz-bucket-region" in _names(headers)


def test_listing_in_another_region(aws_client):
    s3 = aws_client("s3", region="eu-west-1")
    s3.create_bucket(Bucket="region-listed", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for answer in (s3.list_objects(Bucket="region-listed"), s3.list_objects_v2(Bucket="region-listed"),
                   s3.list_object_versions(Bucket="region-listed")):
        assert answer["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"


def test_preflight_carries_request_ids_and_server(raw, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [ORIGIN], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"]}]})
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}
    status, headers, _ = raw.send("OPTIONS", f"/{bucket}/k", headers=preflight, sign=False)
    assert status == 200
    assert _value(headers, "Server") == "AmazonS3"
    assert _value(headers, "x-amz-request-id") and _value(headers, "x-amz-id-2")
    assert _value(headers, "Access-Control-Allow-Origin") == ORIGIN
    assert "Access-Control-Allow-Origin" in _names(headers)
    # a preflight S3 refuses carries them too
    status, headers, _ = raw.send("OPTIONS", f"/{bucket}/k", headers={**preflight,
                                  "Access-Control-Request-Method": "DELETE"}, sign=False)
    assert status == 403
    assert _value(headers, "Server") == "AmazonS3" and _value(headers, "x-amz-request-id")


def test_website_endpoint_answers_as_s3(raw, bucket):
    status, headers, _ = raw.send("GET", f"/_overcast/website/{bucket}/index.html", sign=False)
    assert status == 404  # no website configuration
    assert _value(headers, "Server") == "AmazonS3" and "Server" in _names(headers)
