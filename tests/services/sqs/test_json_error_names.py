"""JSON-wire error names: SQS's generic errors carry their legacy code in ``x-amzn-query-error``
and their json name, namespaced, in ``__type``; modelled errors their shape name."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def test_invalid_parameter_value_codes_through_boto3(sqs):
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.create_queue(QueueName="bad name!")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert error["QueryErrorCode"] == "InvalidParameterValueException"
    assert error["Type"] == "Sender"


def test_missing_parameter_codes_through_boto3(sqs, queue_url):
    url = queue_url()
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "MissingParameter"
    assert error["QueryErrorCode"] == "MissingRequiredParameterException"


def test_modelled_error_keeps_its_legacy_code(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="nowhere")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["QueryErrorCode"] == "QueueDoesNotExist"


def _post_json(endpoint: str, target: str, document: dict) -> requests.Response:
    body = json.dumps(document).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{target}"}
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    return requests.post(endpoint + "/", data=body, headers=dict(request.headers.items()), timeout=30)


def test_raw_wire_of_a_generic_error(server, endpoint):
    answer = _post_json(endpoint, "CreateQueue", {"QueueName": "bad name!"})
    assert answer.status_code == 400
    assert answer.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert answer.json()["__type"] == "com.amazon.coral.service#InvalidParameterValueException"


def test_raw_wire_of_a_missing_parameter(server, endpoint):
    answer = _post_json(endpoint, "GetQueueUrl", {})
    assert answer.status_code == 400
    assert answer.headers["x-amzn-query-error"] == "MissingParameter;Sender"
    assert answer.json()["__type"] == "com.amazon.coral.service#MissingRequiredParameterException"


def test_raw_wire_of_a_modelled_error(server, endpoint):
    answer = _post_json(endpoint, "GetQueueUrl", {"QueueName": "nowhere"})
    assert answer.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert answer.json() == {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                             "message": "The specified queue does not exist."}


def test_raw_wire_of_an_unknown_operation(server, endpoint):
    answer = _post_json(endpoint, "Frobnicate", {})
    assert answer.status_code == 400
    assert answer.headers["x-amzn-query-error"] == "InvalidAction;Sender"
    assert answer.json()["__type"] == "com.amazon.coral.service#UnknownOperationException"


def test_query_wire_keeps_the_legacy_codes(query):
    answer = query.call("CreateQueue", {"QueueName": "bad name!"})
    assert (answer.status, answer.error_code) == (400, "InvalidParameterValue")
    answer = query.call("GetQueueUrl", {})
    assert (answer.status, answer.error_code) == (400, "MissingParameter")
