"""Core's in-process interface the other EventBridge concerns build on: the default bus row on
first use, ``matching_rules`` (enabled rules whose pattern matches, the index dropped on every
rule change), rule listeners told of every committed change, and managed rules (DeleteRule
refuses them without Force, with AWS's text)."""

from __future__ import annotations

import asyncio
import json

from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.storage.scope import Scope

ACCOUNT = "123456789012"
SCOPE = Scope(ACCOUNT, "us-east-1")
EVENT = {"version": "0", "id": "1", "detail-type": "Order Placed", "source": "shop", "account": ACCOUNT,
         "time": "2026-12-04T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {"total": 12}}


async def _scenario(data_dir: str) -> dict:
    cloud = Cloud(Settings(data_dir=data_dir))
    await cloud.start()
    try:
        provider = await cloud.services.started("events")
        calls = RequestContext(account=ACCOUNT, region="us-east-1", service="events", registry=cloud.services).services
        heard = []
        provider.add_rule_listener(lambda scope, new, old: heard.append(
            (tuple(scope), new and (new.name, new.state), old and (old.name, old.state))))
        bus = provider.bus_row(SCOPE, None)
        out = {"default": (bus.name, bus.arn, bus.bus_id is not None)}
        await calls.call("events", "PutRule", {"Name": "shop", "EventPattern": json.dumps({"source": ["shop"]})})
        await calls.call("events", "PutRule", {"Name": "big", "EventPattern": json.dumps(
            {"detail": {"total": [{"numeric": [">", 100]}]}})})
        await calls.call("events", "PutRule", {"Name": "tick", "ScheduleExpression": "rate(1 hour)"})
        out["matched"] = [r.name for r in provider.matching_rules(bus, EVENT)]
        await calls.call("events", "DisableRule", {"Name": "shop"})
        out["after_disable"] = [r.name for r in provider.matching_rules(bus, EVENT)]
        await calls.call("events", "PutRule", {"Name": "big", "EventPattern": json.dumps(
            {"detail": {"total": [{"numeric": [">", 10]}]}})})
        out["after_update"] = [r.name for r in provider.matching_rules(bus, EVENT)]
        managed = provider.put_managed_rule(SCOPE, bus, "Events-Archive-a", json.dumps({"source": ["shop"]}),
                                            "events.amazonaws.com")
        out["managed"] = (managed.managed_by, managed.arn.endswith(":rule/Events-Archive-a"))
        out["with_managed"] = [r.name for r in provider.matching_rules(bus, EVENT)]
        described = await calls.call("events", "DescribeRule", {"Name": "Events-Archive-a"})
        out["described_managed_by"] = described.get("ManagedBy")
        try:
            await calls.call("events", "DeleteRule", {"Name": "Events-Archive-a"})
        except Exception as error:  # noqa: BLE001 - the AwsError is the answer
            out["delete_managed"] = (error.code, error.message)
        for operation, params in (("DisableRule", {"Name": "Events-Archive-a"}),
                                  ("PutRule", {"Name": "Events-Archive-a", "EventPattern": json.dumps({"source": ["y"]})}),
                                  ("TagResource", {"ResourceARN": managed.arn, "Tags": [{"Key": "a", "Value": "b"}]}),
                                  ("UntagResource", {"ResourceARN": managed.arn, "TagKeys": ["a"]})):
            try:
                await calls.call("events", operation, params)
            except Exception as error:  # noqa: BLE001
                out.setdefault("refused_managed", []).append((operation, error.code, error.message))
        out["managed_tags"] = await calls.call("events", "ListTagsForResource", {"ResourceARN": managed.arn})
        provider.delete_managed_rule(SCOPE, bus, "Events-Archive-a")
        provider.put_managed_rule(SCOPE, bus, "Events-Archive-b", json.dumps({"source": ["x"]}), "events.amazonaws.com")
        await calls.call("events", "DeleteRule", {"Name": "Events-Archive-b", "Force": True})
        out["forced"] = provider.rule_row(SCOPE, None, "Events-Archive-b")
        out["after_managed_delete"] = [r.name for r in provider.matching_rules(bus, EVENT)]
        await calls.call("events", "DeleteRule", {"Name": "big"})
        out["heard"] = heard
        out["rules_of_bus"] = [r.name for r in provider.rules_of_bus(bus.bus_id)]
        return out
    finally:
        await cloud.stop()


def test_core_contract(tmp_path):
    out = asyncio.run(_scenario(str(tmp_path)))
    assert out["default"] == ("default", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default", True)
    assert out["matched"] == ["shop"]  # the scheduled rule has no pattern; 12 is not over 100
    assert out["after_disable"] == []
    assert out["after_update"] == ["big"]
    assert out["managed"] == ("events.amazonaws.com", True)
    assert sorted(out["with_managed"]) == ["Events-Archive-a", "big"]
    assert out["described_managed_by"] == "events.amazonaws.com"
    assert out["delete_managed"] == ("ManagedRuleException",
                                     "Events-Archive-a is a managed rule. Set 'force' parameter to true to override.")
    assert out["refused_managed"] == [
        (operation, "ManagedRuleException", "Events-Archive-a is a managed rule.")
        for operation in ("DisableRule", "PutRule", "TagResource", "UntagResource")]
    assert out["managed_tags"] == {"Tags": []}
    assert out["forced"] is None  # Force deletes a managed rule
    assert out["after_managed_delete"] == ["big"]
    assert out["rules_of_bus"] == ["shop", "tick"]
    scope = (ACCOUNT, "us-east-1")
    assert out["heard"] == [
        (scope, ("shop", "ENABLED"), None), (scope, ("big", "ENABLED"), None), (scope, ("tick", "ENABLED"), None),
        (scope, ("shop", "DISABLED"), ("shop", "ENABLED")), (scope, ("big", "ENABLED"), ("big", "ENABLED")),
        (scope, ("Events-Archive-a", "ENABLED"), None), (scope, None, ("Events-Archive-a", "ENABLED")),
        (scope, ("Events-Archive-b", "ENABLED"), None), (scope, None, ("Events-Archive-b", "ENABLED")),
        (scope, None, ("big", "ENABLED"))]
