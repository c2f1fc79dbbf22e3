"""Log groups through a real server with boto3: every field DescribeLogGroups answers today,
filters and pages, the settings of a group (retention, KMS key, deletion protection, data
protection policy), resource policies, and AWS's errors and texts."""

from __future__ import annotations

import json

import pytest

from logs_helpers import error_of, logs  # noqa: F401 - fixture

RETENTION_ENUM = ("1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
                  "3288, 3653")


def test_create_and_describe_has_every_field(logs):
    logs.create_log_group(logGroupName="/app/web", tags={"team": "blue"})
    [group] = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    assert group["logGroupName"] == "/app/web"
    assert group["arn"].endswith(":log-group:/app/web:*")
    assert group["logGroupArn"] == group["arn"][:-2]
    assert group["logGroupArn"].startswith("arn:aws:logs:us-east-1:")
    assert group["storedBytes"] == 0 and group["metricFilterCount"] == 0
    assert group["logGroupClass"] == "STANDARD"
    assert group["deletionProtectionEnabled"] is False
    assert "retentionInDays" not in group and "kmsKeyId" not in group and "dataProtectionStatus" not in group
    assert isinstance(group["creationTime"], int) and group["creationTime"] > 1_600_000_000_000


def test_already_exists(logs):
    logs.create_log_group(logGroupName="dup")
    assert error_of(logs.create_log_group, logGroupName="dup") == (
        "ResourceAlreadyExistsException", "The specified log group already exists", 400)


def test_group_name_validation(logs):
    code, message, status = error_of(logs.create_log_group, logGroupName="bad name")
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == ("1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")


def test_over_long_names_get_logs_own_text(logs):
    """Not the model's length constraint: Logs' text for a group or stream name over 512."""
    expected = ("InvalidParameterException",
                "Invalid LogGroup or LogStream, both must have length less than or equal to 512.", 400)
    assert error_of(logs.create_log_group, logGroupName="a" * 513) == expected
    assert error_of(logs.delete_metric_filter, logGroupName="X" * 513, filterName="valid-filter") == expected
    logs.create_log_group(logGroupName="g512")
    assert error_of(logs.create_log_stream, logGroupName="g512", logStreamName="s" * 513) == expected
    logs.create_log_group(logGroupName="a" * 512)  # 512 is allowed


def test_group_class_and_pattern_answers_fewer_fields(logs):
    logs.create_log_group(logGroupName="svc-DataLogs", logGroupClass="INFREQUENT_ACCESS")
    logs.create_log_group(logGroupName="datalogs")
    found = logs.describe_log_groups(logGroupNamePattern="DataLogs")["logGroups"]
    assert [sorted(g) for g in found] == [["arn", "creationTime", "logGroupArn", "logGroupClass", "logGroupName",
                                           "metricFilterCount"]]
    assert (found[0]["logGroupName"], found[0]["logGroupClass"], found[0]["metricFilterCount"]) == (
        "svc-DataLogs", "INFREQUENT_ACCESS", 0)
    assert found[0]["logGroupArn"] == found[0]["arn"][:-len(":*")]
    infrequent = logs.describe_log_groups(logGroupClass="INFREQUENT_ACCESS")["logGroups"]
    assert [(g["logGroupName"], g["logGroupClass"]) for g in infrequent] == [("svc-DataLogs", "INFREQUENT_ACCESS")]


def test_prefix_and_pattern_are_exclusive(logs):
    assert error_of(logs.describe_log_groups, logGroupNamePrefix="a", logGroupNamePattern="b") == (
        "InvalidParameterException",
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.", 400)


def test_describe_pages_in_name_order(logs):
    names = [f"g{i:02d}" for i in range(7)]
    for name in reversed(names):
        logs.create_log_group(logGroupName=name)
    seen, token = [], None
    while True:
        page = logs.describe_log_groups(limit=3, **({"nextToken": token} if token else {}))
        seen += [g["logGroupName"] for g in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names
    code, message, _ = error_of(logs.describe_log_groups, limit=51)
    assert code == "InvalidParameterException"
    assert message.endswith("at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
    assert error_of(logs.describe_log_groups, nextToken="garbage")[:2] == (
        "InvalidParameterException", "The specified nextToken is invalid.")


def test_list_log_groups(logs):
    for name in ("alpha-one", "beta-one", "alpha-two"):
        logs.create_log_group(logGroupName=name)
    found = logs.list_log_groups(logGroupNamePattern="^alpha")["logGroups"]
    assert [g["logGroupName"] for g in found] == ["alpha-one", "alpha-two"]
    assert found[0]["logGroupArn"].endswith(":log-group:alpha-one") and found[0]["logGroupClass"] == "STANDARD"
    assert [g["logGroupName"] for g in logs.list_log_groups(logGroupNamePattern="two|beta")["logGroups"]] == [
        "alpha-two", "beta-one"]


def test_retention_policy(logs):
    logs.create_log_group(logGroupName="kept")
    logs.put_retention_policy(logGroupName="kept", retentionInDays=14)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 14
    logs.delete_retention_policy(logGroupName="kept")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]
    assert error_of(logs.put_retention_policy, logGroupName="kept", retentionInDays=2) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'retentionInDays' failed to satisfy constraint: Member must satisfy "
        f"enum value set: [{RETENTION_ENUM}]", 400)
    assert error_of(logs.put_retention_policy, logGroupName="nope", retentionInDays=1) == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)


