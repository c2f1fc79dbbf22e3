"""PutEvents' answers: the request-level ValidationExceptions, the per-entry failures with
AWS's ErrorCode/ErrorMessage texts, FailedEntryCount, and the size limit as AWS counts it."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from botocore.exceptions import ClientError
from dispatch_helpers import entry

_LIMIT = 1024 * 1024


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


def _error(excinfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_accepted_entries_get_event_ids_in_order(events):
    answer = events.put_events(Entries=[entry({"n": i}) for i in range(10)])
    assert answer["FailedEntryCount"] == 0
    ids = [e["EventId"] for e in answer["Entries"]]
    assert len(set(ids)) == 10
    assert all(uuid.UUID(i).version == 4 and uuid.UUID(i).variant == uuid.RFC_4122 and str(uuid.UUID(i)) == i
               for i in ids)


@pytest.mark.parametrize("missing", ["Source", "DetailType", "Detail"])
def test_a_missing_field_fails_its_entry_only(events, missing):
    bad = entry()
    del bad[missing]
    answer = events.put_events(Entries=[entry(), bad])
    assert answer["FailedEntryCount"] == 1
    assert "EventId" in answer["Entries"][0]
    assert answer["Entries"][1] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": f"Parameter {missing} is not valid. Reason: {missing} is a required argument."}


@pytest.mark.parametrize("detail", ["not json", "[1, 2]", "\"text\"", "42", "{\"a\": 1",
                                    "{\"big\": 9223372036854775808}", "{\"x\": NaN}", "{\"y\": 1e400}"])
def test_a_detail_that_is_no_json_object_is_malformed(events, detail):
    answer = events.put_events(Entries=[{**entry(), "Detail": detail}])
    assert answer == {**answer, "FailedEntryCount": 1,
                      "Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}]}


def test_integers_at_the_int64_bounds_are_accepted(events):
    detail = json.dumps({"max": 9223372036854775807, "min": -9223372036854775808})
    assert events.put_events(Entries=[{**entry(), "Detail": detail}])["FailedEntryCount"] == 0


def test_an_aws_source_is_not_authorized(events):
    answer = events.put_events(Entries=[entry(Source="aws.s3"), entry(Source="awsome.app")])
    assert answer["FailedEntryCount"] == 1
    assert answer["Entries"][0] == {"ErrorCode": "NotAuthorizedForSourceException",
                                    "ErrorMessage": "Not authorized for the source."}
    assert "EventId" in answer["Entries"][1]


def test_the_checks_run_in_aws_order_source_first(events):
    answer = events.put_events(Entries=[{"Detail": "nope"}])
    assert answer["Entries"][0]["ErrorMessage"].startswith("Parameter Source is not valid.")


def test_more_than_ten_entries_is_a_validation_error_echoing_the_entries(events):
    with pytest.raises(ClientError) as excinfo:
        events.put_events(Entries=[entry()] * 11)
    code, message = _error(excinfo)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '[PutEventsRequestEntry(time=null, "
                              "source=test.app, resources=null, detailType=Test Event, detail={\"n\": 1}, "
                              "eventBusName=null, traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null), ")
    assert message.endswith("]' at 'entries' failed to satisfy constraint: "
                            "Member must have length less than or equal to 10")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_no_entries_is_a_validation_error(server):
    answer = _raw_put_events(server, {"Entries": []})
    assert answer.status_code == 400
    assert answer.json()["message"] == ("1 validation error detected: Value '[]' at 'entries' failed to satisfy "
                                        "constraint: Member must have length greater than or equal to 1")


def _size_entry(detail_bytes: int, **fields) -> dict:
    padding = "x" * (detail_bytes - len(json.dumps({"p": ""})))
    return {"Source": "s", "DetailType": "t", "Detail": json.dumps({"p": padding}), **fields}


def test_the_request_may_total_one_mebibyte_as_aws_counts_it(events):
    # Source 1 byte + DetailType 1 byte + Detail: exactly the limit
    answer = events.put_events(Entries=[_size_entry(_LIMIT - 2)])
    assert answer["FailedEntryCount"] == 0


def test_one_byte_over_the_limit_refuses_the_request(events):
    with pytest.raises(ClientError) as excinfo:
        events.put_events(Entries=[_size_entry(_LIMIT - 2 - 7), _size_entry(10, Resources=["r"])])
    assert _error(excinfo) == ("ValidationException", "Total size of the entries in the request is over the limit.")


def test_time_counts_fourteen_bytes(events):
    from datetime import datetime, timezone

    at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert events.put_events(Entries=[_size_entry(_LIMIT - 2 - 14, Time=at)])["FailedEntryCount"] == 0
    with pytest.raises(ClientError) as excinfo:
        events.put_events(Entries=[_size_entry(_LIMIT - 2 - 13, Time=at)])
    assert _error(excinfo)[0] == "ValidationException"


def test_an_invalid_bus_name_is_a_validation_error(events):
    with pytest.raises(ClientError) as excinfo:
        events.put_events(Entries=[entry(EventBusName="bad/name")])
    code, message = _error(excinfo)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'bad/name' at 'entries.1.member.eventBusName' "
                              "failed to satisfy constraint: Member must satisfy regular expression pattern: ")


def test_a_bus_named_by_arn_is_accepted(events):
    arn = events.describe_event_bus()["Arn"]
    assert events.put_events(Entries=[entry(EventBusName=arn)])["FailedEntryCount"] == 0


def _raw_put_events(server, body: dict) -> requests.Response:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = json.dumps(body)
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=data, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutEvents"})
    SigV4Auth(Credentials("test", "test"), "events", "us-east-1").add_auth(request)
    return requests.post(server.endpoint + "/", data=data, headers=dict(request.headers), timeout=10)


def test_an_unknown_endpoint_id_is_not_found(server):
    answer = _raw_put_events(server, {"Entries": [entry()], "EndpointId": "abcde.veo"})
    assert answer.status_code == 400
    assert answer.json()["__type"].endswith("ResourceNotFoundException")
    assert answer.json()["message"] == "Endpoint abcde.veo does not exist."


def test_a_malformed_endpoint_id_is_a_validation_error(server):
    answer = _raw_put_events(server, {"Entries": [entry()], "EndpointId": "no-dot"})
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        "1 validation error detected: Value 'no-dot' at 'endpointId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[A-Za-z0-9\\-]+[\\.][A-Za-z0-9\\-]+$")


def test_missing_entries_over_the_wire(server):
    answer = _raw_put_events(server, {})
    assert answer.status_code == 400
    assert answer.json()["message"] == ("1 validation error detected: Value null at 'entries' failed to satisfy "
                                        "constraint: Member must not be null")


@pytest.mark.parametrize("entries", [["text", 5], [{"Source": 5, "DetailType": "t", "Detail": "{}"}],
                                     [{"Source": "s", "DetailType": ["t"], "Detail": {"a": 1}}]])
def test_entries_of_the_wrong_types_never_answer_500(server, entries):
    answer = _raw_put_events(server, {"Entries": entries})
    assert answer.status_code < 500, answer.text


def test_the_aws_cli_puts_events(aws_cli, server):
    answer = aws_cli("events", "put-events", "--entries", json.dumps([entry()]))
    assert answer["FailedEntryCount"] == 0 and len(answer["Entries"]) == 1
