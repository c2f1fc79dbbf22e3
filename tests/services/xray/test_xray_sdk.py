"""The real aws-xray-sdk against Overcast's daemon port: its segments (annotations, metadata,
the boto3 calls it traced) reach the store and come back through BatchGetTraces; sampling
rules changed through the API change what it samples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

APP = os.path.join(os.path.dirname(__file__), "xray_sdk_app.py")


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


@pytest.fixture
def targets(aws_client, server):
    queue_url = aws_client("sqs").create_queue(QueueName="orders")["QueueUrl"]
    aws_client("s3").create_bucket(Bucket="orders-archive")
    return queue_url, "orders-archive"


def run_app(server, targets, count: int) -> list[str]:
    queue_url, bucket = targets
    env = {**os.environ, "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{server.xray_port}"}
    env.pop("AWS_XRAY_SDK_ENABLED", None)
    proc = subprocess.run([sys.executable, APP, str(server.xray_port), server.endpoint, queue_url, bucket,
                           str(count)], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def rule(fixed_rate: float) -> dict:
    return {"RuleName": "orders", "ResourceARN": "*", "Priority": 1, "FixedRate": fixed_rate, "ReservoirSize": 0,
            "ServiceName": "orders-app", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*",
            "Version": 1}


def wait_for(xray, trace_ids, predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    traces = []
    while time.monotonic() < deadline:
        traces = []
        for start in range(0, len(trace_ids), 5):
            traces += xray.batch_get_traces(TraceIds=trace_ids[start:start + 5])["Traces"]
        if len(traces) == len(trace_ids) and all(predicate(t) for t in traces):
            break
        time.sleep(0.1)
    return traces


def _documents(trace) -> list[dict]:
    return [json.loads(s["Document"]) for s in trace["Segments"]]


def _app_segment(trace) -> dict | None:
    return next((d for d in _documents(trace) if d["name"] == "orders-app"), None)


def test_sdk_segments_reach_the_store_whole(xray, server, targets):
    xray.create_sampling_rule(SamplingRule=rule(1.0))
    sampled = run_app(server, targets, 3)
    assert len(sampled) == 3

    def complete(trace):
        doc = _app_segment(trace)
        return doc is not None and len(doc.get("subsegments", [])) == 2

    traces = wait_for(xray, sampled, complete)
    assert sorted(t["Id"] for t in traces) == sorted(sampled)
    for trace in traces:
        assert complete(trace)
        doc = _app_segment(trace)
        assert doc["annotations"]["order_id"] in (0, 1, 2)
        assert isinstance(doc["annotations"]["express"], bool)
        assert doc["metadata"]["orders"]["order"]["items"][1] == doc["annotations"]["order_id"] + 1
        assert doc["http"]["request"]["method"] == "POST"
        calls = {(s["name"], s["aws"]["operation"]) for s in doc["subsegments"]}
        assert calls == {("sqs", "SendMessage"), ("s3", "PutObject")}  # the Python SDK names them by client
        assert all(s["namespace"] == "aws" for s in doc["subsegments"])


def test_rules_changed_through_the_api_change_what_the_sdk_samples(xray, server, targets):
    xray.create_sampling_rule(SamplingRule=rule(0.0))
    assert run_app(server, targets, 10) == []
    xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "orders", "FixedRate": 1.0})
    assert len(run_app(server, targets, 10)) == 10


def test_sampled_calls_to_s3_and_sqs_get_their_aws_segments(xray, aws_client, server, targets):
    xray.create_sampling_rule(SamplingRule=rule(1.0))
    sampled = run_app(server, targets, 1)
    assert len(sampled) == 1

    def has_service_segments(trace):
        return {"AWS::S3", "AWS::SQS"} <= {d.get("origin") for d in _documents(trace)}

    [trace] = wait_for(xray, sampled, lambda t: has_service_segments(t) and _app_segment(t) is not None)
    docs = _documents(trace)
    app = _app_segment(trace)
    calls = {s["aws"]["operation"]: s["id"] for s in app["subsegments"]}
    by_origin = {d.get("origin"): d for d in docs}
    s3, sqs = by_origin["AWS::S3"], by_origin["AWS::SQS"]
    assert (s3["name"], s3["aws"]["operation"], s3["aws"]["bucket_name"]) == ("S3", "PutObject", "orders-archive")
    assert (sqs["name"], sqs["aws"]["operation"]) == ("SQS", "SendMessage")
    assert s3["parent_id"] == calls["PutObject"] and sqs["parent_id"] == calls["SendMessage"]
    assert s3["http"]["response"]["status"] == 200 and s3["end_time"] >= s3["start_time"]

    # SQS kept the header for the consumer, as AWSTraceHeader
    message = aws_client("sqs").receive_message(QueueUrl=targets[0], MessageSystemAttributeNames=["AWSTraceHeader"])
    header = message["Messages"][0]["Attributes"]["AWSTraceHeader"]
    assert f"Root={sampled[0]}" in header and "Sampled=1" in header


def test_only_sampled_calls_record_a_segment(xray, aws_client, server, targets):
    sqs = aws_client("sqs")
    trace_id = "1-{:08x}-{}".format(int(time.time()), "ab" * 12)
    header = {}

    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = header["value"]

    sqs.meta.events.register("before-sign.sqs.SendMessage", add_header)
    header["value"] = f"Root={trace_id};Parent=0000000000000001;Sampled=0"
    sqs.send_message(QueueUrl=targets[0], MessageBody="quiet")
    header["value"] = f"Root={trace_id};Parent=0000000000000002"
    sqs.send_message(QueueUrl=targets[0], MessageBody="undecided")
    header["value"] = f"Root={trace_id};Parent=0000000000000003;Sampled=1"
    sqs.send_message(QueueUrl=targets[0], MessageBody="traced")
    [trace] = wait_for(xray, [trace_id], lambda t: True)
    assert [d["parent_id"] for d in _documents(trace)] == ["0000000000000003"]


def test_the_service_graph_shows_the_app_calling_s3_and_sqs(xray, server, targets):
    xray.create_sampling_rule(SamplingRule=rule(1.0))
    before = time.time() - 5
    sampled = run_app(server, targets, 2)
    wait_for(xray, sampled, lambda t: {"AWS::S3", "AWS::SQS"} <= {d.get("origin") for d in _documents(t)})
    graph = xray.get_service_graph(StartTime=before, EndTime=time.time() + 5)
    services = {s["ReferenceId"]: s for s in graph["Services"]}
    app = next(s for s in services.values() if s["Name"] == "orders-app")
    called = {(services[e["ReferenceId"]]["Name"], services[e["ReferenceId"]]["Type"]) for e in app["Edges"]}
    assert {("S3", "AWS::S3"), ("SQS", "AWS::SQS")} <= called
