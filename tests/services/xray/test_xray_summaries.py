"""GetTraceSummaries through boto3 against the real server: the summary shape, filter
expressions, time range types, sampling, pagination and the errors."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from xray_helpers import new_trace_id, segment
from xray_traces_fixture import fixture_traces


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


@pytest.fixture
def stored(xray):
    """The fixture traces, sent half a minute ago; returns (base time, {name: docs})."""
    base = float(int(time.time()) - 30)
    traces = fixture_traces(base)
    docs = [json.dumps(d) for trace in traces.values() for d in trace]
    assert xray.put_trace_segments(TraceSegmentDocuments=docs)["UnprocessedTraceSegments"] == []
    return base, traces


def _summaries(xray, base, **kwargs):
    kwargs.setdefault("StartTime", base - 5)
    kwargs.setdefault("EndTime", base + 30)
    return xray.get_trace_summaries(**kwargs)


def _names(result, traces) -> set[str]:
    by_id = {docs[0]["trace_id"]: name for name, docs in traces.items()}
    return {by_id[s["Id"]] for s in result["TraceSummaries"]}


def test_summary_of_a_trace_has_aws_shape(xray, stored):
    base, traces = stored
    result = _summaries(xray, base)
    assert _names(result, traces) == set(traces)
    assert result["TracesProcessedCount"] == 6 and "ApproximateTime" in result and "NextToken" not in result
    summary = next(s for s in result["TraceSummaries"] if s["Id"] == traces["ok_get"][0]["trace_id"])
    web = {"Name": "web", "Names": ["web"], "Type": "AWS::EC2::Instance"}
    assert summary["Duration"] == pytest.approx(0.2) and summary["ResponseTime"] == pytest.approx(0.2)
    assert (summary["HasFault"], summary["HasError"], summary["HasThrottle"], summary["IsPartial"]) == (False,) * 4
    assert summary["Http"] == {"HttpURL": "http://api.example.com/v2/users", "HttpStatus": 200, "HttpMethod": "GET",
                               "UserAgent": "curl/8.0", "ClientIp": "10.0.0.1"}
    assert summary["Annotations"] == {
        "account": [{"AnnotationValue": {"StringValue": "12345"}, "ServiceIds": [web]}],
        "tier": [{"AnnotationValue": {"NumberValue": 2.0}, "ServiceIds": [web]}],
        "beta": [{"AnnotationValue": {"BooleanValue": True}, "ServiceIds": [web]}],
    }
    assert summary["Users"] == [{"UserName": "alice", "ServiceIds": [web]}]
    assert summary["EntryPoint"] == web
    assert {"Name": "orders", "Names": ["orders"], "Type": "AWS::SQS::Queue"} in summary["ServiceIds"]
    assert summary["StartTime"].timestamp() == pytest.approx(base)
    assert summary["Revision"] >= 1


def test_fault_root_cause_names_the_downstream_service_and_its_exception(xray, stored):
    base, traces = stored
    result = _summaries(xray, base, FilterExpression="fault")
    assert _names(result, traces) == {"fault_post"}
    summary = result["TraceSummaries"][0]
    assert summary["HasFault"] is True and summary["Http"]["HttpStatus"] == 502
    cause = summary["FaultRootCauses"][0]
    assert cause["ClientImpacting"] is True
    service = cause["Services"][0]
    assert (service["Name"], service["Type"], service["Inferred"]) == ("backend", "AWS::ECS::Container", False)
    assert service["EntityPath"] == [{"Name": "backend", "Remote": False,
                                      "Exceptions": [{"Name": "DBError", "Message": "connection refused"}]}]
    assert summary["ErrorRootCauses"] == []
    assert summary["ResponseTimeRootCauses"][0]["Services"][0]["Name"] == "backend"


@pytest.mark.parametrize("expression,expected", [
    ('service("backend") { fault }', {"fault_post"}),
    ('http.url CONTAINS "/v2/" AND !partial', {"ok_get", "error_404", "slow_ok"}),
    ('annotation.tier > 1', {"ok_get", "error_404"}),
    ('edge("web", id(name: "orders", type: "AWS::SQS::Queue"))', {"ok_get"}),
    ('rootcause.fault.service.name = "reports"', {"slow_ok"}),
    ("partial", {"partial"}),
    ('user = "alice" AND responsetime > 5', {"slow_ok"}),
])
@pytest.mark.parametrize("summarized", [False, True], ids=["just-stored", "summarized"])
def test_filter_expressions_select_traces(xray, stored, expression, expected, summarized):
    base, traces = stored
    if summarized:  # a service graph query finishes the summaries: the prefilter has every trace's facts
        xray.get_service_graph(StartTime=base - 5, EndTime=base + 30)
    assert _names(_summaries(xray, base, FilterExpression=expression), traces) == expected


def test_filtered_pages_are_the_same_before_and_after_summaries(xray):
    now = float(int(time.time()))
    docs = [json.dumps(segment(new_trace_id(now - 20), f"svc{i % 4}", start_time=now - 20 + i * 0.01,
                               fault=i % 3 == 0)) for i in range(400)]
    for i in range(0, len(docs), 100):
        assert xray.put_trace_segments(TraceSegmentDocuments=docs[i:i + 100])["UnprocessedTraceSegments"] == []

    def pages():
        out, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            page = xray.get_trace_summaries(StartTime=now - 30, EndTime=now, FilterExpression='fault AND service("svc1")',
                                            **kwargs)
            out.append(([s["Id"] for s in page["TraceSummaries"]], page["TracesProcessedCount"]))
            token = page.get("NextToken")
            if not token:
                return out

    before = pages()  # right after the segments arrived (summaries partly made at most)
    xray.get_service_graph(StartTime=now - 30, EndTime=now)
    assert pages() == before
    assert sum(len(ids) for ids, _ in before) == len([i for i in range(400) if i % 3 == 0 and i % 4 == 1])


def test_group_filter_expression_is_usable_in_a_filter(xray, stored):
    base, traces = stored
    xray.create_group(GroupName="slow", FilterExpression="responsetime > 5")
    assert _names(_summaries(xray, base, FilterExpression='group.name = "slow" OR error'), traces) == {
        "slow_ok", "error_404", "throttled"}


def test_invalid_filter_expression_is_an_invalid_request(xray, stored):
    base, _ = stored
    with pytest.raises(ClientError) as raised:
        _summaries(xray, base, FilterExpression='responsetime > "fast"')
    error = raised.value.response
    assert error["Error"]["Code"] == "InvalidRequestException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"].startswith("Invalid filter expression")


def test_end_before_start_is_an_invalid_request(xray):
    with pytest.raises(ClientError) as raised:
        xray.get_trace_summaries(StartTime=time.time(), EndTime=time.time() - 60)
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"


def test_time_range_types_trace_id_event_and_service(xray):
    now = float(int(time.time()))
    # A trace whose id says it began 100 s ago, with a segment that started 5 s ago and
    # ended 1 s ago.
    trace_id = new_trace_id(now - 100)
    doc = segment(trace_id, "late", start_time=now - 5, end_time=now - 1)
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(doc)])

    def ids(**kwargs):
        return [s["Id"] for s in xray.get_trace_summaries(**kwargs)["TraceSummaries"]]

    assert ids(StartTime=now - 10, EndTime=now) == []  # TraceId is the default
    assert ids(StartTime=now - 101, EndTime=now - 99, TimeRangeType="TraceId") == [trace_id]
    assert ids(StartTime=now - 6, EndTime=now - 4, TimeRangeType="Event") == [trace_id]
    assert ids(StartTime=now - 3, EndTime=now, TimeRangeType="Event") == []
    assert ids(StartTime=now - 2, EndTime=now, TimeRangeType="Service") == [trace_id]
    event = xray.get_trace_summaries(StartTime=now - 6, EndTime=now - 4, TimeRangeType="Event")["TraceSummaries"][0]
    assert event["MatchedEventTime"].timestamp() == pytest.approx(now - 5)


def test_pages_of_summaries_with_next_token(xray):
    now = float(int(time.time()))
    docs = [json.dumps(segment(new_trace_id(now - 20), f"svc{i}", start_time=now - 20 + i * 0.01)) for i in range(130)]
    for i in range(0, len(docs), 50):
        assert xray.put_trace_segments(TraceSegmentDocuments=docs[i:i + 50])["UnprocessedTraceSegments"] == []
    first = xray.get_trace_summaries(StartTime=now - 30, EndTime=now)
    assert len(first["TraceSummaries"]) == 100 and first["NextToken"]
    second = xray.get_trace_summaries(StartTime=now - 30, EndTime=now, NextToken=first["NextToken"])
    assert len(second["TraceSummaries"]) == 30 and "NextToken" not in second
    seen = [s["Id"] for s in first["TraceSummaries"] + second["TraceSummaries"]]
    assert len(set(seen)) == 130
    paginator = xray.get_paginator("get_trace_summaries")
    assert sum(len(p["TraceSummaries"]) for p in paginator.paginate(StartTime=now - 30, EndTime=now)) == 130


def test_bad_next_token_is_an_invalid_request(xray):
    with pytest.raises(ClientError) as raised:
        xray.get_trace_summaries(StartTime=time.time() - 60, EndTime=time.time(), NextToken="not-a-token")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"


def test_fixed_rate_sampling_returns_a_subset(xray, stored):
    base, traces = stored
    none = _summaries(xray, base, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 0.0})
    assert none["TraceSummaries"] == []
    every = _summaries(xray, base, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 1.0})
    assert _names(every, traces) == set(traces)
    unsampled = _summaries(xray, base, Sampling=False, SamplingStrategy={"Name": "FixedRate", "Value": 0.0})
    assert _names(unsampled, traces) == set(traces)


@pytest.mark.parametrize("expression", ["(" * 3000 + "ok" + ")" * 3000, 'annotation.x = "\u00e9\\"', "\u0000", "1e999 > duration"])
def test_hostile_filter_expressions_get_invalid_request_not_500(xray, expression):
    with pytest.raises(ClientError) as raised:
        xray.get_trace_summaries(StartTime=time.time() - 60, EndTime=time.time(), FilterExpression=expression)
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_queries_through_the_aws_cli(aws_cli, stored):
    base, traces = stored
    window = ["--start-time", str(int(base - 5)), "--end-time", str(int(base + 30))]
    found = aws_cli("xray", "get-trace-summaries", *window, "--filter-expression", 'service("backend") { fault }')
    assert [s["Id"] for s in found["TraceSummaries"]] == [traces["fault_post"][0]["trace_id"]]
    graph = aws_cli("xray", "get-service-graph", *window)
    assert {"web", "backend", "orders"} <= {s["Name"] for s in graph["Services"]}
    refused = aws_cli("xray", "get-trace-summaries", *window, "--filter-expression", "responsetime >", check=False)
    assert refused.returncode != 0 and "InvalidRequestException" in refused.stderr
