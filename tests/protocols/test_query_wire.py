"""Query protocol specifics: operation lookup, form decoding, SQS's legacy names, XML envelopes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from botocore.parsers import create_parser

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model

from oracle_support import RequestIdContext

QUERY = get_protocol("query")
FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": "localhost:4566"}
SQS_NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def form(body: str, query: str = "", method: str = "POST") -> HttpRequest:
    return HttpRequest(method, "/", query, dict(FORM), body.encode())


def parse(service: str, body: str, query: str = "", method: str = "POST"):
    request = form(body, query, method)
    operation = QUERY.find_operation(service_model(service), request)
    return operation.name, QUERY.parse_request(operation, request)


def test_action_from_form_body_with_charset():
    assert parse("sts", "Action=GetCallerIdentity&Version=2011-06-15") == ("GetCallerIdentity", {})


def test_action_from_query_string_on_get():
    name, params = parse("sqs", "", "Action=GetQueueUrl&Version=2012-11-05&QueueName=jobs", method="GET")
    assert (name, params) == ("GetQueueUrl", {"QueueName": "jobs"})


def test_missing_and_unknown_action():
    with pytest.raises(AwsError) as missing:
        QUERY.find_operation(service_model("sts"), form("Version=2011-06-15"))
    assert (missing.value.code, missing.value.status) == ("MissingAction", 400)
    with pytest.raises(AwsError) as unknown:
        QUERY.find_operation(service_model("sts"), form("Action=Frobnicate&Version=2011-06-15"))
    assert (unknown.value.code, unknown.value.status) == ("InvalidAction", 400)
    assert unknown.value.message == "Could not find operation Frobnicate for version 2011-06-15"


def test_sqs_legacy_names_as_older_sdks_send_them():
    name, params = parse(
        "sqs",
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%2F000000000000%2Fq"
        "&MessageBody=hi+there&DelaySeconds=5"
        "&MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String"
        "&MessageAttribute.1.Value.StringValue=blue"
        "&MessageAttribute.2.Name=raw&MessageAttribute.2.Value.DataType=Binary"
        "&MessageAttribute.2.Value.BinaryValue=AAEC",
    )
    assert name == "SendMessage"
    assert params == {
        "QueueUrl": "http://localhost/000000000000/q",
        "MessageBody": "hi there",
        "DelaySeconds": 5,
        "MessageAttributes": {
            "color": {"DataType": "String", "StringValue": "blue"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
        },
    }


def test_sqs_queue_url_from_the_request_path():
    request = HttpRequest("POST", "/000000000000/jobs", "", dict(FORM), b"Action=SendMessage&MessageBody=x")
    operation = QUERY.find_operation(service_model("sqs"), request)
    params = QUERY.parse_request(operation, request)
    assert params == {"QueueUrl": "http://localhost:4566/000000000000/jobs", "MessageBody": "x"}
    explicit = HttpRequest("POST", "/000000000000/jobs", "", dict(FORM), b"Action=SendMessage&MessageBody=x&QueueUrl=u")
    assert QUERY.parse_request(operation, explicit)["QueueUrl"] == "u"


def test_sqs_attribute_maps_and_flattened_lists():
    _, params = parse(
        "sqs",
        "Action=CreateQueue&Version=2012-11-05&QueueName=q"
        "&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40"
        "&Attribute.2.Name=DelaySeconds&Attribute.2.Value=0&Tag.1.Key=team&Tag.1.Value=core",
    )
    assert params == {
        "QueueName": "q",
        "Attributes": {"VisibilityTimeout": "40", "DelaySeconds": "0"},
        "tags": {"team": "core"},
    }
    _, params = parse("sqs", "Action=ReceiveMessage&QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=color"
                             "&MessageAttributeName.2=size&MaxNumberOfMessages=10")
    assert params == {"QueueUrl": "u", "AttributeNames": ["All"], "MessageAttributeNames": ["color", "size"],
                      "MaxNumberOfMessages": 10}


def test_wrapped_lists_keep_index_order_and_empty_marker():
    _, params = parse("iam", "Action=ListPolicies&Version=2010-05-08&Scope=All&MaxItems=3")
    assert params == {"Scope": "All", "MaxItems": 3}
    # SNS's wrapped list of structures, out of order on the wire
    _, params = parse(
        "sns",
        "Action=TagResource&ResourceArn=arn&Tags.member.2.Key=b&Tags.member.2.Value=2"
        "&Tags.member.1.Key=a&Tags.member.1.Value=1",
    )
    assert params == {"ResourceArn": "arn", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}
    _, params = parse("sns", "Action=UntagResource&ResourceArn=arn&TagKeys=")
    assert params == {"ResourceArn": "arn", "TagKeys": []}


@pytest.mark.parametrize(
    "body, code",
    [
        ("Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=ten", "InvalidParameterValue"),
        ("Action=SendMessage&QueueUrl=u&MessageBody=x&MessageAttribute.1.Name=a"
         "&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=%%%", "MalformedQueryString"),
        ("Action=SendMessage&QueueUrl=u&MessageBody=x&MessageAttribute.1.Name=a"
         "&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=not*base64", "InvalidParameterValue"),
    ],
)
def test_unreadable_values_are_client_errors(body, code):
    request = form(body)
    operation = QUERY.find_operation(service_model("sqs"), request)
    with pytest.raises(AwsError) as caught:
        QUERY.parse_request(operation, request)
    assert caught.value.code == code and caught.value.status == 400


def test_invalid_utf8_form_is_malformed_query_string():
    request = HttpRequest("POST", "/", "", dict(FORM), b"Action=GetQueueUrl&QueueName=%C3%28")
    operation = QUERY.find_operation(service_model("sqs"), request)
    with pytest.raises(AwsError) as caught:
        QUERY.parse_request(operation, request)
    assert caught.value.code == "MalformedQueryString"


def test_sqs_response_has_result_wrapper_and_request_id():
    model = QUERY.model_for(service_model("sqs"))
    operation = model.operation_model("SendMessage")
    response = QUERY.serialize_response(operation, {"MessageId": "m-1", "MD5OfMessageBody": "abc"},
                                        RequestIdContext("req-1"))
    assert response.status == 200 and response.headers["content-type"] == "text/xml"
    root = ET.fromstring(response.body)
    assert root.tag == f"{SQS_NS}SendMessageResponse"
    assert root.find(f"{SQS_NS}SendMessageResult/{SQS_NS}MessageId").text == "m-1"
    assert root.find(f"{SQS_NS}ResponseMetadata/{SQS_NS}RequestId").text == "req-1"


def test_sqs_receive_message_uses_legacy_element_names():
    model = QUERY.model_for(service_model("sqs"))
    operation = model.operation_model("ReceiveMessage")
    result = {"Messages": [{"MessageId": "m", "Body": "b", "Attributes": {"SenderId": "s"},
                            "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"}}}]}
    body = QUERY.serialize_response(operation, result, RequestIdContext()).body.decode()
    assert ("<ReceiveMessageResult><Message><MessageId>m</MessageId><Body>b</Body>"
            "<Attribute><Name>SenderId</Name><Value>s</Value></Attribute>"
            "<MessageAttribute><Name>color</Name><Value><StringValue>blue</StringValue>"
            "<DataType>String</DataType></Value></MessageAttribute></Message></ReceiveMessageResult>") in body


def test_sqs_error_answers_the_legacy_query_code():
    model = service_model("sqs")
    response = QUERY.serialize_error(model, None, AwsError("QueueDoesNotExist", "The specified queue does not exist."),
                                     RequestIdContext("req-2"))
    assert response.status == 400
    root = ET.fromstring(response.body)
    assert root.find(f"{SQS_NS}Error/{SQS_NS}Type").text == "Sender"
    assert root.find(f"{SQS_NS}Error/{SQS_NS}Code").text == "AWS.SimpleQueueService.NonExistentQueue"
    assert root.find(f"{SQS_NS}RequestId").text == "req-2"
    parsed = create_parser("query").parse({"status_code": 400, "headers": response.headers, "body": response.body}, None)
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_modelled_status_and_fault_and_passthrough_codes():
    model = service_model("sqs")
    # PurgeQueueInProgress is modelled 403 in the legacy query model
    assert QUERY.serialize_error(model, None, AwsError("PurgeQueueInProgress", "x"), RequestIdContext()).status == 403
    # an explicit status wins; an unmodelled code passes through as is
    response = QUERY.serialize_error(model, None, AwsError("SomethingNew", "x", 409, headers={"x-extra": "1"}),
                                     RequestIdContext())
    assert response.status == 409 and response.headers["x-extra"] == "1"
    assert b"<Code>SomethingNew</Code>" in response.body
    server = QUERY.serialize_error(service_model("sts"), None, AwsError("InternalFailure", "boom", 500,
                                                                        sender_fault=False), RequestIdContext())
    assert b"<Type>Receiver</Type>" in server.body and server.status == 500


def test_error_fields_of_modelled_shapes_are_written():
    # CloudWatch's DashboardInvalidInputError carries a list of validation messages
    model = service_model("cloudwatch")
    error = AwsError("DashboardInvalidInputError", "bad body",
                     fields={"dashboardValidationMessages": [{"DataPath": "/widgets", "Message": "invalid"}]})
    response = QUERY.serialize_error(model, None, error, RequestIdContext())
    parsed = create_parser("query").parse({"status_code": response.status, "headers": response.headers,
                                           "body": response.body}, model.shape_for("DashboardInvalidInputError"))
    assert response.status == 400
    assert parsed["dashboardValidationMessages"] == [{"DataPath": "/widgets", "Message": "invalid"}]
    assert b"<Code>InvalidParameterInput</Code>" in response.body
