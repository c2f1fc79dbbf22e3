"""Logs Insights through boto3: StartQuery over one or several groups, the query running in
the background until GetQueryResults says Complete, the answer's shape (field/value strings,
@ptr, statistics), GetLogRecord from an @ptr, GetLogGroupFields, StopQuery and DescribeQueries;
and StartQuery's errors (MalformedQueryException with its queryCompileError, the group
parameters, the time range, a missing group)."""

from __future__ import annotations

import json
import os
import sys

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from signed_http import send, sign  # noqa: E402

from insights_helpers import as_dicts, put_messages, run_query, wait_for_query
from logs_helpers import cloud_now_ms, error_of, logs  # noqa: F401

LINES = ['{"level":"ERROR","latency":120,"path":"/a"}', '{"level":"INFO","latency":30,"path":"/b"}',
         "GET /index.html 200", '{"level":"ERROR","latency":7,"path":"/a"}']


@pytest.fixture
def now_ms(server):
    return cloud_now_ms(server)


@pytest.fixture
def account(aws_client):
    return aws_client("sts").get_caller_identity()["Account"]


@pytest.fixture
def app(logs, now_ms):
    """Group "app" with LINES one second apart, ending a minute ago; (first, last) in seconds."""
    stamps = put_messages(logs, "app", "web-1", LINES, now_ms - 60_000 - 3000)
    return stamps[0] // 1000 - 1, stamps[-1] // 1000 + 1


def test_fields_filter_sort_answer_field_value_strings_with_ptr(logs, app):
    answer = run_query(logs, "fields @timestamp, level, latency | filter level = 'ERROR' | sort latency desc", *app)
    assert answer["status"] == "Complete"
    rows = as_dicts(answer["results"])
    assert [(r["level"], r["latency"]) for r in rows] == [("ERROR", "120"), ("ERROR", "7")]
    assert all(set(r) == {"@timestamp", "level", "latency", "@ptr"} for r in rows)
    assert [f["field"] for f in answer["results"][0]] == ["@timestamp", "level", "latency", "@ptr"]
    stats = answer["statistics"]
    assert (stats["recordsMatched"], stats["recordsScanned"]) == (2.0, 4.0)
    assert stats["bytesScanned"] == float(sum(len(line) for line in LINES))
    assert answer["queryLanguage"] == "CWLI"


def test_default_fields_and_log_record_from_ptr(logs, app, now_ms, account):
    answer = run_query(logs, "filter @message like 'index.html'", *app)
    (row,) = as_dicts(answer["results"])
    assert row["@message"] == "GET /index.html 200"
    assert row["@logStream"] == "web-1"
    assert row["@log"] == f"{account}:app"
    assert len(row["@timestamp"]) == len("2024-01-01 00:00:00.000")
    record = logs.get_log_record(logRecordPointer=row["@ptr"])["logRecord"]
    assert record["@message"] == "GET /index.html 200"
    assert record["@logStream"] == "web-1" and record["@log"] == f"{account}:app"
    assert abs(int(record["@timestamp"]) - (now_ms - 60_000 - 1000)) < 2
    json_row = as_dicts(run_query(logs, "filter latency = 30", *app)["results"])[0]
    record = logs.get_log_record(logRecordPointer=json_row["@ptr"])["logRecord"]
    assert (record["level"], record["latency"], record["path"]) == ("INFO", "30", "/b")


def test_stats_by_bin_and_by_field(logs, app):
    answer = run_query(logs, "stats count(*) as n by bin(1h)", *app)
    rows = as_dicts(answer["results"])
    assert sum(int(r["n"]) for r in rows) == 4
    assert all("@ptr" not in r for r in rows)
    answer = run_query(logs, "filter ispresent(level) | stats avg(latency) as mean, count(*) as n by level | sort level",
                       *app)
    assert as_dicts(answer["results"]) == [{"level": "ERROR", "mean": "63.5", "n": "2"},
                                           {"level": "INFO", "mean": "30", "n": "1"}]
    assert answer["statistics"]["recordsMatched"] == 3.0


def test_parse_and_several_groups(logs, app, now_ms, account):
    put_messages(logs, "other", "s", ["GET /other.html 404"], now_ms - 61_000)
    answer = run_query(logs, "parse @message 'GET * *' as page, status | filter ispresent(status) "
                             "| display @log, page, status | sort page", *app, logGroupNames=["app", "other"])
    rows = as_dicts(answer["results"])
    assert [{k: v for k, v in r.items() if k != "@ptr"} for r in rows] == [
        {"@log": f"{account}:app", "page": "/index.html", "status": "200"},
        {"@log": f"{account}:other", "page": "/other.html", "status": "404"},
    ]
    assert all(r["@ptr"] for r in rows)
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:other"
    answer = run_query(logs, "stats count(*) as n", *app, logGroupIdentifiers=[arn, "app"])
    assert as_dicts(answer["results"]) == [{"n": "5"}]
    assert answer["statistics"]["logGroupsScanned"] == 2.0


