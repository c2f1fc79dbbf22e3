"""Buses, rules, their tags and a bus's policy survive a kill -9 and a restart, answered as
before."""

from __future__ import annotations

import json

from aws_clients import STRICT, make_client
from serverproc import ServerProcess

PATTERN = json.dumps({"source": ["shop"], "detail": {"total": [{"numeric": [">=", 10]}]}})


def test_buses_and_rules_survive_kill_9(tmp_path):
    extra = ("--strict",) if STRICT else ()
    server = ServerProcess(str(tmp_path / "data"), *extra).start()
    try:
        events = make_client(server.endpoint, "events")
        bus_arn = events.create_event_bus(Name="orders", Description="kept",
                                          Tags=[{"Key": "team", "Value": "blue"}])["EventBusArn"]
        events.put_permission(EventBusName="orders", Action="events:PutEvents", Principal="111122223333",
                              StatementId="partner")
        rule_arn = events.put_rule(Name="big", EventBusName="orders", EventPattern=PATTERN, State="DISABLED",
                                   Description="big orders")["RuleArn"]
        events.put_rule(Name="tick", ScheduleExpression="rate(1 hour)")
        before = (events.describe_event_bus(Name="orders"), events.describe_rule(Name="big", EventBusName="orders"))
        server.kill()

        server.start()
        events = make_client(server.endpoint, "events")
        bus = events.describe_event_bus(Name="orders")
        rule = events.describe_rule(Name="big", EventBusName="orders")
        for got, was in ((bus, before[0]), (rule, before[1])):
            assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == \
                {k: v for k, v in was.items() if k != "ResponseMetadata"}
        assert json.loads(bus["Policy"])["Statement"][0]["Sid"] == "partner"
        assert rule["Arn"] == rule_arn and rule["State"] == "DISABLED"
        assert events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"] == [{"Key": "team", "Value": "blue"}]
        assert [r["Name"] for r in events.list_rules()["Rules"]] == ["tick"]
        assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default", "orders"]
    finally:
        server.stop()
