"""Invoke with InvocationType Event and InvokeAsync: 202 at once, the function run from Lambda's
durable queue, retried twice on function errors on the cloud clock (1 then 2 minutes), the
event age limit, and the invocation records AWS sends to on-success / on-failure destinations
and the dead-letter queue."""

from __future__ import annotations

import json

import pytest
from async_helpers import advance, make_function, make_queue, queued, receive, records, wait_for
from lambda_helpers import error_of


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


def _destinations(lam, sqs, **config) -> tuple[str, str]:
    """(success queue url, failure queue url), set as the function's destinations."""
    ok_url, ok_arn = make_queue(sqs, "async-ok")
    failed_url, failed_arn = make_queue(sqs, "async-failed")
    lam.put_function_event_invoke_config(FunctionName="async-fn", DestinationConfig={
        "OnSuccess": {"Destination": ok_arn}, "OnFailure": {"Destination": failed_arn}}, **config)
    return ok_url, failed_url


def test_event_answers_202_and_the_success_record_reaches_its_destination(lam, sqs):
    arn = make_function(lam)
    ok_url, failed_url = _destinations(lam, sqs)
    answer = lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"n": 1}')
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    request_id = answer["ResponseMetadata"]["RequestId"]
    [record] = records(sqs, ok_url, 1)
    assert list(record) == ["version", "timestamp", "requestContext", "requestPayload", "responseContext",
                            "responsePayload"]
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
    assert record["requestContext"] == {"requestId": request_id, "functionArn": f"{arn}:$LATEST",
                                        "condition": "Success", "approximateInvokeCount": 1}
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"echo": {"n": 1}}
    assert receive(sqs, failed_url, 1, timeout=1) == []


def test_a_failing_event_is_retried_twice_on_the_clock_then_recorded_as_failed(lam, sqs, server):
    arn = make_function(lam)
    _, failed_url = _destinations(lam, sqs)
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=json.dumps({"fail": "boom"}))
    assert wait_for(lambda: queued(server.data_dir) == [(1, 0)])  # the first attempt failed
    assert receive(sqs, failed_url, 1, timeout=0.5) == []
    advance(server, 50)
    assert queued(server.data_dir) == [(1, 0)]  # the second attempt waits a minute
    advance(server, 11)
    assert wait_for(lambda: queued(server.data_dir) == [(2, 0)])
    advance(server, 121)  # then two minutes
    [record] = records(sqs, failed_url, 1)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == f"{arn}:$LATEST"
    assert record["requestPayload"] == {"fail": "boom"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorMessage"] == "boom"
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert queued(server.data_dir) == []


def test_maximum_retry_attempts_zero_fails_at_once_and_the_dead_letter_queue_gets_the_event(lam, sqs):
    dlq_url, dlq_arn = make_queue(sqs, "async-dlq")
    make_function(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    _, failed_url = _destinations(lam, sqs, MaximumRetryAttempts=0)
    answer = lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "at once"}')
    [record] = records(sqs, failed_url, 1)
    assert record["requestContext"]["approximateInvokeCount"] == 1
    [message] = receive(sqs, dlq_url, 1, attributes=True)
    assert json.loads(message["Body"]) == {"fail": "at once"}
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {"RequestID": answer["ResponseMetadata"]["RequestId"], "ErrorCode": "200",
                          "ErrorMessage": "at once"}


def test_an_event_older_than_its_maximum_age_is_discarded(lam, sqs, server):
    make_function(lam)
    _, failed_url = _destinations(lam, sqs, MaximumEventAgeInSeconds=60)
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "slow"}')
    assert wait_for(lambda: queued(server.data_dir) == [(1, 0)])
    advance(server, 61)  # the retry falls due after the event's age limit
    [record] = records(sqs, failed_url, 1)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_invoke_async_queues_like_an_event(lam, sqs):
    make_function(lam)
    ok_url, _ = _destinations(lam, sqs)
    answer = lam.invoke_async(FunctionName="async-fn", InvokeArgs=b'{"legacy": true}')
    assert answer["Status"] == 202
    [record] = records(sqs, ok_url, 1)
    assert record["responsePayload"] == {"echo": {"legacy": True}}


