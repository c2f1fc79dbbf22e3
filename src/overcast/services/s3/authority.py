"""S3's side of the authorization interface (``overcast.auth.authorization.authority``).

Buckets hold policies and ACLs; S3 ARNs name no account (``arn:aws:s3:::bucket/key``), so the
owner is the bucket's. A request for a bucket that does not exist is answered NoSuchBucket
to anyone (CreateBucket aside). S3 reads condition keys from the request itself (how it was
signed), from the copy source and lock headers, and from the object (s3:ExistingObjectTag/*,
read only when a policy names that key). Its denial names the resource in double quotes and
says nothing to another account's or an anonymous caller.
"""

from __future__ import annotations

import math
from datetime import timezone
from urllib.parse import parse_qs, unquote

from overcast.auth.authorization.authority import ResourceAuthority, ResourceFacts
from overcast.errors import AwsError

_ABSENT = ResourceFacts(absent=True)


def _bucket_and_key(arn: str) -> tuple[str, str]:
    bucket, _, key = arn.split(":", 5)[-1].partition("/")
    return bucket, key


class S3Authority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        """CopySourceBucket/Key/VersionId of a copy and the object lock dates of a write."""
        out = copy_source_values(params)
        out.update(self._lock_values(params))
        return out

    def _lock_values(self, params: dict) -> dict:
        """s3:object-lock-retain-until-date (ISO 8601) and s3:object-lock-remaining-retention-days
        (whole days left on the cloud clock) of a write's lock headers or a PutObjectRetention."""
        until = params.get("ObjectLockRetainUntilDate")
        if until is None and isinstance(params.get("Retention"), dict):
            until = params["Retention"].get("RetainUntilDate")
        if not hasattr(until, "timestamp"):
            return {}
        if until.tzinfo is None:
            until = until.replace(tzinfo=timezone.utc)
        return {"LockRetainUntilDate": until.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "LockRemainingDays": max(0, math.ceil((until.timestamp() - self.clock.now()) / 86400))}

    def request_condition_keys(self, ctx, params: dict, request) -> dict:
        """s3:authType, s3:signatureversion and s3:x-amz-content-sha256, from the request as sent."""
        if request is None:
            return {}
        out: dict = {}
        headers = request.headers
        query = (request.query_string or "").lower()
        if ctx.operation == "PostObject":
            out["s3:authType"] = "POST"
        elif "x-amz-signature=" in query:
            out["s3:authType"] = "REST-QUERY-STRING"
        elif "authorization" in headers:
            out["s3:authType"] = "REST-HEADER"
        auth = headers.get("authorization", "")
        if auth.startswith("AWS4-") or "x-amz-algorithm=" in query:
            out["s3:signatureversion"] = "AWS4-HMAC-SHA256"
        elif auth.startswith("AWS ") or "signature=" in query:
            out["s3:signatureversion"] = "AWS"
        sha = headers.get("x-amz-content-sha256")
        if sha:
            out["s3:x-amz-content-sha256"] = sha
        return out

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        if arn.split(":", 5)[4]:
            return None  # an ARN with an account (an access point's): the ARN's account
        bucket, _ = _bucket_and_key(arn)
        owner, text = self.bucket_policy_for(bucket, ctx.region) if bucket else (None, None)
        if owner is None:
            if ctx.service == "s3" and ctx.operation != "CreateBucket":
                return _ABSENT  # S3 answers NoSuchBucket to anyone
            return ResourceFacts()
        return ResourceFacts(owner=owner, policy=text)

    def resource_condition_keys(self, ctx, arn: str, check, facts, mentioned) -> dict:
        out = {}
        if facts is not None and facts.owner:
            out["s3:ResourceAccount"] = facts.owner
        if check.existing_object_tags and mentioned("existingobjecttag"):
            bucket, key = _bucket_and_key(arn)
            if bucket and key:
                for name, value in self.object_tags_for(bucket, key, check.conditions.get("s3:VersionId"),
                                                        ctx.region).items():
                    out[f"s3:ExistingObjectTag/{name}"] = value
        return out

    def grant_allows(self, ctx, arn: str, check, principal, context: dict) -> bool:
        """The bucket's or object's ACL grants the action (ACLs enabled on the bucket)."""
        bucket, key = _bucket_and_key(arn)
        return bool(bucket) and self.acl_allows(bucket, key or None, check.conditions.get("s3:VersionId"),
                                                check.action, principal.account or None, ctx.region)

    def outside_access_blocked(self, ctx, arn: str) -> bool:
        """RestrictPublicBuckets is on and the bucket policy is public."""
        bucket, _ = _bucket_and_key(arn)
        return bool(bucket) and self.bucket_public_access_restricted(bucket, ctx.region)

    def denial_error(self, ctx, denial):
        """For a caller of the bucket owner's own account S3 says who was refused what, on
        which resource (in double quotes) and why; to anyone else only "Access Denied"."""
        principal = denial.principal
        if principal.kind == "anonymous" or denial.resource_account not in (None, principal.account):
            return AwsError("AccessDenied", "Access Denied", 403)
        return AwsError("AccessDenied", f'User: {principal.arn} is not authorized to perform: {denial.action} '
                        f'on resource: "{denial.resource}" {denial.reason}', 403)


def copy_source_values(params: dict) -> dict:
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
