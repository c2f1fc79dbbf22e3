"""X-Ray after kill -9: every acknowledged PutTraceSegments, the sampling rules and groups
are there after a restart, segments received over UDP before the kill too, and the daemon
port serves again; trace retrievals, indexing rules and insights too, and the insight detector
goes on where it stopped."""

from __future__ import annotations

import json
import math
import socket
import time

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from xray_helpers import dumps, segment, traffic

HEADER = b'{"format": "json", "version": 1}\n'


def client(server: ServerProcess):
    return boto3.session.Session().client(
        "xray", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def all_traces(xray, trace_ids) -> set[str]:
    found = set()
    for start in range(0, len(trace_ids), 5):
        found |= {t["Id"] for t in xray.batch_get_traces(TraceIds=trace_ids[start:start + 5])["Traces"]}
    return found


def test_acknowledged_segments_and_configuration_survive_kill_9(own_server):
    xray = client(own_server)
    acknowledged = []
    for _ in range(20):
        docs = [segment() for _ in range(5)]
        assert xray.put_trace_segments(TraceSegmentDocuments=[dumps(d) for d in docs])["UnprocessedTraceSegments"] == []
        acknowledged += [d["trace_id"] for d in docs]
    xray.create_sampling_rule(SamplingRule={
        "RuleName": "keep", "ResourceARN": "*", "Priority": 5, "FixedRate": 0.3, "ReservoirSize": 2,
        "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1})
    xray.create_group(GroupName="kept", FilterExpression="fault")

    over_udp = [segment() for _ in range(20)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for doc in over_udp:
            udp.sendto(HEADER + dumps(doc).encode(), ("127.0.0.1", own_server.xray_port))
    udp_ids = [d["trace_id"] for d in over_udp]
    deadline = time.monotonic() + 5
    while all_traces(xray, udp_ids) != set(udp_ids) and time.monotonic() < deadline:
        time.sleep(0.05)

    own_server.kill()
    own_server.start()
    xray = client(own_server)
    assert all_traces(xray, acknowledged) == set(acknowledged)
    assert all_traces(xray, udp_ids) == set(udp_ids)
    assert [r["SamplingRule"]["RuleName"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]] == ["keep", "Default"]
    assert xray.get_group(GroupName="kept")["Group"]["FilterExpression"] == "fault"

    again = segment()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(HEADER + dumps(again).encode(), ("127.0.0.1", own_server.xray_port))
    deadline = time.monotonic() + 5
    while not all_traces(xray, [again["trace_id"]]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all_traces(xray, [again["trace_id"]]) == {again["trace_id"]}


def test_retrievals_rules_and_insights_survive_kill_9(own_server):
    xray = client(own_server)
    xray.create_group(GroupName="shop", InsightsConfiguration={"InsightsEnabled": True})
    first = math.floor(json.loads(own_server.get("/_overcast/clock"))["now"] / 60) * 60 + 60
    ids = []
    for n in range(20):
        ids += traffic(xray, first + n * 60, 10, 8 if 10 <= n < 14 else 0)
    own_server.post("/_overcast/clock", json.dumps({"time": first + 14 * 60 + 5}).encode())
    (insight,) = xray.get_insight_summaries(GroupName="shop", StartTime=first, EndTime=first + 3600)["InsightSummaries"]
    assert insight["State"] == "ACTIVE"
    token = xray.start_trace_retrieval(TraceIds=ids[:3], StartTime=first, EndTime=first + 3600)["RetrievalToken"]
    xray.update_indexing_rule(Name="Default", Rule={"Probabilistic": {"DesiredSamplingPercentage": 40}})

    own_server.kill()
    own_server.start()
    xray = client(own_server)
    assert [t["Id"] for t in xray.list_retrieved_traces(RetrievalToken=token)["Traces"]] == ids[:3]
    rule = xray.get_indexing_rules()["IndexingRules"][0]
    assert rule["Rule"]["Probabilistic"]["DesiredSamplingPercentage"] == 40
    own_server.post("/_overcast/clock", json.dumps({"time": first + 23 * 60}).encode())
    (closed,) = xray.get_insight_summaries(GroupName="shop", StartTime=first, EndTime=first + 3600)["InsightSummaries"]
    assert closed["InsightId"] == insight["InsightId"] and closed["State"] == "CLOSED"
    assert closed["EndTime"].timestamp() == first + 14 * 60
