"""Values the action tables use besides the request parameters: the partition, region and
account, what services encode inside one parameter (a queue URL, a copy source, a move task
handle, an OIDC provider URL), and the role an EC2 instance profile passes."""

from __future__ import annotations

import math
from datetime import timezone
from urllib.parse import parse_qs, unquote

from overcast.storage.scope import partition_of


def derived_values(ctx, params: dict) -> dict:
    """The placeholders of ``ctx.service``'s table that are not plain request parameters."""
    credential = ctx.credential
    values = {
        "Partition": partition_of(ctx.region),
        "Region": ctx.region,
        "Account": ctx.account,
    }
    if credential is not None and credential.user_name:
        values["CallerUserName"] = credential.user_name
    extra = _BY_SERVICE.get(ctx.service)
    if extra is not None:
        values.update(extra(params))
    if ctx.service == "sqs":
        values.setdefault("QueueAccount", ctx.account)
    if ctx.service == "s3":
        values.update(_s3_lock(ctx, params))
    if ctx.service == "ec2":
        values.update(_passed_role(ctx, params))
    elif ctx.service == "iam":
        values.update(_entity_paths(ctx, params, values.get("CallerUserName")))
    return values


def _entity_paths(ctx, params: dict, caller_user: str | None) -> dict:
    """The paths of the existing user, group and role a call names: IAM ARNs include them."""
    iam = ctx.registry.loaded().get("iam") if ctx.registry is not None else None
    if iam is None:  # not loaded: no entity exists yet
        return {}
    out = {}
    for name, finder, path_key in ((params.get("UserName") or caller_user, "find_user", "UserPath"),
                                   (params.get("GroupName"), "find_group", "GroupPath"),
                                   (params.get("RoleName"), "role_record", "RolePath")):
        if isinstance(name, str) and name:
            record = getattr(iam, finder)(ctx.account, name)
            if record is not None and getattr(record, "path", None):
                out[path_key] = record.path
    return out


def _passed_role(ctx, params: dict) -> dict:
    """RunInstances with an instance profile passes the profile's role to EC2 (iam:PassRole)."""
    profile = params.get("IamInstanceProfile") or {}
    named = profile.get("Arn") or profile.get("Name")
    iam = ctx.registry.loaded().get("iam") if ctx.registry is not None and named else None
    if iam is None:  # IAM not loaded: it holds no profiles, and EC2 answers the missing one
        return {}
    roles = iam.instance_profile_roles(ctx.account, named)
    return {"PassedRoleArn": roles[0].arn} if roles else {}


def _s3(params: dict) -> dict:
    source = params.get("CopySource")
    if not isinstance(source, str) or not source:
        return {}
    path, _, query = source.partition("?")
    path = unquote(path).lstrip("/")
    bucket, _, key = path.partition("/")
    out = {"CopySourceBucket": bucket, "CopySourceKey": key}
    version = parse_qs(query).get("versionId") if query else None
    if version:
        out["CopySourceVersionId"] = version[0]
    return out


def _s3_lock(ctx, params: dict) -> dict:
    """s3:object-lock-retain-until-date (ISO 8601) and s3:object-lock-remaining-retention-days
    (whole days left on the cloud clock) of a write's lock headers or a PutObjectRetention."""
    until = params.get("ObjectLockRetainUntilDate")
    if until is None and isinstance(params.get("Retention"), dict):
        until = params["Retention"].get("RetainUntilDate")
    if not hasattr(until, "timestamp"):
        return {}
    if until.tzinfo is None:
        until = until.replace(tzinfo=timezone.utc)
    out = {"LockRetainUntilDate": until.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    cloud = getattr(ctx.registry, "cloud", None)
    if cloud is not None:
        out["LockRemainingDays"] = max(0, math.ceil((until.timestamp() - cloud.clock.now()) / 86400))
    return out


def _sqs(params: dict) -> dict:
    from overcast.services.sqs.move_task_store import decode_handle
    from overcast.services.sqs.urls import parse_queue_url

    out = {}
    address = parse_queue_url(params.get("QueueUrl") or "")
    if address is not None:
        out["QueueName"] = address.name
        if address.account is not None:  # a bare queue name: the caller's (set by derived_values)
            out["QueueAccount"] = address.account
    handle = params.get("TaskHandle")
    if handle:
        decoded = decode_handle(handle)
        if decoded is not None:
            out["TaskSourceArn"] = decoded[1]
    return out


def _iam(params: dict) -> dict:
    url = params.get("Url")
    if isinstance(url, str) and url:
        return {"UrlHostPath": url.split("://", 1)[-1].rstrip("/")}
    return {}


_BY_SERVICE = {"s3": _s3, "sqs": _sqs, "iam": _iam}
