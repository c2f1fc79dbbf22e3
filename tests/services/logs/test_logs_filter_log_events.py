"""FilterLogEvents through a real server: streams by name or prefix, time range, patterns,
paging by token, and AWS's errors; plus the AWS CLI paginating through it."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from aws_clients import REGION, make_client
from logs_helpers import cloud_now_ms, error_of, logs  # noqa: F401 - fixture

ACCOUNT = "000000000000"


def put(logs, group, stream, events, create_stream=True):
    if create_stream:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t, "message": m} for t, m in events])


@pytest.fixture
def app_group(logs, server):
    """Group "app": stream "web-1" and "web-2" and "worker", events a millisecond apart."""
    now = cloud_now_ms(server) - 60_000
    logs.create_log_group(logGroupName="app")
    put(logs, "app", "web-1", [(now + 1, "ERROR disk full"), (now + 4, "INFO started"), (now + 6, "ERROR again")])
    put(logs, "app", "web-2", [(now + 2, "WARN slow"), (now + 5, "ERROR timeout")])
    put(logs, "app", "worker", [(now + 3, '{"level": "ERROR", "latency": 250}'),
                                (now + 7, '{"level": "INFO", "latency": 20}')])
    return now


def messages(answer):
    return [e["message"] for e in answer["events"]]


def test_events_of_every_stream_in_time_order(logs, app_group):
    answer = logs.filter_log_events(logGroupName="app")
    assert messages(answer) == ["ERROR disk full", "WARN slow", '{"level": "ERROR", "latency": 250}',
                                "INFO started", "ERROR timeout", "ERROR again", '{"level": "INFO", "latency": 20}']
    assert "nextToken" not in answer
    assert answer["searchedLogStreams"] == []
    first = answer["events"][0]
    assert first["logStreamName"] == "web-1" and first["timestamp"] == app_group + 1
    assert isinstance(first["ingestionTime"], int) and first["ingestionTime"] > 0
    assert first["eventId"].isdigit() and len(first["eventId"]) == 56
    assert len({e["eventId"] for e in answer["events"]}) == 7


def test_filter_patterns_of_each_kind(logs, app_group):
    assert messages(logs.filter_log_events(logGroupName="app", filterPattern="ERROR")) == [
        "ERROR disk full", '{"level": "ERROR", "latency": 250}', "ERROR timeout", "ERROR again"]
    assert messages(logs.filter_log_events(logGroupName="app", filterPattern="?WARN ?timeout")) == [
        "WARN slow", "ERROR timeout"]
    assert messages(logs.filter_log_events(logGroupName="app", filterPattern="ERROR -disk -latency")) == [
        "ERROR timeout", "ERROR again"]
    assert messages(logs.filter_log_events(logGroupName="app", filterPattern="{ $.latency > 100 }")) == [
        '{"level": "ERROR", "latency": 250}']
    assert messages(logs.filter_log_events(logGroupName="app", filterPattern="[level = INFO, what]")) == [
        "INFO started"]
    assert messages(logs.filter_log_events(logGroupName="app", filterPattern="%^E.*n$%")) == ["ERROR again"]


def test_stream_names_and_prefix(logs, app_group):
    assert messages(logs.filter_log_events(logGroupName="app", logStreamNames=["web-2", "nope"])) == [
        "WARN slow", "ERROR timeout"]
    assert [e["logStreamName"] for e in logs.filter_log_events(
        logGroupName="app", logStreamNamePrefix="web-")["events"]] == ["web-1", "web-2", "web-1", "web-2", "web-1"]
    assert logs.filter_log_events(logGroupName="app", logStreamNamePrefix="db")["events"] == []


def test_names_and_prefix_together_are_refused(logs, app_group):
    assert error_of(logs.filter_log_events, logGroupName="app", logStreamNames=["web-1"],
                    logStreamNamePrefix="web") == (
        "InvalidParameterException", "Cannot specify both logStreamNames and logStreamNamePrefix.", 400)


def test_time_range_bounds_are_inclusive(logs, app_group):
    answer = logs.filter_log_events(logGroupName="app", startTime=app_group + 2, endTime=app_group + 5)
    assert [e["timestamp"] - app_group for e in answer["events"]] == [2, 3, 4, 5]


def test_group_by_identifier_name_or_arn(logs, app_group):
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"
    for identifier in ("app", arn):
        assert len(logs.filter_log_events(logGroupIdentifier=identifier)["events"]) == 7
    # the model's pattern for logGroupIdentifier has no "*": the ARN DescribeLogGroups gives is refused
    code, text, _ = error_of(logs.filter_log_events, logGroupIdentifier=arn + ":*")
    assert code == "InvalidParameterException" and "logGroupIdentifier" in text


def test_name_and_identifier_together_or_neither(logs, endpoint, app_group):
    raw = make_client(endpoint, "logs", config=Config(parameter_validation=False))
    both = error_of(raw.filter_log_events, logGroupName="app", logGroupIdentifier="app")
    neither = error_of(raw.filter_log_events)
    assert both == neither == ("InvalidParameterException", "Should provider either name or id, but not both", 400)


def test_paging_with_limit_walks_every_event_once(logs, app_group):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        answer = logs.filter_log_events(logGroupName="app", limit=2, **kwargs)
        pages += 1
        assert len(answer["events"]) <= 2
        seen += messages(answer)
        token = answer.get("nextToken")
        if not token:
            break
    assert seen == messages(logs.filter_log_events(logGroupName="app"))
    assert pages in (4, 5)  # a page may end exactly at the last event and a last one be empty


def test_paging_with_a_pattern(logs, app_group):
    first = logs.filter_log_events(logGroupName="app", filterPattern="ERROR", limit=3)
    assert messages(first) == ["ERROR disk full", '{"level": "ERROR", "latency": 250}', "ERROR timeout"]
    rest = logs.filter_log_events(logGroupName="app", filterPattern="ERROR", limit=3, nextToken=first["nextToken"])
    assert messages(rest) == ["ERROR again"]
    assert "nextToken" not in rest


def test_events_put_after_a_page_come_on_the_next(logs, server, app_group):
    first = logs.filter_log_events(logGroupName="app", limit=7)
    put(logs, "app", "web-1", [(app_group + 9, "late ERROR")], create_stream=False)
    rest = logs.filter_log_events(logGroupName="app", nextToken=first["nextToken"])
    assert messages(rest) == ["late ERROR"]


def test_errors(logs, endpoint, app_group):
    assert error_of(logs.filter_log_events, logGroupName="nope") == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)
    assert error_of(logs.filter_log_events, logGroupName="app", filterPattern="Status: timeout") == (
        "InvalidParameterException", "Invalid character(s) in term ':'", 400)
    assert error_of(logs.filter_log_events, logGroupName="app", nextToken="garbage!") == (
        "InvalidParameterException", "The specified nextToken is invalid.", 400)
    raw = make_client(endpoint, "logs", config=Config(parameter_validation=False))
    assert error_of(raw.filter_log_events, logGroupName="app", limit=10_001) == (
        "InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 10000", 400)


def test_a_pattern_error_comes_before_the_group_is_looked_up(logs):
    assert error_of(logs.filter_log_events, logGroupName="nope", filterPattern="{ $.a = 1") == (
        "InvalidParameterException", "If a filter pattern starts with '{' it must end with '}'", 400)


def test_other_groups_and_accounts_are_not_searched(logs, endpoint, app_group):
    logs.create_log_group(logGroupName="other")
    assert logs.filter_log_events(logGroupName="other")["events"] == []
    stranger = make_client(endpoint, "logs", aws_access_key_id="111122223333")
    assert error_of(stranger.filter_log_events, logGroupName="app") == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)


def test_aws_cli_paginates_through_filter_log_events(aws_cli, logs, app_group):
    out = aws_cli("logs", "filter-log-events", "--log-group-name", "app", "--filter-pattern", "ERROR",
                  "--page-size", "1")
    assert [e["message"] for e in out["events"]] == [
        "ERROR disk full", '{"level": "ERROR", "latency": 250}', "ERROR timeout", "ERROR again"]


def test_test_metric_filter_answers(logs):
    answer = logs.test_metric_filter(
        filterPattern="[ip, user, status = 4*, bytes]",
        logEventMessages=["1.2.3.4 bob 404 12", "1.2.3.4 bob 200 12", "5.6.7.8 - 403 99"])
    assert answer["matches"] == [
        {"eventNumber": 1, "eventMessage": "1.2.3.4 bob 404 12",
         "extractedValues": {"$ip": "1.2.3.4", "$user": "bob", "$status": "404", "$bytes": "12"}},
        {"eventNumber": 3, "eventMessage": "5.6.7.8 - 403 99",
         "extractedValues": {"$ip": "5.6.7.8", "$user": "-", "$status": "403", "$bytes": "99"}},
    ]
    assert logs.test_metric_filter(filterPattern="", logEventMessages=["a", "b"])["matches"][1] == {
        "eventNumber": 2, "eventMessage": "b", "extractedValues": {}}
    assert logs.test_metric_filter(filterPattern='{ $.a = 1 }', logEventMessages=['{"a": 1}'])["matches"] == [
        {"eventNumber": 1, "eventMessage": '{"a": 1}', "extractedValues": {}}]


def test_test_metric_filter_errors(logs, endpoint):
    assert error_of(logs.test_metric_filter, filterPattern="{ }", logEventMessages=["x"]) == (
        "InvalidParameterException", "Invalid metric filter pattern", 400)
    assert error_of(logs.test_metric_filter, filterPattern="a:b", logEventMessages=["x"]) == (
        "InvalidParameterException", "Invalid character(s) in term ':'", 400)
    raw = make_client(endpoint, "logs", config=Config(parameter_validation=False))
    code, text, status = error_of(raw.test_metric_filter, filterPattern="x", logEventMessages=["m"] * 51)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "Member must have length less than or equal to 50" in text


def test_filter_log_events_over_raw_json_wire(endpoint, app_group):
    """The JSON wire as a plain HTTP client sends it (awsJson1_1, X-Amz-Target, SigV4)."""
    body = json.dumps({"logGroupName": "app", "filterPattern": "WARN"}).encode()
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.FilterLogEvents"})
    SigV4Auth(Credentials("test", "test"), "logs", REGION).add_auth(request)
    answer = requests.post(endpoint + "/", data=body, headers=dict(request.headers.items()), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/x-amz-json-1.1")
    assert [e["message"] for e in answer.json()["events"]] == ["WARN slow"]


def test_interleaved_and_unmask_change_nothing(logs, app_group):
    plain = messages(logs.filter_log_events(logGroupName="app"))
    assert messages(logs.filter_log_events(logGroupName="app", interleaved=False)) == plain
    assert messages(logs.filter_log_events(logGroupName="app", interleaved=True, unmask=True)) == plain


def test_start_after_end_finds_nothing(logs, app_group):
    answer = logs.filter_log_events(logGroupName="app", startTime=app_group + 5, endTime=app_group + 2)
    assert answer["events"] == [] and "nextToken" not in answer
