"""Invocation records on each kind of destination: an EventBridge bus (an event from source
``lambda`` with the result's detail-type and the record as detail), an SNS topic (the record as
the message), another function (invoked with the record as its event) and, for failures, an S3
bucket (an object per record)."""

from __future__ import annotations

import json
import re
import time

import pytest
from async_helpers import make_function, make_queue, records
from lambda_helpers import error_of


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


def _allow_service(sqs, url: str, arn: str, service: str) -> None:
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage", "Resource": arn}]})})


def test_eventbridge_destination_gets_a_lambda_result_event(aws_client, lam, sqs):
    function_arn = make_function(lam)
    bridge = aws_client("events")
    bus = bridge.create_event_bus(Name="results")["EventBusArn"]
    url, queue_arn = make_queue(sqs, "results-seen")
    bridge.put_rule(Name="all-results", EventBusName="results", EventPattern=json.dumps({"source": ["lambda"]}))
    _allow_service(sqs, url, queue_arn, "events.amazonaws.com")
    bridge.put_targets(Rule="all-results", EventBusName="results", Targets=[{"Id": "q", "Arn": queue_arn}])
    lam.put_function_event_invoke_config(FunctionName="async-fn", MaximumRetryAttempts=0, DestinationConfig={
        "OnSuccess": {"Destination": bus}, "OnFailure": {"Destination": bus}})
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"ok": 1}')
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "no"}')
    events = {event["detail-type"]: event for event in records(sqs, url, 2)}
    assert set(events) == {"Lambda Function Invocation Result - Success",
                           "Lambda Function Invocation Result - Failure"}
    success = events["Lambda Function Invocation Result - Success"]
    assert success["source"] == "lambda"
    assert success["resources"] == [bus, f"{function_arn}:$LATEST"]
    assert success["detail"]["requestContext"]["condition"] == "Success"
    assert success["detail"]["responsePayload"] == {"echo": {"ok": 1}}
    failure = events["Lambda Function Invocation Result - Failure"]["detail"]
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["responseContext"]["functionError"] == "Unhandled"


def test_sns_destination_gets_the_record_as_its_message(aws_client, lam, sqs):
    make_function(lam)
    sns = aws_client("sns")
    topic = sns.create_topic(Name="failures")["TopicArn"]
    url, queue_arn = make_queue(sqs, "failures-seen")
    _allow_service(sqs, url, queue_arn, "sns.amazonaws.com")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    lam.put_function_event_invoke_config(FunctionName="async-fn", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": topic}})
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "to the topic"}')
    [record] = records(sqs, url, 1)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responsePayload"]["errorMessage"] == "to the topic"


def test_function_destination_is_invoked_with_the_record(lam, sqs):
    make_function(lam)
    second = make_function(lam, "async-second")
    url, queue_arn = make_queue(sqs, "second-ran")
    lam.put_function_event_invoke_config(FunctionName="async-second",
                                         DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
    lam.put_function_event_invoke_config(FunctionName="async-fn",
                                         DestinationConfig={"OnSuccess": {"Destination": second}})
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"chain": true}')
    [record] = records(sqs, url, 1)  # what async-second ran with: async-fn's record
    received = record["requestPayload"]
    assert received["requestContext"]["condition"] == "Success"
    assert received["requestPayload"] == {"chain": True}
    assert received["responsePayload"] == {"echo": {"chain": True}}


def test_s3_destination_keeps_failure_records_as_objects(aws_client, lam):
    arn = make_function(lam)
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="async-failures")
    code, _ = error_of(lam.put_function_event_invoke_config, FunctionName="async-fn", DestinationConfig={
        "OnSuccess": {"Destination": "arn:aws:s3:::async-failures"}})
    assert code == "InvalidParameterValueException"  # success records do not go to a bucket
    lam.put_function_event_invoke_config(FunctionName="async-fn", MaximumRetryAttempts=0, DestinationConfig={
        "OnFailure": {"Destination": "arn:aws:s3:::async-failures"}})
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "kept"}')
    deadline, found = time.monotonic() + 20, []
    while not found and time.monotonic() < deadline:
        found = s3.list_objects_v2(Bucket="async-failures", Prefix="aws/lambda/async/async-fn/").get("Contents", [])
        time.sleep(0.1)
    [entry] = found
    assert re.fullmatch(r"aws/lambda/async/async-fn/\d{4}/\d\d/\d\d/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{36}",
                        entry["Key"])
    record = json.loads(s3.get_object(Bucket="async-failures", Key=entry["Key"])["Body"].read())
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["functionArn"] == f"{arn}:$LATEST"
