"""REST response and error serialization, read back with botocore's client parsers."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from xml.etree import ElementTree

from botocore.parsers import create_parser
from urllib3._collections import HTTPHeaderDict

from overcast.errors import AwsError, NotImplementedOperation
from overcast.protocols import get_protocol
from overcast.protocols.models import service_model

S3 = service_model("s3")
REST_XML = get_protocol("rest-xml")
REST_JSON = get_protocol("rest-json")
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class Ctx:
    request_id = "req-123"


def botocore_reads(protocol: str, response, shape):
    body = response.body if isinstance(response.body, bytes) else b"".join(collect(response.body))
    return create_parser(protocol).parse(
        {"status_code": response.status, "headers": HTTPHeaderDict(response.headers), "body": body,
         "context": {"operation_name": ""}}, shape)


def collect(body) -> list[bytes]:
    async def drain():
        return [chunk async for chunk in body]

    return asyncio.run(drain())


def test_s3_headers_status_and_request_ids():
    op = S3.operation_model("PutObject")
    response = REST_XML.serialize_response(op, {"ETag": '"abc"', "VersionId": "v1", "BucketKeyEnabled": True}, Ctx())
    assert response.status == 200
    assert response.headers["etag"] == '"abc"'
    assert response.headers["x-amz-version-id"] == "v1"
    assert response.headers["x-amz-server-side-encryption-bucket-key-enabled"] == "true"
    assert response.headers["x-amz-request-id"] == "req-123" and response.headers["x-amz-id-2"]
    assert response.body == b""


def test_s3_get_object_streams_an_async_body_with_its_length():
    async def chunks():
        yield b"hello "
        yield b"world"

    last_modified = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    op = S3.operation_model("GetObject")
    result = {"Body": chunks(), "ContentLength": 11, "ContentType": "text/plain", "LastModified": last_modified,
              "Metadata": {"colour": "blue"}}
    response = REST_XML.serialize_response(op, result, Ctx())
    assert response.headers["content-length"] == "11"
    assert response.headers["last-modified"] == "Wed, 01 May 2024 12:00:00 GMT"
    assert response.headers["x-amz-meta-colour"] == "blue"
    assert b"".join(collect(response.body)) == b"hello world"


def test_s3_list_result_root_and_namespace():
    op = S3.operation_model("ListObjectsV2")
    result = {"Name": "b", "KeyCount": 1, "IsTruncated": False,
              "Contents": [{"Key": "a&b<c>", "Size": 3, "LastModified": datetime(2024, 1, 1, tzinfo=timezone.utc)}]}
    response = REST_XML.serialize_response(op, result, Ctx())
    root = ElementTree.fromstring(response.body)
    assert root.tag == f"{S3_NS}ListBucketResult"
    assert root.find(f"{S3_NS}Contents/{S3_NS}Key").text == "a&b<c>"
    parsed = botocore_reads("rest-xml", response, op.output_shape)
    assert parsed["Contents"][0]["Key"] == "a&b<c>" and parsed["KeyCount"] == 1


def test_s3_get_bucket_location_is_the_root_text():
    op = S3.operation_model("GetBucketLocation")
    body = REST_XML.serialize_response(op, {"LocationConstraint": "eu-west-1"}, Ctx()).body
    assert ElementTree.fromstring(body).text == "eu-west-1"
    assert ElementTree.fromstring(REST_XML.serialize_response(op, {}, Ctx()).body).text is None


def test_s3_error_document():
    op = S3.operation_model("GetObject")
    error = AwsError("NoSuchKey", "The specified key does not exist.", fields={"Key": "a/b", "BucketName": "b"})
    response = REST_XML.serialize_error(S3, op, error, Ctx())
    assert response.status == 404  # from the model's NoSuchKey shape
    root = ElementTree.fromstring(response.body)
    assert root.tag == "Error"  # no namespace: botocore recognises S3 errors by this tag
    assert [child.tag for child in root] == ["Code", "Message", "Key", "BucketName", "RequestId", "HostId"]
    parsed = botocore_reads("rest-xml", response, op.output_shape)
    assert parsed["Error"]["Code"] == "NoSuchKey" and parsed["Error"]["Key"] == "a/b"
    assert parsed["ResponseMetadata"]["RequestId"] == "req-123"


def test_s3_head_errors_have_no_body():
    op = S3.operation_model("HeadObject")
    response = REST_XML.serialize_error(S3, op, AwsError("NoSuchKey", "gone", 404), Ctx())
    assert (response.status, response.body) == (404, b"")
    parsed = botocore_reads("rest-xml", response, op.output_shape)
    assert parsed["Error"]["Code"] == "404"


def test_error_status_precedence():
    op = S3.operation_model("GetObject")
    assert REST_XML.serialize_error(S3, op, AwsError("NoSuchKey", "x", 410), Ctx()).status == 410  # as raised
    assert REST_XML.serialize_error(S3, op, NotImplementedOperation(message="x"), Ctx()).status == 501  # class
    assert REST_XML.serialize_error(S3, op, AwsError("SomethingElse", "x"), Ctx()).status == 400  # default


def test_error_headers_are_sent():
    op = S3.operation_model("GetObject")
    error = AwsError("SlowDown", "Please reduce your request rate.", 503, headers={"retry-after": "1"})
    response = REST_XML.serialize_error(S3, op, error, Ctx())
    assert response.headers["retry-after"] == "1"


def test_route53_error_response_document():
    model = service_model("route53")
    op = model.operation_model("GetHostedZone")
    response = REST_XML.serialize_error(model, op, AwsError("NoSuchHostedZone", "No hosted zone found", 404), Ctx())
    root = ElementTree.fromstring(response.body)
    ns = "{https://route53.amazonaws.com/doc/2013-04-01/}"
    assert root.tag == f"{ns}ErrorResponse"
    assert root.find(f"{ns}Error/{ns}Type").text == "Sender"
    assert root.find(f"{ns}RequestId").text == "req-123"
    assert response.headers["x-amzn-requestid"] == "req-123"
    parsed = botocore_reads("rest-xml", response, op.output_shape)
    assert parsed["Error"]["Code"] == "NoSuchHostedZone" and parsed["Error"]["Message"] == "No hosted zone found"


def test_rest_json_error():
    model = service_model("lambda")
    op = model.operation_model("GetFunction")
    error = AwsError("ResourceNotFoundException", "Function not found: f", fields={"Type": "User"})
    response = REST_JSON.serialize_error(model, op, error, Ctx())
    assert response.status == 404
    assert response.headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert response.headers["x-amzn-requestid"] == "req-123"
    parsed = botocore_reads("rest-json", response, op.output_shape)
    assert parsed["Error"] == {"Code": "ResourceNotFoundException", "Message": "Function not found: f"}


def test_rest_json_status_code_member_and_blob_payload():
    model = service_model("lambda")
    op = model.operation_model("Invoke")
    response = REST_JSON.serialize_response(op, {"StatusCode": 202, "Payload": b"", "ExecutedVersion": "$LATEST"}, Ctx())
    assert response.status == 202
    assert response.headers["x-amz-executed-version"] == "$LATEST"
    response = REST_JSON.serialize_response(op, {"StatusCode": 200, "Payload": b'{"ok": true}'}, Ctx())
    assert response.body == b'{"ok": true}'


def test_204_responses_have_no_body():
    model = service_model("lambda")
    response = REST_JSON.serialize_response(model.operation_model("DeleteAlias"), {}, Ctx())
    assert (response.status, response.body) == (204, b"")


def test_rest_json_body_codecs():
    model = service_model("lambda")
    op = model.operation_model("GetFunctionConfiguration")
    result = {"FunctionName": "f", "MemorySize": 128, "Timeout": 3, "Environment": {"Variables": {"A": "1"}},
              "Unmodelled": "dropped"}
    response = REST_JSON.serialize_response(op, result, Ctx())
    parsed = botocore_reads("rest-json", response, op.output_shape)
    parsed.pop("ResponseMetadata")
    assert parsed == {"FunctionName": "f", "MemorySize": 128, "Timeout": 3, "Environment": {"Variables": {"A": "1"}}}


def test_results_can_set_a_status_and_headers_the_model_cannot():
    op = S3.operation_model("GetObject")
    result = {"Body": b"ell", "ContentRange": "bytes 1-3/5", "ContentLength": 3,
              "__status__": 206, "__headers__": {"X-Extra": "1"}}
    response = REST_XML.serialize_response(op, result, Ctx())
    assert (response.status, response.body) == (206, b"ell")
    assert response.headers["content-range"] == "bytes 1-3/5" and response.headers["x-extra"] == "1"
    assert "__status__" not in response.headers