def test_bad_events_are_refused_before_they_are_queued(lam, server):
    make_function(lam)
    code, message = error_of(lam.invoke, FunctionName="async-fn", InvocationType="Event",
                             Payload=b'{"big": "' + b"x" * 1_048_576 + b'"}', status=413)
    assert code == "RequestEntityTooLargeException"
    assert message == "Request must be smaller than 1048576 bytes for the InvokeAsync operation"
    code, message = error_of(lam.invoke, FunctionName="async-fn", InvocationType="Event", Payload=b"not json")
    assert code == "InvalidRequestContentException"
    assert message.startswith("Could not parse request body into json: Could not parse payload into json")
    code, message = error_of(lam.invoke, FunctionName="no-such-fn", InvocationType="Event", Payload=b"{}",
                             status=404)
    assert code == "ResourceNotFoundException" and message.startswith("Function not found: ")
    assert queued(server.data_dir) == []


def test_the_events_of_a_deleted_function_are_dropped(lam, sqs, server):
    make_function(lam)
    _, failed_url = _destinations(lam, sqs)
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "then gone"}')
    assert wait_for(lambda: queued(server.data_dir) == [(1, 0)])
    lam.delete_function(FunctionName="async-fn")
    advance(server, 61)
    assert wait_for(lambda: queued(server.data_dir) == [])
    assert receive(sqs, failed_url, 1, timeout=1) == []


def test_reserved_concurrency_zero_sends_events_to_the_failure_destinations_without_retries(lam, sqs, server):
    # the dead-letter message carries no ErrorCode then, and AWS's ErrorMessage as AWS spells it
    dlq_url, dlq_arn = make_queue(sqs, "async-dlq")
    make_function(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    _, failed_url = _destinations(lam, sqs)
    lam.put_function_concurrency(FunctionName="async-fn", ReservedConcurrentExecutions=0)
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"held": true}')
    [record] = records(sqs, failed_url, 1)
    assert record["requestContext"]["condition"] == "ZeroReservedConcurrency"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record and record["requestPayload"] == {"held": True}
    [message] = receive(sqs, dlq_url, 1, attributes=True)
    assert json.loads(message["Body"]) == {"held": True}
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {"RequestID": record["requestContext"]["requestId"], "ErrorMessage":
                          "Function not invoked. Function isconfigured with zero reserved concurrent executions"}
    assert queued(server.data_dir) == []


def test_an_alias_invocation_runs_under_the_alias_config(lam, sqs):
    arn = make_function(lam)
    version = lam.publish_version(FunctionName="async-fn")["Version"]
    lam.create_alias(FunctionName="async-fn", Name="live", FunctionVersion=version)
    latest_url, latest_arn = make_queue(sqs, "latest-ok")
    live_url, live_arn = make_queue(sqs, "live-ok")
    lam.put_function_event_invoke_config(FunctionName="async-fn",
                                         DestinationConfig={"OnSuccess": {"Destination": latest_arn}})
    lam.put_function_event_invoke_config(FunctionName="async-fn", Qualifier="live",
                                         DestinationConfig={"OnSuccess": {"Destination": live_arn}})
    lam.invoke(FunctionName="async-fn:live", InvocationType="Event", Payload=b'{"via": "alias"}')
    [record] = records(sqs, live_url, 1)
    assert record["requestContext"]["functionArn"] == f"{arn}:live"
    assert record["responseContext"]["executedVersion"] == version
    assert receive(sqs, latest_url, 1, timeout=1) == []
    listed = lam.list_function_event_invoke_configs(FunctionName="async-fn")["FunctionEventInvokeConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [f"{arn}:$LATEST", f"{arn}:live"]