def test_time_range_and_limit(logs, app):
    first, last = app
    assert len(run_query(logs, "fields @message", first, last)["results"]) == 4
    assert len(run_query(logs, "fields @message", first, last, limit=3)["results"]) == 3
    assert run_query(logs, "fields @message", first - 100, first - 50)["results"] == []
    answer = run_query(logs, "fields @message | limit 1", first, last)
    assert len(answer["results"]) == 1 and answer["statistics"]["recordsMatched"] == 4.0


def test_times_far_in_the_future_are_a_range_like_any_other(logs, app):
    answer = run_query(logs, "stats count(*) as n", app[0], 2 ** 62)
    assert as_dicts(answer["results"]) == [{"n": "4"}]
    assert logs.get_log_group_fields(logGroupName="app", time=2 ** 62)["logGroupFields"] == []


def test_results_page_with_next_token(logs, app):
    query_id = logs.start_query(logGroupName="app", queryString="fields @message", startTime=app[0], endTime=app[1])["queryId"]
    wait_for_query(logs, query_id)
    first = logs.get_query_results(queryId=query_id, maxItems=3)
    assert len(first["results"]) == 3 and first["nextToken"]
    second = logs.get_query_results(queryId=query_id, maxItems=3, nextToken=first["nextToken"])
    assert len(second["results"]) == 1 and "nextToken" not in second


def test_malformed_query_answers_the_compile_error(logs, app):
    with pytest.raises(logs.exceptions.MalformedQueryException) as info:
        logs.start_query(logGroupName="app", queryString="fields @message | bogus", startTime=app[0], endTime=app[1])
    error = info.value.response
    assert error["Error"]["Message"] == "unexpected symbol found bogus at line 1 and position 18"
    assert error["queryCompileError"] == {"location": {"startCharOffset": 18, "endCharOffset": 23},
                                          "message": "unexpected symbol found bogus at line 1 and position 18"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_start_query_parameter_errors(logs, app, account):
    first, last = app
    code, message, status = error_of(logs.start_query, logGroupName="app", logGroupNames=["app"],
                                     queryString="fields @message", startTime=first, endTime=last)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "logGroupName" in message
    code, _, _ = error_of(logs.start_query, queryString="fields @message", startTime=first, endTime=last)
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.start_query, logGroupName="app", queryString="fields @message",
                          startTime=last, endTime=first)
    assert code == "InvalidParameterException"
    # AWS passes the Insights backend's exception text through, its request id included
    with pytest.raises(ClientError) as caught:
        logs.start_query(logGroupName="missing", queryString="fields @message", startTime=first, endTime=last)
    error, request_id = caught.value.response["Error"], caught.value.response["ResponseMetadata"]["RequestId"]
    assert error["Code"] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == (f"Log group 'missing' does not exist for account ID '{account}' (Service: AWSLogs; "
                                f"Status Code: 400; Error Code: ResourceNotFoundException; Request ID: {request_id}; "
                                f"Proxy: null)")
    code, message, _ = error_of(logs.start_query, logGroupName="app", queryString="fields @message",
                                startTime=first, endTime=last, limit=100_001)
    assert code == "InvalidParameterException"
    assert "Member must have value less than or equal to 100000" in message


def test_other_query_languages_are_not_implemented(logs, app):
    code, message, status = error_of(logs.start_query, logGroupName="app", queryString="SELECT * FROM `app`",
                                     startTime=app[0], endTime=app[1], queryLanguage="SQL")
    assert (code, status) == ("NotImplemented", 501)
    assert "SQL" in message


def test_commands_overcast_does_not_run_are_not_implemented(logs, app):
    code, message, status = error_of(logs.start_query, logGroupName="app", queryString="fields @message | pattern @message",
                                     startTime=app[0], endTime=app[1])
    assert (code, status) == ("NotImplemented", 501)
    assert message.startswith("The pattern command of Logs Insights QL is not implemented by Overcast")


def test_unknown_query_id(logs):
    for call in (logs.get_query_results, logs.stop_query):
        code, message, _ = error_of(call, queryId="9b0c2d5e-0000-4000-8000-000000000000")
        assert (code, message) == ("ResourceNotFoundException", "Query does not exist.")


def test_stop_query_after_it_ended_is_refused(logs, app):
    query_id = logs.start_query(logGroupName="app", queryString="fields @message", startTime=app[0],
                                endTime=app[1])["queryId"]
    wait_for_query(logs, query_id)
    code, _, _ = error_of(logs.stop_query, queryId=query_id)
    assert code == "InvalidParameterException"


