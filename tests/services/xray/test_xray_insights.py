"""Insights: a group with insights enabled gets one when a service's fault rate rises above
its baseline for two minutes, closed after three calm minutes; time is driven with
``POST /_overcast/clock`` (the detector runs every minute of the cloud clock)."""

from __future__ import annotations

import json
import math
import os
import sys

import pytest
from xray_helpers import traffic

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


def _now(server) -> float:
    return json.loads(server.get("/_overcast/clock"))["now"]


def _advance_to(server, target: float) -> None:
    server.post("/_overcast/clock", json.dumps({"time": target}).encode())


def _an_outage(xray, server, group: str = "shop"):
    """Ten healthy minutes, four bad ones (8 faults in 10), six healthy ones, and the clock
    past them all; returns the first minute."""
    first = math.floor(_now(server) / 60) * 60 + 60
    for n in range(20):
        traffic(xray, first + n * 60, 10, 8 if 10 <= n < 14 else 0)
    _advance_to(server, first + 23 * 60)
    return first


def test_no_insight_when_nothing_happened(xray, server):
    xray.create_group(GroupName="calm", FilterExpression='service("web")',
                      InsightsConfiguration={"InsightsEnabled": True})
    first = math.floor(_now(server) / 60) * 60 + 60
    for n in range(8):
        traffic(xray, first + n * 60, 10, 1 if n % 3 == 0 else 0)  # the usual 10% faults, never a rise
    _advance_to(server, first + 11 * 60)
    assert xray.get_insight_summaries(GroupName="calm", StartTime=first - 3600,
                                      EndTime=first + 3600)["InsightSummaries"] == []


def test_a_fault_rise_becomes_an_insight_and_closes(xray, server):
    xray.create_group(GroupName="shop", FilterExpression='service("web")',
                      InsightsConfiguration={"InsightsEnabled": True})
    xray.create_group(GroupName="quiet", FilterExpression='service("web")')  # insights off
    first = _an_outage(xray, server)

    summaries = xray.get_insight_summaries(GroupName="shop", StartTime=first, EndTime=first + 3600)["InsightSummaries"]
    assert len(summaries) == 1
    insight = summaries[0]
    assert insight["State"] == "CLOSED" and insight["Categories"] == ["FAULT"]
    assert insight["GroupName"] == "shop"
    assert insight["StartTime"].timestamp() == first + 10 * 60
    assert insight["EndTime"].timestamp() == first + 14 * 60
    assert insight["RootCauseServiceId"] == {"Name": "web", "Names": ["web"], "AccountId": "000000000000",
                                             "Type": "AWS::EC2::Instance"}
    assert insight["RootCauseServiceRequestImpactStatistics"] == {"FaultCount": 32, "OkCount": 8, "TotalCount": 40}
    assert insight["ClientRequestImpactStatistics"] == {"FaultCount": 32, "OkCount": 8, "TotalCount": 40}
    assert insight["TopAnomalousServices"] == [{"ServiceId": insight["RootCauseServiceId"]}]
    assert xray.get_insight_summaries(GroupName="quiet", StartTime=first, EndTime=first + 3600)["InsightSummaries"] == []
    assert xray.get_insight_summaries(GroupName="shop", StartTime=first, EndTime=first + 3600,
                                      States=["ACTIVE"])["InsightSummaries"] == []
    assert xray.get_insight_summaries(GroupName="shop", StartTime=first - 3600,
                                      EndTime=first - 60)["InsightSummaries"] == []

    detail = xray.get_insight(InsightId=insight["InsightId"])["Insight"]
    assert detail["State"] == "CLOSED" and detail["Summary"] == insight["Summary"]
    assert "LastUpdateTime" not in detail

    events = xray.get_insight_events(InsightId=insight["InsightId"])["InsightEvents"]
    # opened after the second bad minute, one more for each further bad minute, then closed
    assert [e["Summary"].split(":")[0] for e in events][0] == "Insight opened"
    assert events[-1]["Summary"].startswith("Insight closed")
    assert len(events) == 4
    assert [e["EventTime"].timestamp() for e in events] == [first + 12 * 60, first + 13 * 60, first + 14 * 60,
                                                           first + 17 * 60]
    assert events[0]["RootCauseServiceRequestImpactStatistics"] == {"FaultCount": 8, "OkCount": 2, "TotalCount": 10}
    paged = xray.get_insight_events(InsightId=insight["InsightId"], MaxResults=3)
    assert len(paged["InsightEvents"]) == 3
    assert xray.get_insight_events(InsightId=insight["InsightId"],
                                   NextToken=paged["NextToken"])["InsightEvents"] == events[3:]

    graph = xray.get_insight_impact_graph(InsightId=insight["InsightId"], StartTime=first + 600, EndTime=first + 840)
    assert graph["InsightId"] == insight["InsightId"]
    names = {s["Name"]: s for s in graph["Services"]}
    assert set(names) == {"web", "db"}
    assert names["web"]["Edges"] == [{"ReferenceId": names["db"]["ReferenceId"]}]
    assert "SummaryStatistics" not in names["web"]  # structure only

    xray.delete_group(GroupName="shop")  # its insights go with it
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.get_insight(InsightId=insight["InsightId"])


