"""Managed rules (an archive's Events-Archive-<name>): their targets change only with Force, as
AWS answers (ManagedRuleException "<rule> is a managed rule. Set 'force' parameter to true to
override.")."""

from __future__ import annotations

from events_helpers import error_of

QUEUE = "arn:aws:sqs:us-east-1:000000000000:target-queue"


def test_a_managed_rule_needs_force(aws_client):
    events = aws_client("events")
    bus_arn = events.describe_event_bus()["Arn"]
    events.create_archive(ArchiveName="keep", EventSourceArn=bus_arn)
    managed = "Events-Archive-keep"
    assert events.describe_rule(Name=managed)["ManagedBy"]
    refusal = ("ManagedRuleException", f"{managed} is a managed rule. Set 'force' parameter to true to override.")
    assert error_of(events.put_targets, Rule=managed, Targets=[{"Id": "1", "Arn": QUEUE}]) == refusal
    assert error_of(events.remove_targets, Rule=managed, Ids=[managed]) == refusal
    assert [t["Id"] for t in events.list_targets_by_rule(Rule=managed)["Targets"]] == [managed]
    events.remove_targets(Rule=managed, Ids=[managed], Force=True)
    assert events.list_targets_by_rule(Rule=managed)["Targets"] == []