def test_describe_queries_lists_newest_first_with_filters(logs, app, now_ms):
    put_messages(logs, "other", "s", ["x"], now_ms - 61_000)
    one = logs.start_query(logGroupName="app", queryString="fields @message", startTime=app[0], endTime=app[1])["queryId"]
    two = logs.start_query(logGroupName="other", queryString="stats count(*)", startTime=app[0], endTime=app[1])["queryId"]
    wait_for_query(logs, one)
    wait_for_query(logs, two)
    queries = logs.describe_queries()["queries"]
    assert {q["queryId"] for q in queries} == {one, two}
    by_id = {q["queryId"]: q for q in queries}
    assert by_id[one]["logGroupName"] == "app" and by_id[one]["queryString"] == "fields @message"
    assert by_id[one]["status"] == "Complete" and by_id[one]["queryLanguage"] == "CWLI"
    assert by_id[one]["createTime"] >= now_ms - 5000
    assert by_id[one]["bytesScanned"] == float(sum(len(line) for line in LINES))
    assert [q["queryId"] for q in logs.describe_queries(logGroupName="other")["queries"]] == [two]
    assert logs.describe_queries(status="Running")["queries"] == []
    page = logs.describe_queries(maxResults=1)
    assert len(page["queries"]) == 1
    rest = logs.describe_queries(maxResults=1, nextToken=page["nextToken"])
    assert {page["queries"][0]["queryId"], rest["queries"][0]["queryId"]} == {one, two}


def test_log_group_fields_with_percentages(logs, app, now_ms):
    fields = logs.get_log_group_fields(logGroupName="app", time=(now_ms - 60_000) // 1000)["logGroupFields"]
    by_name = {f["name"]: f["percent"] for f in fields}
    assert by_name["@timestamp"] == by_name["@message"] == by_name["@logStream"] == 100
    assert (by_name["level"], by_name["latency"], by_name["path"]) == (75, 75, 75)
    assert [f["percent"] for f in fields] == sorted((f["percent"] for f in fields), reverse=True)
    code, _, _ = error_of(logs.get_log_group_fields, logGroupName="missing")
    assert code == "ResourceNotFoundException"


def test_log_record_errors(logs, app):
    code, _, _ = error_of(logs.get_log_record, logRecordPointer="not-a-pointer")
    assert code == "InvalidParameterException"
    row = as_dicts(run_query(logs, "fields @message | limit 1", *app)["results"])[0]
    logs.delete_log_group(logGroupName="app")
    code, _, _ = error_of(logs.get_log_record, logRecordPointer=row["@ptr"])
    assert code == "ResourceNotFoundException"


def test_raw_wire_of_a_malformed_query(endpoint, app):
    body = json.dumps({"logGroupName": "app", "queryString": "filter (", "startTime": app[0], "endTime": app[1]})
    status, _, payload = send(sign(endpoint, "POST", "/", service="logs", body=body.encode(), headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.StartQuery"}))
    document = json.loads(payload)
    assert status == 400
    assert document["__type"].endswith("MalformedQueryException")
    assert document["queryCompileError"]["location"] == {"startCharOffset": 8, "endCharOffset": 8}


def test_stop_query_cancels_a_running_scan(logs, now_ms):
    # 60,000 events under a regular expression that reads every message: StopQuery arrives long before the end
    for batch in range(6):
        put_messages(logs, "big", "s", [f"request {batch * 10_000 + i} took {i % 997} ms" for i in range(10_000)],
                     now_ms - 600_000 + batch * 10_000, step_ms=1)
    query_id = logs.start_query(logGroupName="big", startTime=(now_ms - 700_000) // 1000, endTime=now_ms // 1000,
                                queryString="parse @message /took (?<ms>\\d+) ms/ | filter ms like /9$/ "
                                            "| stats count(*) by ms")["queryId"]
    assert logs.stop_query(queryId=query_id)["success"] is True
    answer = wait_for_query(logs, query_id)
    assert (answer["status"], answer["results"]) == ("Cancelled", [])
    (described,) = logs.describe_queries(logGroupName="big")["queries"]
    assert described["status"] == "Cancelled"
    code, _, _ = error_of(logs.stop_query, queryId=query_id)
    assert code == "InvalidParameterException"


def test_forged_page_tokens_are_refused(logs, app):
    import base64
    forged = base64.urlsafe_b64encode(json.dumps(["queries", 5]).encode()).decode()
    assert error_of(logs.describe_queries, nextToken=forged)[:2] == \
        ("InvalidParameterException", "The specified nextToken is invalid.")
    forged = base64.urlsafe_b64encode(json.dumps(["query-definitions", {"a": 1}]).encode()).decode()
    assert error_of(logs.describe_query_definitions, nextToken=forged)[:2] == \
        ("InvalidParameterException", "The specified nextToken is invalid.")
    query_id = logs.start_query(logGroupName="app", queryString="fields @message", startTime=app[0],
                                endTime=app[1])["queryId"]
    for token in ("not base64 at all", base64.urlsafe_b64encode(json.dumps(["query-results", "x"]).encode()).decode()):
        assert error_of(logs.get_query_results, queryId=query_id, nextToken=token)[:2] == \
            ("InvalidParameterException", "The specified nextToken is invalid.")
