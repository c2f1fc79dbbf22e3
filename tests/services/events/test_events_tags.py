"""Tags of buses and rules: TagResource overwrites a key's value, UntagResource, the 50-tag
limit, keys beginning aws:, tags given at creation, and unknown resources."""

from __future__ import annotations

import pytest
from events_helpers import error_of


@pytest.fixture
def events(aws_client):
    return aws_client("events")


def test_bus_and_rule_tags(events):
    bus = events.create_event_bus(Name="tagged", Tags=[{"Key": "a", "Value": "1"}])["EventBusArn"]
    events.tag_resource(ResourceARN=bus, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "one"}])
    assert events.list_tags_for_resource(ResourceARN=bus)["Tags"] == [{"Key": "a", "Value": "one"},
                                                                       {"Key": "b", "Value": "2"}]
    events.untag_resource(ResourceARN=bus, TagKeys=["a", "missing"])
    assert events.list_tags_for_resource(ResourceARN=bus)["Tags"] == [{"Key": "b", "Value": "2"}]
    rule = events.put_rule(Name="r", EventBusName="tagged", EventPattern='{"source": ["x"]}',
                           Tags=[{"Key": "team", "Value": "blue"}])["RuleArn"]
    assert events.list_tags_for_resource(ResourceARN=rule)["Tags"] == [{"Key": "team", "Value": "blue"}]
    default_bus = events.describe_event_bus()["Arn"]
    events.tag_resource(ResourceARN=default_bus, Tags=[{"Key": "env", "Value": "dev"}])
    assert events.list_tags_for_resource(ResourceARN=default_bus)["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_limits_and_refusals(events):
    bus = events.create_event_bus(Name="many")["EventBusArn"]
    events.tag_resource(ResourceARN=bus, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    code, _ = error_of(events.tag_resource, ResourceARN=bus, Tags=[{"Key": "k50", "Value": "v"}])
    assert code == "ValidationException"
    events.tag_resource(ResourceARN=bus, Tags=[{"Key": "k0", "Value": "new"}])  # an overwrite is no new tag
    code, _ = error_of(events.tag_resource, ResourceARN=bus, Tags=[{"Key": "aws:owner", "Value": "v"}])
    assert code == "ValidationException"


def test_unknown_resources(events):
    arn = events.describe_event_bus()["Arn"]
    prefix = arn.rsplit(":", 1)[0]
    assert error_of(events.list_tags_for_resource, ResourceARN=f"{prefix}:event-bus/ghost") == (
        "ResourceNotFoundException", "Event bus ghost does not exist.")
    assert error_of(events.tag_resource, ResourceARN=f"{prefix}:rule/ghost", Tags=[{"Key": "a", "Value": "b"}]) == (
        "ResourceNotFoundException", "Rule ghost does not exist on EventBus default.")
    assert error_of(events.untag_resource, ResourceARN=f"{prefix}:rule/bus/ghost", TagKeys=["a"]) == (
        "ResourceNotFoundException", "Rule ghost does not exist on EventBus bus.")
