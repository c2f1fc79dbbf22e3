"""The HTTP edge: routing, unimplemented services, CORS, bad input. Always an AWS-shaped answer."""

import http.client
import json
import socket
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError


def _raw(endpoint, method, path, body=b"", headers=None):
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def _sigv4_header(service, region="us-east-1"):
    return (
        f"AWS4-HMAC-SHA256 Credential=test/20260101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    )


def test_unimplemented_json_service_gets_501_naming_it(aws_client):
    client = aws_client("kinesis")
    with pytest.raises(ClientError) as info:
        client.list_streams()
    error = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["Code"] == "NotImplemented"
    assert "kinesis" in error["Message"] and "ListStreams" in error["Message"]


def test_unimplemented_query_service_gets_501_naming_it(aws_client):
    client = aws_client("elasticbeanstalk")
    with pytest.raises(ClientError) as info:
        client.describe_applications()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "DescribeApplications" in info.value.response["Error"]["Message"]


def test_unimplemented_rest_json_service_gets_501(aws_client):
    client = aws_client("apigateway")
    with pytest.raises(ClientError) as info:
        client.get_rest_apis()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "GetRestApis" in info.value.response["Error"]["Message"]


def test_unknown_target_is_a_4xx_json_error(endpoint):
    status, headers, body = _raw(
        endpoint,
        "POST",
        "/",
        b"{}",
        {
            "X-Amz-Target": "AmazonSQS.NoSuchOperation",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": _sigv4_header("sqs"),
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    assert 400 <= status < 500
    assert "UnknownOperation" in body.decode()


def test_invalid_json_body_is_a_4xx(endpoint):
    status, _, body = _raw(
        endpoint,
        "POST",
        "/",
        b"{not json",
        {
            "X-Amz-Target": "AmazonSQS.ListQueues",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": _sigv4_header("sqs"),
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    assert 400 <= status < 500, body


def test_malformed_sigv4_is_a_4xx(endpoint):
    status, _, body = _raw(
        endpoint,
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/garbage, Signature=abc",
        },
    )
    assert 400 <= status < 500
    assert b"IncompleteSignature" in body


def test_absurd_content_length_is_refused_without_reading(endpoint):
    url = urlparse(endpoint)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(
            b"POST / HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Authorization: " + _sigv4_header("sts").encode() + b"\r\n"
            b"Content-Length: 99999999999\r\n\r\nAction=GetCallerIdentity"
        )
        head = s.recv(65536).decode("latin-1")
    assert head.split(" ", 2)[1] in ("400", "413")


def test_cors_preflight_is_answered(endpoint):
    status, headers, _ = _raw(
        endpoint,
        "OPTIONS",
        "/",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,x-amz-date,x-amz-target,content-type",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] in ("*", "http://localhost:3000")
    assert "POST" in headers["access-control-allow-methods"]
    assert "x-amz-target" in headers["access-control-allow-headers"]


@pytest.mark.open_mode_only  # fake signatures: a strict server refuses them first
def test_responses_to_browsers_carry_cors_headers(endpoint):
    status, headers, _ = _raw(
        endpoint,
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {
            "Origin": "http://localhost:3000",
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": _sigv4_header("sts"),
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"


def test_server_keeps_serving_after_bad_input(endpoint):
    for body in (b"\xff\xfe\x00", b"Action=", b"%%%", b"Action=GetCallerIdentity&Version=2011-06-15"):
        status, _, _ = _raw(
            endpoint,
            "POST",
            "/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": _sigv4_header("sts"),
             "X-Amz-Date": "20260101T000000Z"},
        )
        assert status < 500
    status, _, body = _raw(endpoint, "GET", "/_overcast/health")
    assert status == 200 and json.loads(body)["version"]


def test_early_answer_to_an_unread_upload_keeps_the_client_in_step(aws_client):
    """An answer sent before the body was read closes the connection (boto3 sends
    ``Expect: 100-continue`` for uploads and then never sends the body)."""
    s3 = aws_client("s3")
    for _ in range(3):
        with pytest.raises(ClientError) as info:
            s3.put_object(Bucket="bucket", Key="k", Body=b"x" * 100000)
        # the bucket does not exist: NoSuchBucket is answered before the body is read
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.open_mode_only  # fake signatures: a strict server refuses them first
def test_early_answer_says_connection_close(endpoint):
    url = urlparse(endpoint)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(
            b"PUT /bucket/key HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n"
            b"Expect: 100-continue\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
            b"Authorization: " + _sigv4_header("s3").encode() + b"\r\nX-Amz-Date: 20260101T000000Z\r\n\r\n"
        )
        head = s.recv(65536).decode("latin-1").lower()
    assert head.startswith("http/1.1 404")  # NoSuchBucket, answered before the body is read
    assert "connection: close" in head
