"""Archives through a real server: Create/Describe/Update/Delete/ListArchives, the managed rule
``Events-Archive-<name>`` that feeds an archive, what it stores (EventCount, SizeBytes),
retention on the cloud clock, and AWS's errors."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from archive_helpers import advance_clock, bus_arn, put, wait_archived
from events_helpers import error_of


@pytest.fixture
def events(aws_client, server):
    return aws_client("events")


def test_create_describe_and_list_an_archive(events):
    source = bus_arn(events)
    created = events.create_archive(ArchiveName="orders", EventSourceArn=source, Description="all orders",
                                    EventPattern=json.dumps({"source": ["test.app"]}), RetentionDays=7)
    assert created["ArchiveArn"] == "arn:aws:events:us-east-1:000000000000:archive/orders"
    assert created["State"] == "ENABLED" and isinstance(created["CreationTime"], datetime)
    described = events.describe_archive(ArchiveName="orders")
    assert described["ArchiveArn"] == created["ArchiveArn"] and described["ArchiveName"] == "orders"
    assert described["EventSourceArn"] == source and described["Description"] == "all orders"
    assert json.loads(described["EventPattern"]) == {"source": ["test.app"]}
    assert described["State"] == "ENABLED" and described["RetentionDays"] == 7
    assert described["EventCount"] == 0 and described["SizeBytes"] == 0
    assert described["CreationTime"] == created["CreationTime"]
    [listed] = events.list_archives()["Archives"]
    assert listed == {"ArchiveName": "orders", "EventSourceArn": source, "State": "ENABLED", "RetentionDays": 7,
                      "SizeBytes": 0, "EventCount": 0, "CreationTime": created["CreationTime"]}


def test_the_archive_is_a_managed_rule_on_its_bus(events):
    events.create_event_bus(Name="shop")
    source = bus_arn(events, "shop")
    events.create_archive(ArchiveName="shop-all", EventSourceArn=source,
                          EventPattern=json.dumps({"detail-type": ["Order"]}))
    rule = events.describe_rule(Name="Events-Archive-shop-all", EventBusName="shop")
    assert rule["ManagedBy"] == "prod.vhs.events.aws.internal" and rule["State"] == "ENABLED"
    assert json.loads(rule["EventPattern"]) == {"detail-type": ["Order"], "replay-name": [{"exists": False}]}
    [target] = events.list_targets_by_rule(Rule="Events-Archive-shop-all", EventBusName="shop")["Targets"]
    assert target["Id"] == "Events-Archive-shop-all" and target["Arn"] == "arn:aws:events:us-east-1:::"
    assert target["InputTransformer"]["InputPathsMap"] == {}
    template = target["InputTransformer"]["InputTemplate"]
    assert re.fullmatch(r'\{"archive-arn": "arn:aws:events:us-east-1:000000000000:archive/shop-all:[0-9a-f-]{36}",'
                        r'"event": <aws\.events\.event\.json>,"ingestion-time": <aws\.events\.event\.ingestion-time>\}',
                        template), template
    code, message = error_of(events.delete_rule, Name="Events-Archive-shop-all", EventBusName="shop")
    assert code == "ManagedRuleException"
    events.delete_archive(ArchiveName="shop-all")
    code, _ = error_of(events.describe_rule, Name="Events-Archive-shop-all", EventBusName="shop")
    assert code == "ResourceNotFoundException"


def test_matching_events_are_archived_with_their_size(events):
    events.create_archive(ArchiveName="kept", EventSourceArn=bus_arn(events),
                          EventPattern=json.dumps({"detail": {"keep": [True]}}))
    events.create_archive(ArchiveName="everything", EventSourceArn=bus_arn(events))
    put(events, {"keep": True, "n": 1}, {"keep": False, "n": 2}, {"keep": True, "n": 3})
    kept = wait_archived(events, "kept", 2)
    everything = wait_archived(events, "everything", 3)
    assert kept["EventCount"] == 2 and everything["EventCount"] == 3
    assert 0 < kept["SizeBytes"] < everything["SizeBytes"]
    listed = {a["ArchiveName"]: a for a in events.list_archives()["Archives"]}
    assert listed["kept"]["EventCount"] == 2 and listed["kept"]["SizeBytes"] == kept["SizeBytes"]


def test_events_on_another_bus_are_not_archived(events):
    events.create_event_bus(Name="other")
    events.create_archive(ArchiveName="default-only", EventSourceArn=bus_arn(events))
    events.create_archive(ArchiveName="other-only", EventSourceArn=bus_arn(events, "other"))
    put(events, {"n": 1}, bus="other")
    assert wait_archived(events, "other-only", 1)["EventCount"] == 1
    assert events.describe_archive(ArchiveName="default-only")["EventCount"] == 0


def test_retention_drops_old_events_on_the_cloud_clock(events, server):
    events.create_archive(ArchiveName="short", EventSourceArn=bus_arn(events), RetentionDays=1)
    events.create_archive(ArchiveName="forever", EventSourceArn=bus_arn(events), RetentionDays=0)
    put(events, {"n": 1})
    assert wait_archived(events, "short", 1)["EventCount"] == 1
    assert wait_archived(events, "forever", 1)["EventCount"] == 1
    advance_clock(server, 86400 - 60)
    assert events.describe_archive(ArchiveName="short")["EventCount"] == 1
    advance_clock(server, 120)
    assert events.describe_archive(ArchiveName="short")["EventCount"] == 0
    assert events.describe_archive(ArchiveName="short")["SizeBytes"] == 0
    assert events.describe_archive(ArchiveName="forever")["EventCount"] == 1


def test_update_changes_the_pattern_the_rule_archives_by(events):
    created = events.create_archive(ArchiveName="changing", EventSourceArn=bus_arn(events),
                                    EventPattern=json.dumps({"source": ["nobody"]}))
    updated = events.update_archive(ArchiveName="changing", Description="now test.app",
                                    EventPattern=json.dumps({"source": ["test.app"]}), RetentionDays=3)
    assert updated["ArchiveArn"] == created["ArchiveArn"] and updated["State"] == "ENABLED"
    assert updated["CreationTime"] == created["CreationTime"]
    described = events.describe_archive(ArchiveName="changing")
    assert described["Description"] == "now test.app" and described["RetentionDays"] == 3
    rule = events.describe_rule(Name="Events-Archive-changing")
    assert json.loads(rule["EventPattern"]) == {"source": ["test.app"], "replay-name": [{"exists": False}]}
    put(events, {"n": 1})
    assert wait_archived(events, "changing", 1)["EventCount"] == 1


def test_list_filters_and_pages(events):
    events.create_event_bus(Name="side")
    for name in ("a-1", "a-2", "b-1"):
        events.create_archive(ArchiveName=name, EventSourceArn=bus_arn(events))
    events.create_archive(ArchiveName="c-1", EventSourceArn=bus_arn(events, "side"))
    names = lambda answer: [a["ArchiveName"] for a in answer["Archives"]]  # noqa: E731
    assert names(events.list_archives()) == ["a-1", "a-2", "b-1", "c-1"]
    assert names(events.list_archives(NamePrefix="a-")) == ["a-1", "a-2"]
    assert names(events.list_archives(EventSourceArn=bus_arn(events, "side"))) == ["c-1"]
    assert names(events.list_archives(State="ENABLED")) == ["a-1", "a-2", "b-1", "c-1"]
    assert names(events.list_archives(State="DISABLED")) == []
    first = events.list_archives(Limit=3)
    assert names(first) == ["a-1", "a-2", "b-1"] and first["NextToken"]
    rest = events.list_archives(Limit=3, NextToken=first["NextToken"])
    assert names(rest) == ["c-1"] and "NextToken" not in rest


def test_errors(events):
    source = bus_arn(events)
    events.create_archive(ArchiveName="taken", EventSourceArn=source)
    assert error_of(events.create_archive, ArchiveName="taken", EventSourceArn=source) == (
        "ResourceAlreadyExistsException", "Archive taken already exists.")
    missing_bus = source.replace("event-bus/default", "event-bus/nowhere")
    assert error_of(events.create_archive, ArchiveName="lost", EventSourceArn=missing_bus) == (
        "ResourceNotFoundException", "Event bus nowhere does not exist.")
    code, message = error_of(events.create_archive, ArchiveName="bad", EventSourceArn=source, EventPattern="{")
    assert code == "InvalidEventPatternException" and message.startswith("Event pattern is not valid. Reason: ")
    code, message = error_of(events.create_archive, ArchiveName="a/b", EventSourceArn=source)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value 'a/b' at 'archiveName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
    events.put_rule(Name="Events-Archive-mine", EventPattern=json.dumps({"source": ["x"]}))
    assert error_of(events.create_archive, ArchiveName="mine", EventSourceArn=source) == (
        "ResourceAlreadyExistsException", "Rule Events-Archive-mine already exists.")
    assert events.describe_rule(Name="Events-Archive-mine").get("ManagedBy") is None  # the caller's rule, untouched
    for call in (events.describe_archive, events.delete_archive, events.update_archive):
        assert error_of(call, ArchiveName="ghost") == ("ResourceNotFoundException", "Archive ghost does not exist.")
    assert error_of(events.list_archives, NamePrefix="a", State="ENABLED") == (
        "ValidationException",
        "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.")
    assert error_of(events.list_archives, EventSourceArn=missing_bus) == (
        "ResourceNotFoundException", "Event bus nowhere does not exist.")


def test_deleting_an_archive_drops_its_events(events):
    events.create_archive(ArchiveName="gone", EventSourceArn=bus_arn(events))
    put(events, {"n": 1})
    assert wait_archived(events, "gone", 1)["EventCount"] == 1
    assert events.delete_archive(ArchiveName="gone")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert events.list_archives()["Archives"] == []
    events.create_archive(ArchiveName="gone", EventSourceArn=bus_arn(events))
    assert events.describe_archive(ArchiveName="gone")["EventCount"] == 0


def test_a_kms_key_must_be_an_enabled_symmetric_key(events, aws_client):
    kms = aws_client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    events.create_archive(ArchiveName="encrypted", EventSourceArn=bus_arn(events), KmsKeyIdentifier=key)
    assert events.describe_archive(ArchiveName="encrypted")["KmsKeyIdentifier"] == key
    missing = key.rsplit("/", 1)[0] + "/11111111-2222-3333-4444-555555555555"
    assert error_of(events.create_archive, ArchiveName="bad-key", EventSourceArn=bus_arn(events),
                    KmsKeyIdentifier=missing) == (
        "ValidationException", f"Invalid KmsKeyIdentifier: {missing} is not an enabled symmetric KMS key.")
    kms.disable_key(KeyId=key)
    assert error_of(events.update_archive, ArchiveName="encrypted", KmsKeyIdentifier=key)[0] == "ValidationException"
    assert "bad-key" not in [a["ArchiveName"] for a in events.list_archives()["Archives"]]
