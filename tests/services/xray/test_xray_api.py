"""X-Ray's ingestion API through boto3: PutTraceSegments with X-Ray's validation,
BatchGetTraces, PutTelemetryRecords."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
from xray_helpers import dumps, new_id, new_trace_id, segment


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


def test_segments_come_back_whole_through_batch_get_traces(xray):
    trace_id = new_trace_id()
    root = segment(trace_id, "web", http={"request": {"method": "GET", "url": "http://x/y"}, "response": {"status": 200}},
                   annotations={"user": "alice", "n": 3, "ok": True}, metadata={"default": {"k": [1, 2]}})
    nested = {"id": new_id(), "name": "inner", "start_time": root["start_time"], "end_time": root["end_time"]}
    root["subsegments"] = [nested]
    separate = {"type": "subsegment", "trace_id": trace_id, "parent_id": root["id"], "id": new_id(),
                "name": "sqs", "namespace": "aws", "start_time": root["start_time"] + 0.01,
                "end_time": root["start_time"] + 0.02, "aws": {"operation": "SendMessage"}}
    downstream = segment(trace_id, "worker", parent_id=separate["id"], start_time=root["start_time"] + 0.05)
    out = xray.put_trace_segments(TraceSegmentDocuments=[dumps(root), dumps(separate), dumps(downstream)])
    assert out["UnprocessedTraceSegments"] == []

    traces = xray.batch_get_traces(TraceIds=[trace_id, new_trace_id()])
    assert len(traces["Traces"]) == 1 and len(traces["UnprocessedTraceIds"]) == 1
    trace = traces["Traces"][0]
    assert trace["Id"] == trace_id
    assert trace["Duration"] == pytest.approx(max(root["end_time"], downstream["end_time"]) - root["start_time"], abs=0.002)
    docs = {s["Id"]: json.loads(s["Document"]) for s in trace["Segments"]}
    assert set(docs) == {root["id"], downstream["id"]}  # the subsegment sent alone is back under its parent
    web = docs[root["id"]]
    assert web["annotations"] == {"user": "alice", "n": 3, "ok": True}
    assert web["metadata"] == {"default": {"k": [1, 2]}}
    assert [s["name"] for s in web["subsegments"]] == ["inner", "sqs"]
    assert docs[downstream["id"]]["parent_id"] == separate["id"]


def test_an_array_of_subsegments_is_one_document(xray):
    trace_id = new_trace_id()
    root = segment(trace_id)
    subs = [{"type": "subsegment", "trace_id": trace_id, "parent_id": root["id"], "id": new_id(), "name": f"s{i}",
             "start_time": root["start_time"], "end_time": root["end_time"]} for i in range(2)]
    out = xray.put_trace_segments(TraceSegmentDocuments=[dumps(root), dumps(subs)])
    assert out["UnprocessedTraceSegments"] == []
    doc = json.loads(xray.batch_get_traces(TraceIds=[trace_id])["Traces"][0]["Segments"][0]["Document"])
    assert sorted(s["name"] for s in doc["subsegments"]) == ["s0", "s1"]


def test_in_progress_segment_is_replaced_by_the_completed_one(xray):
    doc = segment()
    del doc["end_time"]
    doc["in_progress"] = True
    assert xray.put_trace_segments(TraceSegmentDocuments=[dumps(doc)])["UnprocessedTraceSegments"] == []
    done = {k: v for k, v in doc.items() if k != "in_progress"}
    done["end_time"] = doc["start_time"] + 2
    xray.put_trace_segments(TraceSegmentDocuments=[dumps(done)])
    segments = xray.batch_get_traces(TraceIds=[doc["trace_id"]])["Traces"][0]["Segments"]
    assert len(segments) == 1
    assert "in_progress" not in json.loads(segments[0]["Document"])


BAD = [
    ({"name": "a", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": 2.0}, "MissingId", False),
    ({"id": "XYZ", "name": "a", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": 2.0}, "InvalidId", False),
    ({"id": "0123456789abcdef", "name": "a", "start_time": 1.0, "end_time": 2.0}, "MissingTraceId", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": "1-abc-def", "start_time": 1.0, "end_time": 2.0},
     "InvalidTraceId", True),
    ({"id": "0123456789abcdef", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": 2.0}, "MissingName", True),
    ({"id": "0123456789abcdef", "name": "bad<name>", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": 2.0},
     "InvalidName", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "end_time": 2.0}, "MissingStartTime", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "start_time": float("nan"), "end_time": 2.0},
     "InvalidStartTime", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "start_time": 1.0}, "MissingEndTime", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": float("inf")},
     "InvalidEndTime", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "start_time": 3.0, "end_time": 2.0},
     "InvalidEndTime", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": 2.0,
      "type": "subsegment"}, "MissingParentId", True),
    ({"id": "0123456789abcdef", "name": "a", "trace_id": new_trace_id(), "start_time": 1.0, "end_time": 2.0,
      "annotations": {"k": {"nested": 1}}}, "InvalidAnnotation", True),
]


@pytest.mark.parametrize("doc,code,has_id", BAD, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD)])
def test_bad_documents_come_back_unprocessed_with_the_reason(xray, doc, code, has_id):
    good = segment()
    out = xray.put_trace_segments(TraceSegmentDocuments=[dumps(doc), dumps(good)])
    expected = {"ErrorCode": code, "Message": f"Invalid segment. ErrorCode: {code}"}
    if has_id:
        expected["Id"] = doc["id"]
    assert out["UnprocessedTraceSegments"] == [expected]
    assert xray.batch_get_traces(TraceIds=[good["trace_id"]])["Traces"][0]["Id"] == good["trace_id"]


def test_not_json_and_too_large_documents(xray):
    big = segment(metadata={"default": {"blob": "x" * (64 * 1024)}})
    out = xray.put_trace_segments(TraceSegmentDocuments=["{not json", dumps(big)])
    assert out["UnprocessedTraceSegments"] == [
        {"ErrorCode": "InvalidSegment", "Message": "Invalid segment. ErrorCode: InvalidSegment"},
        {"ErrorCode": "SegmentTooLarge", "Message": "Invalid segment. ErrorCode: SegmentTooLarge", "Id": big["id"]},
    ]
    assert xray.batch_get_traces(TraceIds=[big["trace_id"]])["Traces"] == []


def test_missing_documents_parameter_is_invalid_request(endpoint, server):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))
    from signed_http import send, sign

    status, headers, body = send(sign(endpoint, "POST", "/TraceSegments", service="xray", body=b"{}",
                                      headers={"Content-Type": "application/json"}))
    assert status == 400
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers["x-amzn-errortype"].startswith("InvalidRequestException")
    payload = json.loads(body)
    assert payload.get("Message", payload.get("message")) == ("1 validation error detected: Value null at 'traceSegmentDocuments' "
                                           "failed to satisfy constraint: Member must not be null")


def test_odd_values_outside_the_rules_are_kept(xray):
    doc = segment(http={"response": {"status": 10 ** 30}}, start_time=10 ** 12, end_time=10 ** 12 + 1)
    assert xray.put_trace_segments(TraceSegmentDocuments=[dumps(doc)])["UnprocessedTraceSegments"] == []
    stored = json.loads(xray.batch_get_traces(TraceIds=[doc["trace_id"]])["Traces"][0]["Segments"][0]["Document"])
    assert stored["http"]["response"]["status"] == 10 ** 30


def test_an_origin_that_is_not_a_string_is_kept_in_the_document(xray):
    doc = segment(origin=["AWS::EC2::Instance"])
    assert xray.put_trace_segments(TraceSegmentDocuments=[dumps(doc)])["UnprocessedTraceSegments"] == []
    stored = json.loads(xray.batch_get_traces(TraceIds=[doc["trace_id"]])["Traces"][0]["Segments"][0]["Document"])
    assert stored["origin"] == ["AWS::EC2::Instance"]


def test_batch_get_traces_takes_at_most_five_ids_and_no_token(xray):
    with pytest.raises(xray.exceptions.InvalidRequestException) as info:
        xray.batch_get_traces(TraceIds=[new_trace_id() for _ in range(6)])
    assert info.value.response["Error"]["Message"] == "Exceeding maximum query size: 5"
    with pytest.raises(xray.exceptions.InvalidRequestException) as info:
        xray.batch_get_traces(TraceIds=[new_trace_id()], NextToken="")
    assert info.value.response["Error"]["Message"] == "NextToken is currently not supported"


def test_put_telemetry_records_is_accepted(xray):
    out = xray.put_telemetry_records(
        TelemetryRecords=[{"Timestamp": time.time(), "SegmentsReceivedCount": 3, "SegmentsSentCount": 3,
                           "SegmentsSpilloverCount": 0, "SegmentsRejectedCount": 0,
                           "BackendConnectionErrors": {"TimeoutCount": 0}}],
        EC2InstanceId="i-0123456789abcdef0", Hostname="host")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_aws_cli_put_and_get(aws_cli, server):
    doc = segment()
    out = aws_cli("xray", "put-trace-segments", "--trace-segment-documents", dumps(doc))
    assert out["UnprocessedTraceSegments"] == []
    got = aws_cli("xray", "batch-get-traces", "--trace-ids", doc["trace_id"])
    assert [s["Id"] for s in got["Traces"][0]["Segments"]] == [doc["id"]]


def test_traces_expire_after_30_days(xray, server):
    doc = segment()
    xray.put_trace_segments(TraceSegmentDocuments=[dumps(doc)])
    server.post("/_overcast/clock", json.dumps({"advance": 29 * 86400}).encode())
    assert len(xray.batch_get_traces(TraceIds=[doc["trace_id"]])["Traces"]) == 1
    server.post("/_overcast/clock", json.dumps({"advance": 2 * 86400}).encode())
    assert xray.batch_get_traces(TraceIds=[doc["trace_id"]])["Traces"] == []
