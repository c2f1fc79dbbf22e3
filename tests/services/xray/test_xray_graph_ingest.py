"""GetServiceGraph answers from summaries made as segments arrive: right after PutTraceSegments
(a trace whose segments come late and out of order is recomputed), with the summaries made in
the background without any query, and after a restart (graceful or kill -9 while summaries
were pending) with the same answer."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from xray_helpers import traffic
from xray_traces_fixture import fixture_traces


def _by_name(services) -> dict:
    return {s["Name"]: s for s in services}


def _targets(service, services) -> set[str]:
    names = {s["ReferenceId"]: s["Name"] for s in services}
    return {names[e["ReferenceId"]] for e in service["Edges"]}


def test_graph_right_after_each_arrival_follows_late_and_out_of_order_segments(aws_client, server):
    xray = aws_client("xray")
    base = float(int(time.time()) - 30)
    root, backend = fixture_traces(base)["fault_post"]
    window = {"StartTime": base - 5, "EndTime": base + 30}

    # the callee's segment first: its caller is not known yet, so it is the entry point
    assert xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(backend)])["UnprocessedTraceSegments"] == []
    nodes = _by_name(xray.get_service_graph(**window)["Services"])
    assert set(nodes) == {"backend"} and nodes["backend"]["Root"] is True

    # the caller arrives later: the trace is summarized again from both documents
    assert xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(root)])["UnprocessedTraceSegments"] == []
    services = xray.get_service_graph(**window)["Services"]
    nodes = _by_name(services)
    assert set(nodes) == {"web", "backend"}
    assert nodes["web"]["Root"] is True and nodes["backend"]["Root"] is False
    assert _targets(nodes["web"], services) == {"backend"}
    assert nodes["web"]["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1

    # the root sent again without its fault replaces the stored one
    healed = {k: v for k, v in root.items() if k != "fault"}
    healed["http"] = dict(root["http"], response={"status": 200})
    assert xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(healed)])["UnprocessedTraceSegments"] == []
    web = _by_name(xray.get_service_graph(**window)["Services"])["web"]
    assert web["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 0
    assert web["SummaryStatistics"]["TotalCount"] == 1


def _client(proc: ServerProcess):
    return boto3.session.Session().client(
        "xray", endpoint_url=proc.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30))


def _pending(proc: ServerProcess) -> int:
    """Traces whose summary the server has not made yet, read from its database (read-only)."""
    with sqlite3.connect(f"file:{os.path.join(proc.data_dir, 'xray.db')}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM trace_changes").fetchone()[0]


def _counts(graph) -> dict:
    services = graph["Services"]
    return {s["Name"]: (s["SummaryStatistics"]["TotalCount"], s["SummaryStatistics"]["FaultStatistics"]["TotalCount"],
                        sorted(_targets(s, services))) for s in services}


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_summaries_are_made_in_the_background_and_survive_restarts(own_server):
    xray = _client(own_server)
    first = math.floor(time.time() / 60) * 60 - 1200
    window = {"StartTime": first, "EndTime": first + 1200}
    for n in range(4):
        traffic(xray, first + n * 60, 25, 5)

    deadline = time.monotonic() + 20
    while _pending(own_server) and time.monotonic() < deadline:  # nobody asked: the background does it
        time.sleep(0.05)
    assert _pending(own_server) == 0
    before = xray.get_service_graph(**window)
    assert _counts(before) == {"web": (100, 20, ["db"]), "db": (100, 0, [])}

    own_server.stop()
    own_server.start()
    xray = _client(own_server)
    assert _pending(own_server) == 0  # nothing to redo: the summaries were committed
    assert xray.get_service_graph(**window)["Services"] == before["Services"]

    traffic(xray, first + 300, 10, 10)  # acknowledged, then killed before (or while) summarized
    own_server.kill()
    own_server.start()
    xray = _client(own_server)
    assert _counts(xray.get_service_graph(**window)) == {"web": (110, 30, ["db"]), "db": (110, 0, [])}


def _limit_file_size():
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (3 * 1024 * 1024, 3 * 1024 * 1024))


def test_a_full_disk_refuses_segments_but_the_graph_still_counts_every_acknowledged_one(tmp_path):
    from botocore.exceptions import ClientError

    proc = ServerProcess(str(tmp_path / "data"), preexec_fn=_limit_file_size).start()
    try:
        xray = _client(proc)
        now = float(int(time.time()))
        acknowledged = 0
        for n in range(200):  # the database grows until the file size limit refuses a commit
            trace = [{"trace_id": f"1-{int(now):08x}-{n:024x}", "id": f"{n:016x}", "name": "web",
                      "start_time": now - 10, "end_time": now - 9, "metadata": {"pad": "x" * 60_000}}]
            try:
                out = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(d) for d in trace])
            except ClientError as exc:
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 500
                break
            assert out["UnprocessedTraceSegments"] == []
            acknowledged += 1
        assert 0 < acknowledged < 200
        services = xray.get_service_graph(StartTime=now - 60, EndTime=now)["Services"]
        assert [(s["Name"], s["SummaryStatistics"]["TotalCount"]) for s in services] == [("web", acknowledged)]
    finally:
        proc.stop()