def test_aws_cli_lists_insights(xray, server, aws_cli):
    xray.create_group(GroupName="shop", FilterExpression='service("web")',
                      InsightsConfiguration={"InsightsEnabled": True})
    first = _an_outage(xray, server)
    listed = aws_cli("xray", "get-insight-summaries", "--group-name", "shop", "--start-time", str(int(first)),
                     "--end-time", str(int(first + 3600)))["InsightSummaries"]
    assert [i["State"] for i in listed] == ["CLOSED"]
    events = aws_cli("xray", "get-insight-events", "--insight-id", listed[0]["InsightId"])["InsightEvents"]
    assert len(events) == 4


def test_an_insight_is_active_while_the_faults_go_on(xray, server):
    xray.create_group(GroupName="live", InsightsConfiguration={"InsightsEnabled": True})
    first = math.floor(_now(server) / 60) * 60 + 60
    for n in range(8):
        traffic(xray, first + n * 60, 10, 9 if n >= 5 else 0, service="api")
    _advance_to(server, first + 10 * 60 + 5)
    (insight,) = xray.get_insight_summaries(GroupName="live", StartTime=first, EndTime=first + 3600)["InsightSummaries"]
    assert insight["State"] == "ACTIVE" and "EndTime" not in insight
    assert insight["RootCauseServiceId"]["Name"] == "api"
    assert insight["LastUpdateTime"].timestamp() == first + 8 * 60


def test_bad_input(xray, server):
    xray.create_group(GroupName="g", InsightsConfiguration={"InsightsEnabled": True})
    now = _now(server)
    missing = "11111111-2222-4333-8444-555555555555"
    for call in (lambda: xray.get_insight(InsightId=missing), lambda: xray.get_insight_events(InsightId=missing),
                 lambda: xray.get_insight_impact_graph(InsightId=missing, StartTime=now - 60, EndTime=now)):
        with pytest.raises(xray.exceptions.InvalidRequestException):
            call()
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.get_insight(InsightId="not-an-id")
    assert "failed to satisfy constraint: Member must satisfy regular expression pattern" in \
        raised.value.response["Error"]["Message"]
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.get_insight_impact_graph(InsightId=missing, StartTime=now - 7 * 3600, EndTime=now)
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.get_insight_summaries(GroupName="g", StartTime=now - 31 * 86400, EndTime=now)
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:
        xray.get_insight_summaries(GroupName="nope", StartTime=now - 60, EndTime=now)
    assert raised.value.response["Error"]["Message"] == "Group not found"
    with pytest.raises(xray.exceptions.InvalidRequestException) as raised:  # parameters before existence
        xray.get_insight_summaries(GroupName="nope", StartTime=now, EndTime=now - 60)
    assert raised.value.response["Error"]["Message"] == "EndTime must be after StartTime."
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.get_insight_summaries(GroupName="g", StartTime=now - 60, EndTime=now, NextToken="garbage")


BAD_BODIES = ({}, {"InsightId": 5}, {"InsightId": None}, {"InsightId": "11111111-2222-4333-8444-555555555555",
                                                         "StartTime": "x", "EndTime": [], "MaxResults": "many"},
              {"GroupName": {"a": 1}, "StartTime": 1, "EndTime": 2, "States": ["NOPE"]}, [], "text")


@pytest.mark.parametrize("path", ["/InsightSummaries", "/Insight", "/InsightEvents", "/InsightImpactGraph",
                                  "/StartTraceRetrieval", "/ListRetrievedTraces", "/GetRetrievedTracesGraph",
                                  "/CancelTraceRetrieval", "/UpdateTraceSegmentDestination", "/GetIndexingRules",
                                  "/UpdateIndexingRule"])
def test_bad_bodies_are_client_errors(endpoint, server, path):
    """Raw HTTP: whatever the body, never a 500; a bad one is a 4xx with an error type."""
    from signed_http import send, sign

    for body in BAD_BODIES:
        status, headers, _ = send(sign(endpoint, "POST", path, service="xray", body=json.dumps(body).encode(),
                                       headers={"Content-Type": "application/json"}))
        headers = {k.lower(): v for k, v in headers.items()}
        if not isinstance(body, dict) or path not in ("/UpdateTraceSegmentDestination", "/GetIndexingRules"):
            assert 400 <= status < 500, (body, status)  # these two take no member that is given here
            assert headers.get("x-amzn-errortype"), body
        else:
            assert status in (200, 400), (body, status)
