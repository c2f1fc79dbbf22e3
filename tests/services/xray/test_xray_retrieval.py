"""Trace retrieval (StartTraceRetrieval, ListRetrievedTraces in the XRAY and OTEL formats,
GetRetrievedTracesGraph, CancelTraceRetrieval) through boto3 and raw HTTP."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
from xray_helpers import dumps, new_id, new_trace_id, segment

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


def _put(xray, *docs):
    assert xray.put_trace_segments(TraceSegmentDocuments=[dumps(d) for d in docs])["UnprocessedTraceSegments"] == []


def _web_calling_sqs(now: float) -> tuple[str, dict]:
    trace_id = new_trace_id(now)
    sub = {"id": new_id(), "name": "SQS", "namespace": "aws", "start_time": now - 9.9, "end_time": now - 9.8,
           "aws": {"operation": "SendMessage", "queue_url": "https://sqs.us-east-1.amazonaws.com/000000000000/jobs"}}
    doc = segment(trace_id, "web", start_time=now - 10, origin="AWS::EC2::Instance", fault=True,
                  http={"request": {"method": "GET", "url": "http://web/x"}, "response": {"status": 500}},
                  annotations={"tier": "gold"}, subsegments=[sub])
    return trace_id, doc


def test_retrieval_lists_the_traces_found_in_the_window(xray):
    now = time.time()
    first, doc = _web_calling_sqs(now)
    second = new_trace_id(now)
    _put(xray, doc, segment(second, "api", start_time=now - 5))
    old = new_trace_id(now - 7200)
    _put(xray, segment(old, "web", start_time=now - 7200))
    token = xray.start_trace_retrieval(TraceIds=[first, second, old, new_trace_id(now)],
                                       StartTime=now - 60, EndTime=now)["RetrievalToken"]
    assert token

    listed = xray.list_retrieved_traces(RetrievalToken=token)
    assert listed["RetrievalStatus"] == "COMPLETE"
    assert listed["TraceFormat"] == "XRAY"
    assert "NextToken" not in listed
    assert [t["Id"] for t in listed["Traces"]] == [first, second]  # the old one is outside the window
    spans = listed["Traces"][0]["Spans"]
    assert [s["Id"] for s in spans] == [doc["id"]]
    assert json.loads(spans[0]["Document"])["subsegments"][0]["name"] == "SQS"
    assert listed["Traces"][0]["Duration"] == pytest.approx(0.25)


def test_otel_format_has_one_span_per_segment_and_subsegment(xray):
    now = time.time()
    trace_id, doc = _web_calling_sqs(now)
    _put(xray, doc)
    token = xray.start_trace_retrieval(TraceIds=[trace_id], StartTime=now - 60, EndTime=now)["RetrievalToken"]
    listed = xray.list_retrieved_traces(RetrievalToken=token, TraceFormat="OTEL")
    assert listed["TraceFormat"] == "OTEL"
    spans = {s["Id"]: json.loads(s["Document"]) for s in listed["Traces"][0]["Spans"]}
    server_span = spans[doc["id"]]
    client_span = spans[doc["subsegments"][0]["id"]]
    assert server_span["traceId"] == trace_id[2:].replace("-", "") and len(server_span["traceId"]) == 32
    assert server_span["kind"] == "SERVER" and "parentSpanId" not in server_span
    assert server_span["resource"]["attributes"]["service.name"] == "web"
    assert server_span["attributes"]["http.response.status_code"] == 500
    assert server_span["attributes"]["annotation.tier"] == "gold"
    assert server_span["status"] == {"code": "ERROR"}
    assert server_span["durationNano"] == server_span["endTimeUnixNano"] - server_span["startTimeUnixNano"]
    assert client_span["kind"] == "CLIENT" and client_span["parentSpanId"] == doc["id"]
    assert client_span["attributes"]["aws.operation"] == "SendMessage"


def test_traces_come_five_a_page(xray):
    now = time.time()
    ids = [new_trace_id(now) for _ in range(12)]
    _put(xray, *[segment(t, "web", start_time=now - 20) for t in ids])
    token = xray.start_trace_retrieval(TraceIds=ids, StartTime=now - 60, EndTime=now)["RetrievalToken"]
    seen, pages, kwargs = [], 0, {}
    while True:
        page = xray.list_retrieved_traces(RetrievalToken=token, **kwargs)
        pages += 1
        seen += [t["Id"] for t in page["Traces"]]
        assert len(page["Traces"]) <= 5
        if "NextToken" not in page:
            break
        kwargs = {"NextToken": page["NextToken"]}
    assert pages == 3 and seen == ids


def test_graph_of_retrieved_traces(xray):
    now = time.time()
    trace_id, doc = _web_calling_sqs(now)
    _put(xray, doc)
    token = xray.start_trace_retrieval(TraceIds=[trace_id], StartTime=now - 60, EndTime=now)["RetrievalToken"]
    graph = xray.get_retrieved_traces_graph(RetrievalToken=token)
    assert graph["RetrievalStatus"] == "COMPLETE"
    services = {s["Service"]["Name"]: s for s in graph["Services"]}
    assert set(services) == {"web", "jobs"}
    web, queue = services["web"]["Service"], services["jobs"]["Service"]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert [e["ReferenceId"] for e in web["Edges"]] == [queue["ReferenceId"]]
    assert web["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1
    assert services["web"]["Links"] == []
    # the same graph GetTraceGraph draws for the trace
    assert [s["Service"] for s in graph["Services"]] == xray.get_trace_graph(TraceIds=[trace_id])["Services"]


def test_cancelled_retrieval_answers_empty(xray):
    now = time.time()
    trace_id = new_trace_id(now)
    _put(xray, segment(trace_id, "web", start_time=now - 5))
    token = xray.start_trace_retrieval(TraceIds=[trace_id], StartTime=now - 60, EndTime=now)["RetrievalToken"]
    assert xray.cancel_trace_retrieval(RetrievalToken=token)["ResponseMetadata"]["HTTPStatusCode"] == 200
    listed = xray.list_retrieved_traces(RetrievalToken=token)
    assert listed["RetrievalStatus"] == "CANCELLED" and listed["Traces"] == []
    graph = xray.get_retrieved_traces_graph(RetrievalToken=token)
    assert graph["RetrievalStatus"] == "CANCELLED" and graph["Services"] == []


def test_unknown_token_and_bad_input(xray):
    for call in (xray.list_retrieved_traces, xray.get_retrieved_traces_graph, xray.cancel_trace_retrieval):
        with pytest.raises(xray.exceptions.ResourceNotFoundException) as raised:
            call(RetrievalToken="no-such-token")
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    now = time.time()
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.start_trace_retrieval(TraceIds=[new_trace_id(now)], StartTime=now, EndTime=now - 60)
    assert raised.value.response["Error"]["Message"] == "EndTime must be after StartTime."
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.start_trace_retrieval(TraceIds=[new_trace_id(now)] * 101, StartTime=now - 60, EndTime=now)
    assert "Member must have length less than or equal to 100" in raised.value.response["Error"]["Message"]
    token = xray.start_trace_retrieval(TraceIds=[], StartTime=now - 60, EndTime=now)["RetrievalToken"]
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.list_retrieved_traces(RetrievalToken=token, NextToken="not-a-token")


def test_raw_http_answers(xray, endpoint):
    """Raw HTTP: the listing on the wire, and a missing RetrievalToken is the model's
    validation error (400, InvalidRequestException), not a server error."""
    now = time.time()
    trace_id = new_trace_id(now)
    _put(xray, segment(trace_id, "web", start_time=now - 5))
    token = xray.start_trace_retrieval(TraceIds=[trace_id], StartTime=now - 60, EndTime=now)["RetrievalToken"]

    def post(path: str, body: dict):
        return _signed_post(endpoint, path, body)

    status, _, body = post("/ListRetrievedTraces", {"RetrievalToken": token, "TraceFormat": "XRAY"})
    assert status == 200 and [t["Id"] for t in body["Traces"]] == [trace_id]
    status, headers, body = post("/ListRetrievedTraces", {})
    assert status == 400
    assert headers["x-amzn-errortype"].startswith("InvalidRequestException")
    assert body.get("Message", body.get("message")) == ("1 validation error detected: Value null at 'retrievalToken' "
                                                        "failed to satisfy constraint: Member must not be null")
    status, headers, _ = post("/StartTraceRetrieval", {"TraceIds": "x", "StartTime": "soon", "EndTime": 1})
    assert status == 400


def test_segment_destination_stays_xray_without_cloudwatch_logs(xray):
    assert xray.get_trace_segment_destination()["Destination"] == "XRay"
    assert xray.get_trace_segment_destination()["Status"] == "ACTIVE"
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.update_trace_segment_destination(Destination="CloudWatchLogs")
    assert "CloudWatch Logs resource policy" in raised.value.response["Error"]["Message"]
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.update_trace_segment_destination(Destination="XRay")
    assert raised.value.response["Error"]["Message"] == "The destination is already set to XRay"
    assert xray.update_trace_segment_destination()["Destination"] == "XRay"
    assert xray.get_trace_segment_destination()["Destination"] == "XRay"
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.update_trace_segment_destination(Destination="S3")
    assert "Member must satisfy enum value set: [XRay, CloudWatchLogs]" in raised.value.response["Error"]["Message"]


def test_default_indexing_rule_is_stored_and_validated(xray, endpoint):
    rules = xray.get_indexing_rules()["IndexingRules"]
    assert rules == [{"Name": "Default", "Rule": {"Probabilistic": {"DesiredSamplingPercentage": 1.0,
                                                                      "ActualSamplingPercentage": 1.0}}}]
    updated = xray.update_indexing_rule(Name="Default", Rule={"Probabilistic": {"DesiredSamplingPercentage": 25}})
    rule = updated["IndexingRule"]
    assert rule["Name"] == "Default" and "ModifiedAt" in rule
    assert rule["Rule"]["Probabilistic"] == {"DesiredSamplingPercentage": 25.0, "ActualSamplingPercentage": 25.0}
    assert xray.get_indexing_rules()["IndexingRules"] == [rule]

    for bad in (-1, 100.5):
        with pytest.raises(xray.exceptions.InvalidRequestException):
            xray.update_indexing_rule(Name="Default", Rule={"Probabilistic": {"DesiredSamplingPercentage": bad}})
    with pytest.raises(xray.exceptions.ResourceNotFoundException):
        xray.update_indexing_rule(Name="Other", Rule={"Probabilistic": {"DesiredSamplingPercentage": 5}})
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.get_indexing_rules(NextToken="x")
    assert xray.get_indexing_rules()["IndexingRules"] == [rule]

    # what boto3 refuses before sending: an empty union, a rule that is not an object
    for rule_value, code in (({}, "InvalidRequestException"), ("x", "SerializationException"),
                             ({"Probabilistic": {}}, "InvalidRequestException"),
                             ({"Probabilistic": 3}, "SerializationException")):
        status, headers, _ = _signed_post(endpoint, "/UpdateIndexingRule", {"Name": "Default", "Rule": rule_value})
        assert status == 400 and headers["x-amzn-errortype"].startswith(code), rule_value
    assert xray.get_indexing_rules()["IndexingRules"] == [rule]


def _signed_post(endpoint: str, path: str, body: dict):
    from signed_http import send, sign

    status, headers, payload = send(sign(endpoint, "POST", path, service="xray", body=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}))
    return status, {k.lower(): v for k, v in headers.items()}, json.loads(payload or b"{}")


def test_aws_cli_retrieval_and_indexing_rules(xray, aws_cli):
    now = time.time()
    trace_id = new_trace_id(now)
    _put(xray, segment(trace_id, "web", start_time=now - 5))
    token = aws_cli("xray", "start-trace-retrieval", "--trace-ids", trace_id, "--start-time", str(int(now - 60)),
                    "--end-time", str(int(now + 1)))["RetrievalToken"]
    listed = aws_cli("xray", "list-retrieved-traces", "--retrieval-token", token, "--trace-format", "OTEL")
    assert listed["RetrievalStatus"] == "COMPLETE" and [t["Id"] for t in listed["Traces"]] == [trace_id]
    updated = aws_cli("xray", "update-indexing-rule", "--name", "Default",
                      "--rule", '{"Probabilistic": {"DesiredSamplingPercentage": 10}}')
    assert updated["IndexingRule"]["Rule"]["Probabilistic"]["DesiredSamplingPercentage"] == 10
    assert aws_cli("xray", "get-trace-segment-destination")["Destination"] == "XRay"
