"""The X-Ray daemon port of the session server: UDP segment datagrams and the TCP sampling
proxy, as the SDKs use them."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest
from xray_helpers import dumps, new_id, segment

HEADER = b'{"format": "json", "version": 1}\n'


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


@pytest.fixture
def udp(server):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    yield lambda payload: sock.sendto(payload, ("127.0.0.1", server.xray_port))
    sock.close()


def wait_for_traces(xray, trace_ids, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        found = xray.batch_get_traces(TraceIds=trace_ids)["Traces"]
        if len(found) == len(trace_ids) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_segments_over_udp_are_stored(xray, udp):
    docs = [segment(name=f"svc{i}") for i in range(3)]
    for doc in docs:
        udp(HEADER + dumps(doc).encode())
    found = wait_for_traces(xray, [d["trace_id"] for d in docs])
    assert sorted(t["Id"] for t in found) == sorted(d["trace_id"] for d in docs)


def test_subsegments_sent_alone_over_udp_join_their_segment(xray, udp):
    root = segment()
    sub = {"type": "subsegment", "trace_id": root["trace_id"], "parent_id": root["id"], "id": new_id(),
           "name": "S3", "namespace": "aws", "start_time": root["start_time"], "end_time": root["end_time"]}
    udp(HEADER + dumps(sub).encode())
    udp(HEADER + dumps(root).encode())
    deadline = time.monotonic() + 5
    while True:
        traces = xray.batch_get_traces(TraceIds=[root["trace_id"]])["Traces"]
        segments = traces[0]["Segments"] if traces else []
        if len(segments) == 1 and "subsegments" in segments[0]["Document"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [s["name"] for s in json.loads(segments[0]["Document"])["subsegments"]] == ["S3"]


def test_malformed_datagrams_are_dropped_and_the_port_keeps_working(xray, udp):
    bad = [b"", b"no header line", b'{"format": "xml", "version": 1}\n{}', HEADER + b"{not json",
           HEADER + b"[]", b"\xff\xfe\n\x00", HEADER + dumps({"id": "zz"}).encode(), HEADER + b"[" * 60000]
    for payload in bad:
        udp(payload)
    good = segment()
    udp(HEADER + dumps(good).encode())
    # (the log line reporting the drops is tested in test_xray_daemon_drops.py: on this shared
    # server an earlier test may have used up its once-a-minute window)
    assert [t["Id"] for t in wait_for_traces(xray, [good["trace_id"]])] == [good["trace_id"]]


def post(server, path, body: bytes):
    request = urllib.request.Request(f"http://127.0.0.1:{server.xray_port}{path}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_tcp_side_answers_the_sdk_sampling_calls(xray, server):
    xray.create_sampling_rule(SamplingRule={
        "RuleName": "orders", "ResourceARN": "*", "Priority": 1, "FixedRate": 1.0, "ReservoirSize": 2,
        "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1})
    status, rules = post(server, "/GetSamplingRules", b"{}")
    assert status == 200
    assert [r["SamplingRule"]["RuleName"] for r in rules["SamplingRuleRecords"]] == ["orders", "Default"]
    assert isinstance(rules["SamplingRuleRecords"][0]["ModifiedAt"], float)

    status, targets = post(server, "/SamplingTargets", json.dumps({"SamplingStatisticsDocuments": [
        {"RuleName": "orders", "ClientID": "0" * 24, "Timestamp": time.time(), "RequestCount": 5,
         "SampledCount": 5, "BorrowCount": 0}]}).encode())
    assert status == 200
    assert targets["SamplingTargetDocuments"][0]["ReservoirQuota"] == 2
    assert targets["LastRuleModification"] == rules["SamplingRuleRecords"][0]["ModifiedAt"]


def test_tcp_side_refuses_other_paths_and_bad_bodies(server):
    assert post(server, "/TraceSegments", b"{}")[0] == 404
    status, body = post(server, "/SamplingTargets", b"{oops")
    assert status == 400 and body["__type"] == "SerializationException"
    status, body = post(server, "/SamplingTargets", b"{}")
    assert status == 400 and body["__type"] == "InvalidRequestException"


def test_port_setting_is_checked(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "overcast", "serve", "--data-dir", str(tmp_path / "d"),
                             "--imds-port", "0"], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "OVERCAST_XRAY_PORT": "70000"})
    assert result.returncode == 2
    assert result.stderr == "overcast: OVERCAST_XRAY_PORT=70000 is out of range (0..65535)\n"


def test_port_zero_turns_the_daemon_off_and_a_taken_port_leaves_the_api_serving(tmp_path):
    from serverproc import ServerProcess, free_port

    off = ServerProcess(str(tmp_path / "off"), "--xray-port", "0").start()
    try:
        assert "X-Ray daemon" not in "".join(off.output)
    finally:
        off.stop()
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", port))
        proc = ServerProcess(str(tmp_path / "taken"), xray_port=port).start()
        try:
            assert f"X-Ray daemon NOT served on port {port}" in "".join(proc.output)
            assert proc.get("/_overcast/health")
        finally:
            proc.stop()
