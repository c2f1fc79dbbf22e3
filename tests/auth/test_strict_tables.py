"""The authorization tables: every implemented operation has an entry, every entry is well
formed, and operations resolve to the actions and resources AWS's Service Authorization
Reference names."""

from __future__ import annotations

import importlib
import re

import pytest

from overcast.auth.authorization.table import checks_for, load_table, table_services
from overcast.protocols.models import service_model
from overcast.services import IMPLEMENTED
from overcast.services.registry import snake_case

_DERIVED = {"Partition", "Region", "Account", "CallerUserName", "CopySourceBucket", "CopySourceKey",
            "CopySourceVersionId", "QueueAccount", "QueueName", "TaskSourceArn", "UrlHostPath", "PassedRoleArn",
            "UserPath", "GroupPath", "RolePath", "LockRetainUntilDate", "LockRemainingDays",
            "KeyArn", "TargetKeyArn", "DestinationKeyArn", "AliasKeyArn", "GrantConstraintType", "CiphertextKeyArn",
            "SourceKeyArn", "ReEncryptOnSameKey", "EffectiveEncryptionAlgorithm", "EffectiveSourceEncryptionAlgorithm",
            "EffectiveDestinationEncryptionAlgorithm", "EffectiveMessageType", "EffectiveKeySpec", "EffectiveKeyUsage",
            "EffectiveOrigin", "EffectiveMultiRegion", "EffectiveMultiRegionKeyType", "LogGroupArn",
            "LogGroupIdentifierArns", "EventBusArn", "RuleArn", "RuleCreatorAccount", "RuleManagedBy", "PatternSource",
            "PatternDetailType", "PatternService", "PatternEventTypeCode", "PatternPrincipalId", "TargetArns",
            "PutEventsEntries", "FunctionArn", "LayerArn", "LayerVersionArn"}
_PREFIX = {"s3": "s3:", "sqs": "sqs:", "sts": "sts:", "iam": "iam:", "ec2": "ec2:", "xray": "xray:", "sns": "sns:",
           "kms": "kms:", "cloudwatch": "cloudwatch:", "logs": "logs:", "events": "events:", "scheduler": "scheduler:", "lambda": "lambda:"}
# operations no service model holds, with the parameters their provider passes
_OUTSIDE_MODEL = {"s3": {"PostObject": {"Bucket", "Key", "ACL", "ServerSideEncryption", "StorageClass",
                                         "Tagging"}}}
_ENTRY_KEYS = {"action", "resources", "if", "unless", "each", "conditions", "request_tags", "tag_keys",
               "trust_checked_by_service", "item_denials", "probe",
               "existing_object_tags"}


def implemented_operations(service: str) -> list[str]:
    provider = importlib.import_module(f"overcast.services.{IMPLEMENTED[service]}.provider").Provider
    return [name for name in service_model(service).operation_names if callable(getattr(provider, snake_case(name), None))]


@pytest.mark.parametrize("service", sorted(IMPLEMENTED))
def test_every_implemented_operation_has_an_entry(service):
    table = load_table(service)
    assert table is not None, f"no actions/{service}.json"
    missing = [name for name in implemented_operations(service) if name not in table["operations"]]
    assert missing == []


def test_ec2_subset_is_covered():
    wanted = {"RunInstances", "DescribeInstances", "StartInstances", "StopInstances", "TerminateInstances",
              "CreateTags", "DescribeTags", "DescribeRegions", "DescribeAvailabilityZones"}
    assert wanted <= set(load_table("ec2")["operations"])


def _names(path: str) -> set[str]:
    return {choice.split(".")[0] for choice in path.split("|") if not choice.startswith("'")}


