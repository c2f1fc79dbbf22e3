"""GetServiceGraph, GetTraceGraph, GetTimeSeriesServiceStatistics and GetInsightSummaries
through boto3 against the real server, over the fixed traces of the filter table."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from xray_traces_fixture import fixture_traces


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


@pytest.fixture
def stored(xray):
    base = float(int(time.time()) - 30)
    traces = fixture_traces(base)
    docs = [json.dumps(d) for trace in traces.values() for d in trace]
    assert xray.put_trace_segments(TraceSegmentDocuments=docs)["UnprocessedTraceSegments"] == []
    return base, traces


def _by_name(services):
    return {s["Name"]: s for s in services}


def _edge_targets(service, services):
    names = {s["ReferenceId"]: s["Name"] for s in services}
    return {names[e["ReferenceId"]]: e for e in service["Edges"]}


def test_service_graph_nodes_edges_and_statistics(xray, stored):
    base, _ = stored
    graph = xray.get_service_graph(StartTime=base - 5, EndTime=base + 30)
    assert graph["StartTime"].timestamp() == base - 5 and graph["ContainsOldGroupVersions"] is False
    services = graph["Services"]
    nodes = _by_name(services)
    assert set(nodes) == {"web", "gateway", "backend", "orders", "reports", "partner.example.net"}
    assert [(nodes[n].get("Type"), nodes[n]["State"], nodes[n]["Root"]) for n in
            ("web", "gateway", "backend", "orders", "reports", "partner.example.net")] == [
        ("AWS::EC2::Instance", "active", True), (None, "active", True), ("AWS::ECS::Container", "active", False),
        ("AWS::SQS::Queue", "unknown", False), ("AWS::DynamoDB::Table", "unknown", False),
        ("remote", "unknown", False)]
    web = nodes["web"]
    assert web["SummaryStatistics"] == {
        "OkCount": 2, "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": 1, "TotalCount": 1},
        "FaultStatistics": {"OtherCount": 1, "TotalCount": 1}, "TotalCount": 4,
        "TotalResponseTime": pytest.approx(9.25)}  # the in-progress request has no outcome yet
    assert [h["Value"] for h in web["ResponseTimeHistogram"]] == [0.05, 0.2, 3.0, 6.0]
    assert nodes["gateway"]["SummaryStatistics"]["ErrorStatistics"] == {"ThrottleCount": 1, "OtherCount": 0,
                                                                        "TotalCount": 1}
    edges = _edge_targets(web, services)
    assert set(edges) == {"backend", "orders", "reports"}
    backend = edges["backend"]
    assert backend["SummaryStatistics"]["FaultStatistics"] == {"OtherCount": 1, "TotalCount": 1}
    assert backend["ResponseTimeHistogram"] == [{"Value": 2.9, "Count": 1}]
    assert backend["Aliases"] == []
    assert set(_edge_targets(nodes["gateway"], services)) == {"partner.example.net"}
    assert nodes["orders"]["Edges"] == [] and nodes["orders"]["SummaryStatistics"]["OkCount"] == 1


def test_service_graph_of_an_empty_window_has_no_services(xray, stored):
    base, _ = stored
    assert xray.get_service_graph(StartTime=base - 3600, EndTime=base - 1800)["Services"] == []


def test_service_graph_of_a_group_keeps_the_traces_its_expression_matches(xray, stored):
    base, _ = stored
    arn = xray.create_group(GroupName="faults", FilterExpression="fault")["Group"]["GroupARN"]
    for selector in ({"GroupName": "faults"}, {"GroupARN": arn}):
        graph = xray.get_service_graph(StartTime=base - 5, EndTime=base + 30, **selector)
        assert set(_by_name(graph["Services"])) == {"web", "backend"}
    with pytest.raises(ClientError) as raised:
        xray.get_service_graph(StartTime=base - 5, EndTime=base + 30, GroupName="nope")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"


def test_trace_graph_of_chosen_traces(xray, stored):
    _, traces = stored
    ids = [traces["fault_post"][0]["trace_id"], traces["throttled"][0]["trace_id"], "1-00000000-000000000000000000000000"]
    services = xray.get_trace_graph(TraceIds=ids)["Services"]
    nodes = _by_name(services)
    assert set(nodes) == {"web", "backend", "gateway", "partner.example.net"}
    assert nodes["web"]["StartTime"].timestamp() == pytest.approx(traces["fault_post"][0]["start_time"])
    assert set(_edge_targets(nodes["web"], services)) == {"backend"}


def test_time_series_of_a_service_and_of_edges(xray, stored):
    base, _ = stored
    window = {"StartTime": base - 5, "EndTime": base + 30, "Period": 60}
    series = xray.get_time_series_service_statistics(EntitySelectorExpression='service("web")', **window)
    points = series["TimeSeriesServiceStatistics"]
    assert points and all("ServiceSummaryStatistics" in p for p in points)
    assert sum(p["ServiceSummaryStatistics"]["TotalCount"] for p in points) == 4
    assert all(p["Timestamp"].timestamp() % 60 == 0 for p in points)
    edges = xray.get_time_series_service_statistics(EntitySelectorExpression='edge("web", "backend")', **window)
    total = sum(p["EdgeSummaryStatistics"]["FaultStatistics"]["TotalCount"]
                for p in edges["TimeSeriesServiceStatistics"])
    assert total == 1
    every_edge = xray.get_time_series_service_statistics(**window)["TimeSeriesServiceStatistics"]
    assert sum(p["EdgeSummaryStatistics"]["TotalCount"] for p in every_edge) == 4


def test_time_series_period_must_be_whole_minutes(xray):
    with pytest.raises(ClientError) as raised:
        xray.get_time_series_service_statistics(StartTime=time.time() - 600, EndTime=time.time(), Period=90)
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"


def test_insight_summaries_of_a_group_are_empty_without_insights(xray):
    xray.create_group(GroupName="g1", FilterExpression="fault")
    now = time.time()
    assert xray.get_insight_summaries(GroupName="g1", StartTime=now - 3600, EndTime=now)["InsightSummaries"] == []
    with pytest.raises(ClientError) as raised:
        xray.get_insight_summaries(GroupName="missing", StartTime=now - 3600, EndTime=now)
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"


def test_service_graph_follows_segments_that_arrive_later(xray, server):
    now = float(int(time.time()))
    trace_id = f"1-{int(now) - 20:08x}-{'ab' * 12}"
    call = {"id": "a" * 16, "name": "late", "namespace": "remote", "start_time": now - 19.9, "end_time": now - 19.5}
    root = {"trace_id": trace_id, "id": "b" * 16, "name": "front", "start_time": now - 20, "end_time": now - 19,
            "subsegments": [call]}
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(root)])
    window = {"StartTime": now - 60, "EndTime": now}
    nodes = _by_name(xray.get_service_graph(**window)["Services"])
    assert nodes["late"]["State"] == "unknown" and nodes["late"]["Type"] == "remote"  # inferred until it reports

    callee = {"trace_id": trace_id, "id": "c" * 16, "parent_id": call["id"], "name": "late", "origin": "AWS::EC2::Instance",
              "start_time": now - 19.8, "end_time": now - 19.6, "error": True}
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(callee)])
    services = xray.get_service_graph(**window)["Services"]
    nodes = _by_name(services)
    assert (nodes["late"]["State"], nodes["late"]["Type"]) == ("active", "AWS::EC2::Instance")
    assert nodes["late"]["SummaryStatistics"]["ErrorStatistics"]["OtherCount"] == 1
    assert set(_edge_targets(nodes["front"], services)) == {"late"}

    server.post("/_overcast/reset")
    assert xray.get_service_graph(**window)["Services"] == []


def test_cached_graph_agrees_with_reading_every_document(xray):
    """The per-minute cache (no group) and the document path (a group holding every trace)
    give the same graph for windows that cover whole minutes, parts of minutes and traces
    reaching across a window's start."""
    now = float(int(time.time()) // 60 * 60)  # a minute boundary
    docs = []
    for i in range(40):
        start = now - 300 + i * 7.3
        trace = fixture_traces(start)
        for name, trace_docs in trace.items():
            for doc in trace_docs:
                doc["trace_id"] = f"1-{int(start):08x}-{i:012x}{abs(hash(name)) % 10**12:012x}"
                docs.append(json.dumps(doc))
    for i in range(0, len(docs), 100):
        assert xray.put_trace_segments(TraceSegmentDocuments=docs[i:i + 100])["UnprocessedTraceSegments"] == []
    xray.create_group(GroupName="everything", FilterExpression="service()")
    for start, end in ((now - 300, now), (now - 240, now - 120), (now - 227.5, now - 61.2), (now - 13.5, now + 60),
                       (now - 300.5, now - 299.5)):
        cached = xray.get_service_graph(StartTime=start, EndTime=end)["Services"]
        read = xray.get_service_graph(StartTime=start, EndTime=end, GroupName="everything")["Services"]
        assert cached == read, (start - now, end - now)
        assert cached  # every window holds some traces
