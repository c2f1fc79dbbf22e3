"""Event buses through boto3 and the AWS CLI: the default bus exists without being created and
cannot be deleted, custom buses with their description, KMS key and dead-letter queue, names
AWS refuses, listing with a prefix and pages, updates, deletion (refused while rules remain)."""

from __future__ import annotations

import datetime

import pytest
from events_helpers import error_of

ACCOUNT = "000000000000"


@pytest.fixture
def events(aws_client):
    return aws_client("events")


def test_default_bus_exists_without_being_created(events):
    bus = events.describe_event_bus()
    assert bus["Name"] == "default"
    assert bus["Arn"].startswith("arn:aws:events:us-east-1:") and bus["Arn"].endswith(":event-bus/default")
    assert isinstance(bus["CreationTime"], datetime.datetime)
    assert "Policy" not in bus
    assert events.describe_event_bus(Name="default")["Arn"] == bus["Arn"]
    assert events.describe_event_bus(Name=bus["Arn"])["Name"] == "default"
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default"]


def test_default_bus_cannot_be_deleted_or_created(events):
    assert error_of(events.delete_event_bus, Name="default") == ("ValidationException",
                                                                 "Cannot delete event bus default.")
    assert error_of(events.create_event_bus, Name="default") == ("ResourceAlreadyExistsException",
                                                                 "Event bus default already exists.")