@pytest.mark.parametrize("service", table_services())
def test_entries_are_well_formed(service):
    table = load_table(service)
    model = service_model(service)
    assert table["service"] == service
    problems = []
    for operation, entries in table["operations"].items():
        if operation in _OUTSIDE_MODEL.get(service, {}):
            members = _OUTSIDE_MODEL[service][operation]
        else:
            shape = model.operation_model(operation).input_shape
            members = set(shape.members) if shape else set()
        known = members | _DERIVED | {"item"}
        for entry in entries:
            assert set(entry) <= _ENTRY_KEYS, (operation, entry)
            if not entry["action"].startswith(_PREFIX[service]) and entry["action"] != "iam:PassRole":
                problems.append((operation, entry["action"]))
            for name in entry["resources"]:
                template = table["resources"].get(name)
                if template is None:
                    problems.append((operation, "unknown resource", name))
                    continue
                for placeholder in re.findall(r"\$\{([^}]*)\}", template):
                    unknown = _names(placeholder) - known
                    if unknown:
                        problems.append((operation, name, unknown))
            for key in ("if", "unless", "each"):
                for path in (entry[key] if isinstance(entry.get(key), list) else [entry.get(key)]):
                    if path is not None and _names(path) - known:
                        problems.append((operation, key, path))
            for path in entry.get("conditions", {}).values():
                if not path.startswith("=") and _names(path) - known:
                    problems.append((operation, "condition", path))
    assert problems == []


def resolve(service, operation, params, **derived):
    values = {"Partition": "aws", "Region": "us-east-1", "Account": "111122223333"}
    values.update(derived)
    return [(c.action, list(c.resources)) for c in checks_for(service, operation, params, values) if not c.probe]


def test_s3_renames_and_versions():
    assert resolve("s3", "ListObjectsV2", {"Bucket": "b"}) == [("s3:ListBucket", ["arn:aws:s3:::b"])]
    assert resolve("s3", "HeadObject", {"Bucket": "b", "Key": "k/1"}) == [("s3:GetObject", ["arn:aws:s3:::b/k/1"])]
    assert resolve("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"}) == [
        ("s3:GetObjectVersion", ["arn:aws:s3:::b/k"])]
    assert resolve("s3", "ListBuckets", {}) == [("s3:ListAllMyBuckets", ["*"])]
    assert resolve("s3", "UploadPart", {"Bucket": "b", "Key": "k"}) == [("s3:PutObject", ["arn:aws:s3:::b/k"])]
    assert resolve("s3", "ListParts", {"Bucket": "b", "Key": "k"}) == [
        ("s3:ListMultipartUploadParts", ["arn:aws:s3:::b/k"])]


def test_s3_delete_objects_checks_each_key():
    params = {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "c", "VersionId": "v"}]}}
    assert resolve("s3", "DeleteObjects", params) == [
        ("s3:DeleteObject", ["arn:aws:s3:::b/a"]), ("s3:DeleteObjectVersion", ["arn:aws:s3:::b/c"])]


def test_s3_copy_checks_source_and_target():
    from overcast.services.s3.authority import copy_source_values

    params = {"Bucket": "dst", "Key": "new", "CopySource": "/src/dir%2Fold.txt?versionId=v9"}
    assert resolve("s3", "CopyObject", params, **copy_source_values(params)) == [
        ("s3:GetObjectVersion", ["arn:aws:s3:::src/dir/old.txt"]), ("s3:PutObject", ["arn:aws:s3:::dst/new"])]


def test_s3_condition_keys():
    values = {"Partition": "aws", "Region": "us-east-1", "Account": "1"}
    [check] = checks_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "home/", "Delimiter": "/", "MaxKeys": 10},
                         values)
    assert check.conditions == {"s3:prefix": "home/", "s3:delimiter": "/", "s3:max-keys": "10"}
    check = checks_for("s3", "PutObject", {"Bucket": "b", "Key": "k", "ACL": "public-read"}, values)[0]
    assert check.conditions == {"s3:x-amz-acl": "public-read"}


def test_sqs_queue_from_url_and_batches():
    from types import SimpleNamespace

    from overcast.services.sqs.authority import SqsAuthority

    def _sqs(params):  # SQS's side of the authorization interface reads the queue out of the URL
        return SqsAuthority().authorization_values(SimpleNamespace(account="111122223333"), params)

    params = {"QueueUrl": "http://localhost:4566/444455556666/jobs", "Entries": []}
    arn = "arn:aws:sqs:us-east-1:444455556666:jobs"
    assert resolve("sqs", "SendMessageBatch", params, **_sqs(params)) == [("sqs:SendMessage", [arn])]
    assert resolve("sqs", "DeleteMessageBatch", params, **_sqs(params)) == [("sqs:DeleteMessage", [arn])]
    assert resolve("sqs", "CreateQueue", {"QueueName": "q"}) == [
        ("sqs:CreateQueue", ["arn:aws:sqs:us-east-1:111122223333:q"])]
    assert resolve("sqs", "ListQueues", {}) == [("sqs:ListQueues", ["*"])]


