"""AWS managed keys (``alias/aws/<service>``), created on first use as AWS does: when a service
first needs its key (``managed_key(ctx, "s3")``) or when DescribeKey names a predefined
``alias/aws/...`` alias that has no key yet. They are symmetric, rotate every year, cannot be
deleted, disabled or re-aliased, and carry the policy AWS writes: any principal of the account
may use the key through that service (``kms:ViaService``), the account may read its metadata."""

from __future__ import annotations

from overcast.services.kms.key_specs import generate_material
from overcast.services.kms.key_store import KeyRecord, new_key_id
from overcast.services.kms.rotation import DAY, ROTATE_TIMER
from overcast.storage.scope import partition_of

MANAGED_ROTATION_DAYS = 365
# alias suffix -> (what the default description says the key protects, service name in policy texts)
SERVICES = {
    "s3": ("S3 objects", "S3"),
    "sqs": ("SQS messages", "SQS"),
    "sns": ("SNS data", "SNS"),
    "ebs": ("EBS volumes", "EC2"),
    "rds": ("RDS database volumes", "RDS"),
    "lambda": ("Lambda functions", "Lambda"),
    "dynamodb": ("DynamoDB data", "DynamoDB"),
    "secretsmanager": ("Secrets Manager data", "Secrets Manager"),
    "ssm": ("SSM parameters", "SSM"),
    "kinesis": ("Kinesis data", "Kinesis"),
    "logs": ("CloudWatch Logs data", "CloudWatch Logs"),
}
# The kms:ViaService host of services whose alias is not their endpoint prefix.
_VIA = {"ebs": "ec2"}


def managed_key_policy(service: str, account: str, region: str) -> str:
    partition = partition_of(region)
    name = SERVICES[service][1]
    via = f"{_VIA.get(service, service)}.{region}.amazonaws.com"
    return (
        "{\n"
        '  "Version" : "2012-10-17",\n'
        f'  "Id" : "auto-{service}-2",\n'
        '  "Statement" : [ {\n'
        f'    "Sid" : "Allow access through {name} for all principals in the account that are authorized to use {name}",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        '      "AWS" : "*"\n'
        "    },\n"
        '    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", '
        '"kms:DescribeKey" ],\n'
        '    "Resource" : "*",\n'
        '    "Condition" : {\n'
        '      "StringEquals" : {\n'
        f'        "kms:ViaService" : "{via}",\n'
        f'        "kms:CallerAccount" : "{account}"\n'
        "      }\n"
        "    }\n"
        "  }, {\n"
        '    "Sid" : "Allow direct access to key metadata to the account",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        f'      "AWS" : "arn:{partition}:iam::{account}:root"\n'
        "    },\n"
        '    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],\n'
        '    "Resource" : "*"\n'
        "  } ]\n"
        "}"
    )


def ensure_managed_key(provider, account: str, region: str, service: str) -> KeyRecord:
    """The AWS managed key of ``service`` in this account and region, created if needed."""
    alias = f"alias/aws/{service}"
    row = provider.db.query_one("SELECT key_id FROM aliases WHERE account = ? AND region = ? AND name = ?",
                                (account, region, alias))
    if row is not None:
        found = provider.keys.get(account, region, row[0])
        if found is not None:
            return found
    now = provider.clock.now()
    record = KeyRecord(
        account=account, region=region, key_id=new_key_id(False), spec="SYMMETRIC_DEFAULT",
        usage="ENCRYPT_DECRYPT", origin="AWS_KMS", manager="AWS", state="Enabled",
        description=f"Default KMS key that protects my {SERVICES[service][0]} when no other key is defined",
        created=now, current_version=0, policy=managed_key_policy(service, account, region), tags="[]",
        multi_region=False, primary_region=None, deletion_date=None, pending_window=None,
        state_before_deletion=None, valid_to=None, expiration_model=None,
        rotation_period=MANAGED_ROTATION_DAYS, next_rotation=now + MANAGED_ROTATION_DAYS * DAY)
    with provider.db.transaction():
        provider.keys.insert(record)
        provider.keys.add_version(record, generate_material(record.spec), now, None)
        provider.db.execute(
            "INSERT INTO aliases (account, region, name, key_id, created, updated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, name) DO UPDATE SET key_id = excluded.key_id, updated = excluded.updated",
            (account, region, alias, record.key_id, now, now))
    provider.cloud.scheduler.schedule(record.next_rotation, ROTATE_TIMER,
                                      {"account": account, "region": region, "key_id": record.key_id})
    return provider.keys.get(account, region, record.key_id)


def managed_key(ctx, service: str) -> KeyRecord:
    """For other services (S3, SQS...): the caller's AWS managed key of ``service``
    (``alias/aws/<service>``), created on first use."""
    return ensure_managed_key(ctx.registry.provider("kms"), ctx.account, ctx.region, service)


def predefined_alias_service(name: str) -> str | None:
    """``alias/aws/s3`` -> ``s3`` when it names a predefined AWS managed key alias."""
    if name.startswith("alias/aws/") and name[len("alias/aws/"):] in SERVICES:
        return name[len("alias/aws/"):]
    return None
