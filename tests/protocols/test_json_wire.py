"""json protocol specifics: X-Amz-Target lookup, body type checks, errors as botocore reads them."""

from __future__ import annotations

import json

import pytest
from botocore.parsers import create_parser

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model

from oracle_support import RequestIdContext, botocore_parse_error

JSON = get_protocol("json")


def request(target: str, body, version: str = "1.0") -> HttpRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpRequest("POST", "/", "", {"x-amz-target": target, "content-type": f"application/x-amz-json-{version}"}, raw)


def parse(service: str, target: str, body):
    req = request(target, body)
    operation = JSON.find_operation(service_model(service), req)
    return operation.name, JSON.parse_request(operation, req)


def test_target_lookup_and_unknown_operation():
    name, params = parse("sqs", "AmazonSQS.GetQueueUrl", {"QueueName": "q"})
    assert (name, params) == ("GetQueueUrl", {"QueueName": "q"})
    with pytest.raises(AwsError) as caught:
        JSON.find_operation(service_model("sqs"), request("AmazonSQS.Frobnicate", {}))
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 400)


def test_values_are_converted_by_shape():
    _, params = parse("dynamodb", "DynamoDB_20120810.PutItem",
                      {"TableName": "t", "Item": {"k": {"B": "AAEC"}, "n": {"N": "1"}, "l": {"L": [{"BOOL": True}]}}})
    assert params["Item"] == {"k": {"B": b"\x00\x01\x02"}, "n": {"N": "1"}, "l": {"L": [{"BOOL": True}]}}
    _, params = parse("logs", "Logs_20140328.PutLogEvents",
                      {"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": 1700000000000, "message": "m"}]})
    assert params["logEvents"] == [{"timestamp": 1700000000000, "message": "m"}]


def test_empty_body_is_no_params():
    assert parse("sqs", "AmazonSQS.ListQueues", b"") == ("ListQueues", {})


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', json.dumps({"QueueName": 5}).encode(),
     json.dumps({"QueueName": "q", "Attributes": ["x"]}).encode(), b"\xff\xfe", b"[" * 50000 + b"]" * 50000],
)
def test_bad_bodies_are_serialization_exceptions(body):
    req = request("AmazonSQS.CreateQueue", body)
    operation = JSON.find_operation(service_model("sqs"), req)
    with pytest.raises(AwsError) as caught:
        JSON.parse_request(operation, req)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)


def test_response_headers_and_body():
    model = service_model("kinesis")
    response = JSON.serialize_response(model.operation_model("DescribeStreamSummary"), {
        "StreamDescriptionSummary": {"StreamName": "s", "StreamCreationTimestamp": 1700000000.5}}, RequestIdContext("r-9"))
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-requestid"] == "r-9"
    assert json.loads(response.body) == {"StreamDescriptionSummary": {"StreamName": "s", "StreamCreationTimestamp": 1700000000.5}}


def test_sqs_errors_carry_the_query_compatible_header():
    model = service_model("sqs")
    operation = model.operation_model("GetQueueUrl")
    response = JSON.serialize_error(model, operation, AwsError("QueueDoesNotExist", "no such queue"), RequestIdContext())
    assert response.status == 400
    assert response.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert json.loads(response.body) == {"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "no such queue"}
    parsed = botocore_parse_error("json", response, operation)
    # boto3 raises QueueDoesNotExist and shows the legacy code, as against AWS
    assert parsed["__exception_code__"] == "QueueDoesNotExist"
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["Message"] == "no such queue"


def test_modelled_status_code_when_the_error_sets_none():
    model = service_model("cloudwatch")
    operation = model.operation_model("GetDashboard")
    response = JSON.serialize_error(model, operation, AwsError("DashboardNotFoundError", "gone"), RequestIdContext())
    assert response.status == 404
    assert response.headers["x-amzn-query-error"] == "ResourceNotFound;Sender"
    assert botocore_parse_error("json", response, operation)["Error"]["Code"] == "ResourceNotFound"
    explicit = JSON.serialize_error(model, operation, AwsError("DashboardNotFoundError", "gone", 410), RequestIdContext())
    assert explicit.status == 410


def test_error_members_and_headers():
    model = service_model("dynamodb")
    operation = model.operation_model("PutItem")
    error = AwsError("ConditionalCheckFailedException", "The conditional request failed",
                     fields={"Item": {"k": {"S": "v"}}}, headers={"x-amz-extra": "1"})
    response = JSON.serialize_error(model, operation, error, RequestIdContext())
    assert response.headers["x-amz-extra"] == "1"
    assert "x-amzn-query-error" not in response.headers
    parsed = create_parser("json").parse({"status_code": response.status, "headers": response.headers,
                                          "body": response.body}, model.shape_for("ConditionalCheckFailedException"))
    assert parsed["Item"] == {"k": {"S": "v"}}


@pytest.mark.parametrize("raised, query_code, json_name", [
    ("InvalidParameterValue", "InvalidParameterValue", "InvalidParameterValueException"),
    ("MissingParameter", "MissingParameter", "MissingRequiredParameterException"),
    ("AccessDenied", "AccessDenied", "AccessDeniedException"),
    ("InvalidClientTokenId", "InvalidClientTokenId", "UnrecognizedClientException"),
    ("SignatureDoesNotMatch", "SignatureDoesNotMatch", "InvalidSignatureException"),
    ("UnknownOperationException", "InvalidAction", "UnknownOperationException"),
    ("SerializationException", "MalformedInput", "SerializationException"),
])
def test_sqs_generic_errors_have_a_json_name_and_a_query_code(raised, query_code, json_name):
    model = service_model("sqs")
    operation = model.operation_model("SendMessage")
    response = JSON.serialize_error(model, operation, AwsError(raised, "why"), RequestIdContext())
    assert response.headers["x-amzn-query-error"] == f"{query_code};Sender"
    assert json.loads(response.body) == {"__type": f"com.amazon.coral.service#{json_name}", "message": "why"}
    parsed = botocore_parse_error("json", response, operation)
    assert parsed["Error"]["Code"] == query_code
    assert parsed["Error"]["QueryErrorCode"] == json_name


def test_other_query_compatible_services_keep_plain_types():
    model = service_model("cloudwatch")
    operation = model.operation_model("GetDashboard")
    response = JSON.serialize_error(model, operation, AwsError("MadeUpError", "why"), RequestIdContext())
    assert response.headers["x-amzn-query-error"] == "MadeUpError;Sender"
    assert json.loads(response.body)["__type"] == "MadeUpError"