def test_iam_resources():
    assert resolve("iam", "ListUsers", {}) == [("iam:ListUsers", ["arn:aws:iam::111122223333:user/"])]
    assert resolve("iam", "CreateAccessKey", {}, CallerUserName="alice") == [
        ("iam:CreateAccessKey", ["arn:aws:iam::111122223333:user/alice"])]
    assert resolve("iam", "CreateRole", {"RoleName": "r", "Path": "/svc/"}) == [
        ("iam:CreateRole", ["arn:aws:iam::111122223333:role/svc/r"])]
    assert resolve("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": "arn:aws:iam::aws:policy/X"}) == [
        ("iam:AttachRolePolicy", ["arn:aws:iam::111122223333:role/r"])]


def test_sts_and_ec2():
    assert resolve("sts", "GetCallerIdentity", {}) == []
    assert resolve("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::2:role/x", "RoleSessionName": "s"}) == [
        ("sts:AssumeRole", ["arn:aws:iam::2:role/x"])]
    assert resolve("ec2", "StopInstances", {"InstanceIds": ["i-1", "i-2"]}) == [
        ("ec2:StopInstances", ["arn:aws:ec2:us-east-1:111122223333:instance/i-1"]),
        ("ec2:StopInstances", ["arn:aws:ec2:us-east-1:111122223333:instance/i-2"])]
    assert resolve("ec2", "CreateTags", {"Resources": ["ami-1"], "Tags": []}) == [
        ("ec2:CreateTags", ["arn:aws:ec2:us-east-1:111122223333:image/ami-1"])]


def test_s3_request_object_tags():
    values = {"Partition": "aws", "Region": "us-east-1", "Account": "1"}
    check = checks_for("s3", "PutObject", {"Bucket": "b", "Key": "k", "Tagging": "team=blue&env="}, values)[0]
    assert check.conditions == {"s3:RequestObjectTag/team": "blue", "s3:RequestObjectTag/env": "",
                                "s3:RequestObjectTagKeys": ["team", "env"]}


def test_s3_writes_with_acl_or_tags_need_those_permissions_too():
    assert resolve("s3", "PutObject", {"Bucket": "b", "Key": "k", "ACL": "public-read", "Tagging": "a=1"}) == [
        ("s3:PutObject", ["arn:aws:s3:::b/k"]), ("s3:PutObjectAcl", ["arn:aws:s3:::b/k"]),
        ("s3:PutObjectTagging", ["arn:aws:s3:::b/k"])]
    assert resolve("s3", "CreateBucket", {"Bucket": "b", "GrantRead": 'id="1"'}) == [
        ("s3:CreateBucket", ["arn:aws:s3:::b"]), ("s3:PutBucketAcl", ["arn:aws:s3:::b"])]


def test_logs_group_identifiers_resolve_to_group_arns():
    from types import SimpleNamespace

    from overcast.services.logs.authority import LogsAuthority

    def _logs(params):  # Logs' side of the interface turns names and ARNs into the group's ARN
        return LogsAuthority().authorization_values(SimpleNamespace(account="111122223333", region="us-east-1"),
                                                    params)

    group = "arn:aws:logs:us-east-1:111122223333:log-group"
    for params in ({"logGroupName": "app"}, {"logGroupIdentifier": "app"}, {"logGroupIdentifier": f"{group}:app"}):
        assert resolve("logs", "DescribeLogStreams", params, **_logs(params)) == [
            ("logs:DescribeLogStreams", [f"{group}:app:*"])]
    params = {"logGroupName": "app", "logStreamName": "s"}
    assert resolve("logs", "GetLogEvents", params, **_logs(params)) == [
        ("logs:GetLogEvents", [f"{group}:app:log-stream:s"])]
    assert resolve("logs", "PutLogEvents", params) == [("logs:PutLogEvents", [f"{group}:app:log-stream:s"])]
    params = {"logGroupIdentifiers": ["a", "arn:aws:logs:eu-west-1:444455556666:log-group:b"], "queryString": "x"}
    assert resolve("logs", "StartQuery", params, **_logs(params)) == [
        ("logs:StartQuery", [f"{group}:a:*"]),
        ("logs:StartQuery", ["arn:aws:logs:eu-west-1:444455556666:log-group:b:*"])]