def test_create_describe_custom_bus(events, aws_client):
    kms = aws_client("kms")
    kms.create_alias(AliasName="alias/orders-key", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    created = events.create_event_bus(Name="orders", Description="order events",
                                      KmsKeyIdentifier="alias/orders-key",
                                      DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:000000000000:bus-dlq"},
                                      Tags=[{"Key": "team", "Value": "blue"}])
    arn = created["EventBusArn"]
    assert arn.endswith(":event-bus/orders")
    assert created["Description"] == "order events"
    assert created["KmsKeyIdentifier"] == "alias/orders-key"
    assert created["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:000000000000:bus-dlq"}
    bus = events.describe_event_bus(Name="orders")
    assert (bus["Name"], bus["Arn"], bus["Description"], bus["KmsKeyIdentifier"]) == (
        "orders", arn, "order events", "alias/orders-key")
    assert bus["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:000000000000:bus-dlq"}
    assert bus["LastModifiedTime"] >= bus["CreationTime"]
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert error_of(events.create_event_bus, Name="orders") == ("ResourceAlreadyExistsException",
                                                                "Event bus orders already exists.")


def test_log_config_kept_and_answered(events):
    created = events.create_event_bus(Name="logged", LogConfig={"IncludeDetail": "FULL", "Level": "INFO"})
    assert created["LogConfig"] == {"IncludeDetail": "FULL", "Level": "INFO"}
    assert events.describe_event_bus(Name="logged")["LogConfig"] == {"IncludeDetail": "FULL", "Level": "INFO"}
    updated = events.update_event_bus(Name="logged", LogConfig={"IncludeDetail": "NONE", "Level": "ERROR"})
    assert updated["LogConfig"] == {"IncludeDetail": "NONE", "Level": "ERROR"}
    assert "LogConfig" not in events.describe_event_bus()


def test_missing_bus_texts(events):
    assert error_of(events.describe_event_bus, Name="nope") == ("ResourceNotFoundException",
                                                                "Event bus nope does not exist.")
    assert error_of(events.update_event_bus, Name="nope", Description="x") == (
        "ResourceNotFoundException", "Event bus nope does not exist.")
    events.delete_event_bus(Name="nope")  # deleting what is not there succeeds


@pytest.mark.parametrize("name, expected", [
    ("aws.partner/acme.com/123/app", ("ValidationException", "EventBus name starting with 'aws.' is not valid.")),
    ("aws.mine", ("ValidationException", "EventBus name starting with 'aws.' is not valid.")),
    ("team/bus", ("ValidationException", "Event bus name must not contain '/'.")),
    ("bad name", ("ValidationException", "1 validation error detected: Value 'bad name' at 'name' failed to "
                  "satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+")),
    ("x" * 257, ("ValidationException", f"1 validation error detected: Value '{'x' * 257}' at 'name' failed to "
                 "satisfy constraint: Member must have length less than or equal to 256")),
])
def test_names_aws_refuses(events, name, expected):
    assert error_of(events.create_event_bus, Name=name) == expected


def test_partner_bus_needs_an_existing_event_source(events):
    source = "aws.partner/acme.com/123/app"
    assert error_of(events.create_event_bus, Name=source, EventSourceName=source) == (
        "ResourceNotFoundException", f"Event source {source} does not exist.")
    assert error_of(events.create_event_bus, Name="aws.partner/acme.com/123/other", EventSourceName=source) == (
        "ValidationException", "Event bus name must match event source name.")


def test_list_with_prefix_and_pages(events):
    for name in ("app-c", "app-a", "app-b", "other"):
        events.create_event_bus(Name=name)
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == [
        "app-a", "app-b", "app-c", "default", "other"]
    assert [b["Name"] for b in events.list_event_buses(NamePrefix="app-")["EventBuses"]] == ["app-a", "app-b",
                                                                                          "app-c"]
    first = events.list_event_buses(NamePrefix="app-", Limit=2)
    assert [b["Name"] for b in first["EventBuses"]] == ["app-a", "app-b"]
    rest = events.list_event_buses(NamePrefix="app-", Limit=2, NextToken=first["NextToken"])
    assert [b["Name"] for b in rest["EventBuses"]] == ["app-c"] and "NextToken" not in rest
    item = events.list_event_buses(NamePrefix="other")["EventBuses"][0]
    assert set(item) == {"Name", "Arn", "CreationTime", "LastModifiedTime"}
    code, message = error_of(events.list_event_buses, Limit=101)
    assert code == "ValidationException" and "Member must have value less than or equal to 100" in message


def test_kms_key_must_be_an_enabled_symmetric_key(events, aws_client):
    kms = aws_client("kms")
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    for key in ("alias/missing", signing, disabled):
        code, message = error_of(events.create_event_bus, Name="enc", KmsKeyIdentifier=key)
        assert code == "ValidationException" and key in message
    assert error_of(events.describe_event_bus, Name="enc")[0] == "ResourceNotFoundException"
    events.create_event_bus(Name="enc")
    assert error_of(events.update_event_bus, Name="enc", KmsKeyIdentifier=signing)[0] == "ValidationException"


def test_update_bus(events, aws_client):
    kms = aws_client("kms")
    kms.create_alias(AliasName="alias/k", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    events.create_event_bus(Name="upd", Description="before")
    updated = events.update_event_bus(Name="upd", Description="after", KmsKeyIdentifier="alias/k",
                                      DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"})
    assert (updated["Name"], updated["Description"], updated["KmsKeyIdentifier"]) == ("upd", "after", "alias/k")
    assert updated["Arn"].endswith(":event-bus/upd")
    bus = events.describe_event_bus(Name="upd")
    assert (bus["Description"], bus["DeadLetterConfig"]["Arn"]) == ("after", "arn:aws:sqs:us-east-1:000000000000:dlq")
    events.update_event_bus(Name="upd", KmsKeyIdentifier="")  # back to an AWS owned key
    assert "KmsKeyIdentifier" not in events.describe_event_bus(Name="upd")
    assert events.update_event_bus(Description="default's")["Name"] == "default"


def test_delete_refused_while_rules_remain(events):
    events.create_event_bus(Name="busy")
    events.put_rule(Name="r", EventBusName="busy", EventPattern='{"source": ["a"]}')
    assert error_of(events.delete_event_bus, Name="busy") == ("ValidationException",
                                                              "EventBus can't be deleted since it has rules.")
    events.delete_rule(Name="r", EventBusName="busy")
    events.delete_event_bus(Name="busy")
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default"]
    events.create_event_bus(Name="busy")  # the name is free again, with no tags left behind
    assert events.list_tags_for_resource(ResourceARN=events.describe_event_bus(Name="busy")["Arn"])["Tags"] == []


def test_bus_limit(events):
    for index in range(99):
        events.create_event_bus(Name=f"b{index:03}")
    assert error_of(events.create_event_bus, Name="one-too-many") == (
        "LimitExceededException", "The requested resource exceeds the maximum number allowed.")


def test_cli_buses(aws_cli):
    arn = aws_cli("events", "create-event-bus", "--name", "cli-bus", "--description", "from the CLI")["EventBusArn"]
    assert arn.endswith(":event-bus/cli-bus")
    bus = aws_cli("events", "describe-event-bus", "--name", "cli-bus")
    assert (bus["Name"], bus["Description"]) == ("cli-bus", "from the CLI")
    names = [b["Name"] for b in aws_cli("events", "list-event-buses")["EventBuses"]]
    assert names == ["cli-bus", "default"]
    aws_cli("events", "delete-event-bus", "--name", "cli-bus")
    failed = aws_cli("events", "describe-event-bus", "--name", "cli-bus", check=False)
    assert failed.returncode != 0 and "Event bus cli-bus does not exist." in failed.stderr