def test_deletion_protection(logs):
    logs.create_log_group(logGroupName="guarded", deletionProtectionEnabled=True)
    assert logs.describe_log_groups()["logGroups"][0]["deletionProtectionEnabled"] is True
    assert error_of(logs.delete_log_group, logGroupName="guarded") == (
        "ValidationException",
        "Cannot delete log group with deletion protection enabled. Disable deletion protection first.", 400)
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    logs.put_log_group_deletion_protection(logGroupIdentifier=arn, deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName="guarded")
    assert logs.describe_log_groups()["logGroups"] == []
    assert error_of(logs.delete_log_group, logGroupName="guarded") == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)


def _key_for_logs(kms, region="us-east-1") -> str:
    """A key whose policy lets the Logs service use it (the policy AWS's guide gives)."""
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    account = arn.split(":")[4]
    kms.put_key_policy(KeyId=arn, PolicyName="default", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*", "Condition": {"ArnLike": {
             "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account}:log-group:enc*"}}}]}))
    return arn


def test_kms_key_must_exist_and_let_logs_use_it(logs, aws_client):
    kms = aws_client("kms")
    key_arn = _key_for_logs(kms)
    logs.create_log_group(logGroupName="enc", kmsKeyId=key_arn)
    group_arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key_arn
    logs.disassociate_kms_key(logGroupName="enc")
    assert "kmsKeyId" not in logs.describe_log_groups()["logGroups"][0]
    logs.associate_kms_key(logGroupName="enc", kmsKeyId=key_arn)
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key_arn
    missing = key_arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    refused = ("AccessDeniedException",
               f"The specified KMS key does not exist or is not allowed to be used with Arn '{group_arn}'", 400)
    assert error_of(logs.associate_kms_key, logGroupName="enc", kmsKeyId=missing) == refused
    default_policy_key = kms.create_key()["KeyMetadata"]["Arn"]  # the account alone may use it
    assert error_of(logs.associate_kms_key, logGroupName="enc", kmsKeyId=default_policy_key) == refused
    assert error_of(logs.create_log_group, logGroupName="other", kmsKeyId=key_arn)[0] == "AccessDeniedException"
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["enc"]


def test_data_protection_policy_recorded(logs):
    logs.create_log_group(logGroupName="pii")
    document = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    put = logs.put_data_protection_policy(logGroupIdentifier="pii", policyDocument=document)
    assert put["policyDocument"] == document and put["lastUpdatedTime"] > 0
    assert logs.describe_log_groups()["logGroups"][0]["dataProtectionStatus"] == "ACTIVATED"
    assert logs.get_data_protection_policy(logGroupIdentifier="pii")["policyDocument"] == document
    logs.delete_data_protection_policy(logGroupIdentifier="pii")
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier="pii")
    assert "dataProtectionStatus" not in logs.describe_log_groups()["logGroups"][0]


def test_resource_policies(logs):
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    for i in range(10):
        put = logs.put_resource_policy(policyName=f"p{i}", policyDocument=document)
    assert put["resourcePolicy"]["policyScope"] == "ACCOUNT" and put["revisionId"]
    assert error_of(logs.put_resource_policy, policyName="p10", policyDocument=document) == (
        "LimitExceededException", "Resource limit exceeded.", 400)
    logs.put_resource_policy(policyName="p3", policyDocument=document)  # an update is not a new one
    names = [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    assert names == [f"p{i}" for i in range(10)]
    logs.delete_resource_policy(policyName="p3")
    assert error_of(logs.delete_resource_policy, policyName="p3") == (
        "ResourceNotFoundException", "Policy with name [p3] does not exist.", 400)
    code, message, _ = error_of(logs.put_resource_policy, policyName="big", policyDocument="x" * 51201)
    assert code == "InvalidParameterException"
    assert message.endswith("Member must have length less than or equal to 51200")


def test_resource_scope_policy(logs):
    logs.create_log_group(logGroupName="shared")
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    put = logs.put_resource_policy(policyName="attached", policyDocument=document, resourceArn=arn)
    assert put["resourcePolicy"]["policyScope"] == "RESOURCE" and put["resourcePolicy"]["resourceArn"] == arn
    assert logs.describe_resource_policies()["resourcePolicies"] == []
    [found] = logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"]
    assert found["policyName"] == "attached"
    logs.delete_log_group(logGroupName="shared")
    logs.create_log_group(logGroupName="shared")  # a new group of the same name has no policy
    assert logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"] == []


def test_describe_by_identifiers(logs):
    for name in ("a", "b", "c"):
        logs.create_log_group(logGroupName=name)
    arn_of_c = [g for g in logs.describe_log_groups()["logGroups"] if g["logGroupName"] == "c"][0]["logGroupArn"]
    found = logs.describe_log_groups(logGroupIdentifiers=["a", arn_of_c, "missing"])["logGroups"]
    assert [g["logGroupName"] for g in found] == ["a", "c"]
