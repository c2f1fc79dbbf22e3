"""A resource's owning account and resource-based policy, from the service that holds it.

S3 buckets and SQS queues have resource policies (``s3.bucket_policy_for`` and
``sqs.queue_policy_for``); any other ARN names its account in its fifth field, and ``*`` or an
ARN without an account (S3 ``arn:aws:s3:::...`` of a bucket that does not exist, EC2 images)
belongs to the caller's account. Tags (aws:ResourceTag/*) are known for SQS queues, IAM
roles and EC2 instances.
"""

from __future__ import annotations

import functools
import logging

from overcast.auth.policy import Policy, PolicyDocumentError, parse_policy

log = logging.getLogger("overcast.auth.authorization")


@functools.lru_cache(maxsize=512)
def parsed_resource_policy(text: str, source: str) -> Policy | None:
    """A stored resource policy, parsed once per distinct text (None when the engine cannot read it)."""
    try:
        return parse_policy(text, "resource", source)
    except PolicyDocumentError as exc:
        log.warning("ignoring unreadable %s: %s", source, exc.message)
        return None


class ResourceOwners:
    """Per request: resource ARN -> (owner account or None, resource policy or None), cached."""

    def __init__(self, providers: dict, region: str):
        self._providers = providers  # service name -> provider (s3, sqs, iam) or absent
        self._region = region
        self._found: dict[str, tuple[str | None, Policy | None]] = {}
        self._tags: dict[str, dict[str, str]] = {}

    def lookup(self, resource: str) -> tuple[str | None, Policy | None]:
        found = self._found.get(resource)
        if found is None:
            found = self._found[resource] = self._lookup(resource)
        return found

    def public_access_restricted(self, resource: str) -> bool:
        """S3: RestrictPublicBuckets is on and the bucket policy is public."""
        s3 = self._providers.get("s3")
        bucket = resource.split(":", 5)[-1].split("/", 1)[0]
        return s3 is not None and bool(bucket) and s3.bucket_public_access_restricted(bucket, self._region)

    def object_tags(self, resource: str, version_id: str | None) -> dict[str, str]:
        """S3: the tags of the object an ``arn:aws:s3:::bucket/key`` names."""
        s3 = self._providers.get("s3")
        bucket, _, key = resource.split(":", 5)[-1].partition("/")
        if s3 is None or not bucket or not key:
            return {}
        return s3.object_tags_for(bucket, key, version_id, self._region)

    def acl_allows(self, resource: str, action: str, version_id: str | None, account: str | None) -> bool:
        """S3: the bucket's or object's ACL grants ``action`` to ``account`` (None: anonymous)."""
        s3 = self._providers.get("s3")
        bucket, _, key = resource.split(":", 5)[-1].partition("/")
        return s3 is not None and bool(bucket) and s3.acl_allows(bucket, key or None, version_id, action, account,
                                                                 self._region)

    def remember_tags(self, resource: str, tags: dict[str, str]) -> None:
        """Tags found ahead of the decisions (EC2 instances, read through DescribeTags)."""
        self._tags[resource] = tags

    def tags(self, resource: str) -> dict[str, str]:
        """The resource's tags where its service tells them (queues, roles), else {}."""
        found = self._tags.get(resource)
        if found is None:
            found = self._tags[resource] = self._lookup_tags(resource)
        return found

    def _lookup_tags(self, resource: str) -> dict[str, str]:
        parts = resource.split(":", 5)
        if len(parts) < 6:
            return {}
        if parts[2] == "sqs" and self._providers.get("sqs") is not None:
            return self._providers["sqs"].queue_tags_for(resource)
        if parts[2] == "iam" and parts[5].startswith("role/") and self._providers.get("iam") is not None:
            # by name: the tables' role ARNs carry no path
            role = self._providers["iam"].role_record(parts[4], parts[5].rsplit("/", 1)[-1])
            return dict(role.tags) if role is not None else {}
        return {}

    def _lookup(self, resource: str) -> tuple[str | None, Policy | None]:
        if resource == "*" or not resource.startswith("arn:"):
            return None, None
        parts = resource.split(":", 5)
        if len(parts) < 6:
            return None, None
        service, account = parts[2], parts[4]
        if service == "s3" and not account:
            bucket = parts[5].split("/", 1)[0]
            s3 = self._providers.get("s3")
            if s3 is None or not bucket:
                return None, None
            owner, text = s3.bucket_policy_for(bucket, self._region)
            return owner, (parsed_resource_policy(text, f"bucket policy of {bucket}") if text else None)
        if service == "sqs":
            sqs = self._providers.get("sqs")
            owner, text = sqs.queue_policy_for(resource) if sqs is not None else (None, None)
            policy = parsed_resource_policy(text, f"queue policy of {parts[5]}") if text else None
            return owner or account or None, policy
        # AWS's own resources (arn:aws:iam::aws:policy/...) belong to no account: the caller's rules apply
        return (account if account.isdigit() else None), None
