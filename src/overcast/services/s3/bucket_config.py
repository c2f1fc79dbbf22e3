"""S3 bucket configurations: policy, tagging, default encryption, Transfer Acceleration,
ownership controls, public access block, server access logging, request payment.

Each configuration is one ``bucket_configs`` row (``kind`` -> the operation's parameters as
JSON). Where AWS gives a bucket a configuration without anyone setting it (default encryption
SSE-S3, ``BucketOwnerEnforced`` ownership and all four public access blocks on, for buckets
created since April 2023) the absence of a row means that default; a Delete of such a
configuration stores the *deleted* state (JSON ``null``) so Get answers the not-found error.
"""

from __future__ import annotations

import datetime
import json
import re

from overcast.errors import AwsError

from .buckets import Bucket
from .policy import is_public, parse_policy

_MISSING = object()
# A Delete of a configuration that has a default stores this: Get then answers not found.
DELETED = None

# Bucket tags: at most 50 per bucket, keys 1-128 and values 0-256 Unicode characters of
# letters, digits, spaces and + - = . _ : / @ (S3's tag restrictions)
MAX_BUCKET_TAGS = 50
_TAG_TEXT = re.compile(r"^[\w\s+\-=.:/@]*$")

_DEFAULT_ENCRYPTION = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                  "BucketKeyEnabled": False}]}
_DEFAULT_PUBLIC_ACCESS_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                                "RestrictPublicBuckets": True}
_DEFAULT_OWNERSHIP = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
_SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
_OWNERSHIPS = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")


def malformed_xml() -> AwsError:
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                    "published schema", 400)


def _jsonable(value):
    """Parameters as JSON: timestamps become epoch seconds (what the serializers accept)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return value


class BucketConfigStore:
    """Read and write a bucket's ``bucket_configs`` rows."""

    def __init__(self, db):
        self.db = db

    def get(self, bucket, kind: str, default=_MISSING):
        """The stored value (``DELETED`` for a deleted default), or ``default`` without a row."""
        row = self.db.query_one("SELECT value FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = ?",
                                (bucket.partition, bucket.name, kind))
        if row is None:
            return None if default is _MISSING else default
        return json.loads(row[0])

    def put(self, bucket, kind: str, value) -> None:
        self.db.execute("INSERT OR REPLACE INTO bucket_configs (partition, bucket, kind, value) VALUES (?, ?, ?, ?)",
                        (bucket.partition, bucket.name, kind, json.dumps(_jsonable(value))))

    def delete(self, bucket, kind: str) -> None:
        self.db.execute("DELETE FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = ?",
                        (bucket.partition, bucket.name, kind))

    def rows_of_kind(self, kind: str):
        """(partition, bucket, value) of every bucket holding a ``kind`` configuration."""
        for partition, name, value in self.db.query(
                "SELECT partition, bucket, value FROM bucket_configs WHERE kind = ?", (kind,)):
            yield partition, name, json.loads(value)


class BucketConfigMixin:
    @property
    def configs(self) -> BucketConfigStore:
        return BucketConfigStore(self.db)

    def start_configurations(self) -> None:
        """At start: listen for object changes (notifications) and catch up on lifecycle
        actions that fell due while the server was down."""
        self.notifier  # noqa: B018 - subscribes to the object store
        self.lifecycle.tick()

    def reset_configurations(self) -> None:
        """After ``POST /_overcast/reset``: forget in-memory state."""
        self.notifier.forget()
        self.lifecycle.reset()

    def config_bucket(self, ctx, params: dict):
        """The bucket an operation names (``x-amz-expected-bucket-owner`` was checked before
        the operation ran: ``expected_owner.py``)."""
        return self.bucket_row(ctx, params["Bucket"])

    # -- policy ----------------------------------------------------------------------------

    def bucket_policy_for(self, bucket: str, region: str | None = None) -> tuple[str | None, str | None]:
        """(owner account, policy JSON text or None) of bucket ``bucket`` in ``region``'s
        partition, for strict-mode authorization; (None, None) when there is no such bucket."""
        from overcast.storage.scope import partition_of

        partition = partition_of(region or self.cloud.settings.region)
        row = self.db.query_one("SELECT account, region, created, versioning FROM buckets "
                                "WHERE partition = ? AND name = ?", (partition, bucket))
        if row is None:
            return None, None
        document = self.configs.get(Bucket(*row, partition, bucket), "policy")
        return row[0], (json.dumps(document) if document else None)

    def bucket_public_access_restricted(self, bucket: str, region: str | None = None) -> bool:
        """Whether RestrictPublicBuckets is on and the bucket's policy is public: then only the
        owner's account gets anything from the policy (strict-mode authorization)."""
        from overcast.storage.scope import partition_of

        partition = partition_of(region or self.cloud.settings.region)
        row = self.db.query_one("SELECT account, region, created, versioning FROM buckets "
                                "WHERE partition = ? AND name = ?", (partition, bucket))
        if row is None:
            return False
        found = Bucket(*row, partition, bucket)
        document = self.configs.get(found, "policy")
        if not document or not is_public(document):
            return False
        block = self.configs.get(found, "public-access-block", _DEFAULT_PUBLIC_ACCESS_BLOCK) or {}
        return bool(block.get("RestrictPublicBuckets"))

    def policy_bucket(self, ctx, params: dict):
        """The bucket of a bucket-policy call: only the owner's account may make one; another
        account granted the action (strict mode) gets 405, as S3 documents."""
        bucket = self.config_bucket(ctx, params)
        if bucket.account != ctx.account:
            raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                           fields={"Method": {"GetBucketPolicy": "GET", "DeleteBucketPolicy": "DELETE"}.get(
                               ctx.operation, "PUT")})
        return bucket

    def put_bucket_policy(self, ctx, params: dict) -> dict:
        bucket = self.policy_bucket(ctx, params)
        policy = params.get("Policy")
        text = policy.decode("utf-8", "replace") if isinstance(policy, (bytes, bytearray)) else (policy or "")
        document = parse_policy(text, bucket.name)
        block = self.configs.get(bucket, "public-access-block", _DEFAULT_PUBLIC_ACCESS_BLOCK) or {}
        if block.get("BlockPublicPolicy") and is_public(document):
            who = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
            raise AwsError("AccessDenied", f"User: {who} is not authorized to perform: s3:PutBucketPolicy on "
                           f"resource: \"arn:aws:s3:::{bucket.name}\" because public policies are blocked by the "
                           "BlockPublicPolicy block public access setting.", 403)
        self.configs.put(bucket, "policy", document)
        return {"__status__": 204}

    def _policy(self, ctx, params: dict) -> dict:
        document = self.configs.get(self.policy_bucket(ctx, params), "policy")
        if document is None:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404,
                           fields={"BucketName": params["Bucket"]})
        return document

    def get_bucket_policy(self, ctx, params: dict) -> dict:
        # S3 answers the policy as a compact JSON document
        return {"Policy": json.dumps(self._policy(ctx, params), separators=(",", ":"))}

    def get_bucket_policy_status(self, ctx, params: dict) -> dict:
        return {"PolicyStatus": {"IsPublic": is_public(self._policy(ctx, params))}}

    def delete_bucket_policy(self, ctx, params: dict) -> dict:
        self.configs.delete(self.policy_bucket(ctx, params), "policy")
        return {"__status__": 204}

    # -- tagging ---------------------------------------------------------------------------

    def put_bucket_tagging(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        tags = (params.get("Tagging") or {}).get("TagSet") or []
        seen = set()
        for tag in tags:
            key, value = tag.get("Key"), tag.get("Value")
            if key is None or value is None:
                raise malformed_xml()
            if not 1 <= len(key) <= 128 or not _TAG_TEXT.match(key):
                raise AwsError("InvalidTag", "The TagKey you have provided is invalid", 400, fields={"TagKey": key})
            if len(value) > 256 or not _TAG_TEXT.match(value):
                raise AwsError("InvalidTag", "The TagValue you have provided is invalid", 400,
                               fields={"TagKey": key, "TagValue": value})
            if key.lower().startswith("aws:"):
                raise AwsError("InvalidTag", "Your TagKey cannot be prefixed with aws:", 400, fields={"TagKey": key})
            if key in seen:
                raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key", 400,
                               fields={"TagKey": key})
            seen.add(key)
        if len(tags) > MAX_BUCKET_TAGS:
            raise AwsError("BadRequest", "Bucket tag count cannot be greater than 50", 400)
        self.configs.put(bucket, "tagging", [{"Key": t["Key"], "Value": t["Value"]} for t in tags])
        return {"__status__": 204}

    def get_bucket_tagging(self, ctx, params: dict) -> dict:
        tags = self.configs.get(self.config_bucket(ctx, params), "tagging")
        if not tags:
            raise AwsError("NoSuchTagSet", "The TagSet does not exist", 404, fields={"BucketName": params["Bucket"]})
        return {"TagSet": tags}

    def delete_bucket_tagging(self, ctx, params: dict) -> dict:
        self.configs.delete(self.config_bucket(ctx, params), "tagging")
        return {"__status__": 204}

    # -- default encryption ----------------------------------------------------------------

    def put_bucket_encryption(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        rules = (params.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        if len(rules) != 1:  # S3 takes exactly one default encryption rule
            raise malformed_xml()
        rule = rules[0]
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if not default or default.get("SSEAlgorithm") not in _SSE_ALGORITHMS:
            raise malformed_xml()
        stored = {"SSEAlgorithm": default["SSEAlgorithm"]}
        if default.get("KMSMasterKeyID"):
            if not default["SSEAlgorithm"].startswith("aws:kms"):
                raise AwsError("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm "
                               "is not aws:kms or aws:kms:dsse", 400,
                               fields={"ArgumentName": "ApplyServerSideEncryptionByDefault"})
            stored["KMSMasterKeyID"] = default["KMSMasterKeyID"]
        self.configs.put(bucket, "encryption", {"Rules": [{"ApplyServerSideEncryptionByDefault": stored,
                                                           "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled"))}]})
        self.encryption_changed()  # sse.py remembers each bucket's rule
        return {}

    def get_bucket_encryption(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        # never ServerSideEncryptionConfigurationNotFoundError: since January 2023 every
        # bucket has SSE-S3 unless configured otherwise
        return {"ServerSideEncryptionConfiguration": self.configs.get(bucket, "encryption", _DEFAULT_ENCRYPTION)}

    def delete_bucket_encryption(self, ctx, params: dict) -> dict:
        # every bucket keeps SSE-S3 as its base level of encryption: Delete returns to it
        self.configs.delete(self.config_bucket(ctx, params), "encryption")
        self.encryption_changed()
        return {"__status__": 204}

    # -- Transfer Acceleration -------------------------------------------------------------

    def put_bucket_accelerate_configuration(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        if "." in bucket.name:  # S3 answers this whatever the body holds
            raise AwsError("InvalidRequest", "S3 Transfer Acceleration is not supported for buckets with periods (.) "
                           "in their names", 400)
        status = (params.get("AccelerateConfiguration") or {}).get("Status")
        if status not in ("Enabled", "Suspended"):
            raise malformed_xml()
        self.configs.put(bucket, "accelerate", status)
        return {}

    def check_accelerate_endpoint(self, bucket) -> None:
        """A request through ``<bucket>.s3-accelerate...`` needs acceleration Enabled."""
        status = self.configs.get(bucket, "accelerate")
        if status != "Enabled":
            state = "disabled" if status == "Suspended" else "not configured"
            raise AwsError("InvalidRequest", f"S3 Transfer Acceleration is {state} on this bucket", 400)

    def get_bucket_accelerate_configuration(self, ctx, params: dict) -> dict:
        status = self.configs.get(self.config_bucket(ctx, params), "accelerate")
        return {"Status": status} if status else {}

    # -- ownership controls ----------------------------------------------------------------

    def put_bucket_ownership_controls(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        rules = (params.get("OwnershipControls") or {}).get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in _OWNERSHIPS:
            raise malformed_xml()
        self.configs.put(bucket, "ownership", {"Rules": [{"ObjectOwnership": rules[0]["ObjectOwnership"]}]})
        return {}

    def get_bucket_ownership_controls(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        config = self.configs.get(bucket, "ownership", _DEFAULT_OWNERSHIP)
        if config is DELETED:
            raise AwsError("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404,
                           fields={"BucketName": bucket.name})
        return {"OwnershipControls": config}

    def delete_bucket_ownership_controls(self, ctx, params: dict) -> dict:
        self.configs.put(self.config_bucket(ctx, params), "ownership", DELETED)
        return {"__status__": 204}

    # -- public access block ---------------------------------------------------------------

    def put_public_access_block(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        given = params.get("PublicAccessBlockConfiguration") or {}
        self.configs.put(bucket, "public-access-block", {name: bool(given.get(name))
                                                         for name in _DEFAULT_PUBLIC_ACCESS_BLOCK})
        return {}

    def get_public_access_block(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        config = self.configs.get(bucket, "public-access-block", _DEFAULT_PUBLIC_ACCESS_BLOCK)
        if config is DELETED:
            raise AwsError("NoSuchPublicAccessBlockConfiguration",
                           "The public access block configuration was not found", 404,
                           fields={"BucketName": bucket.name})
        return {"PublicAccessBlockConfiguration": config}

    def delete_public_access_block(self, ctx, params: dict) -> dict:
        self.configs.put(self.config_bucket(ctx, params), "public-access-block", DELETED)
        return {"__status__": 204}

    # -- server access logging and request payment -----------------------------------------

    def put_bucket_logging(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        enabled = (params.get("BucketLoggingStatus") or {}).get("LoggingEnabled")
        if not enabled:
            self.configs.delete(bucket, "logging")
            self.logging_targets_changed()  # access_log.py
            return {}
        if enabled.get("TargetBucket") is None or enabled.get("TargetPrefix") is None:
            raise malformed_xml()
        try:
            target = self.bucket_row(ctx, enabled["TargetBucket"], owned=False)
        except AwsError:
            target = None
        if target is None:
            raise AwsError("InvalidTargetBucketForLogging", "The target bucket for logging does not exist", 400,
                           fields={"TargetBucket": enabled["TargetBucket"]})
        if target.account != bucket.account:  # S3 delivers logs only within the owner's account
            raise AwsError("InvalidTargetBucketForLogging", "The owner for the bucket to be logged and the target "
                           "bucket must be the same.", 400, fields={"TargetBucket": enabled["TargetBucket"]})
        if target.region != bucket.region:
            # S3 names the source's location too, except for us-east-1 (the location without a name)
            where = {"TargetBucketLocation": target.region}
            if bucket.region != "us-east-1":
                where["SourceBucketLocation"] = bucket.region
            raise AwsError("CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ", 403,
                           fields=where)
        self.configs.put(bucket, "logging", enabled)
        self.logging_targets_changed()  # access_log.py
        return {}

    def get_bucket_logging(self, ctx, params: dict) -> dict:
        enabled = self.configs.get(self.config_bucket(ctx, params), "logging")
        return {"LoggingEnabled": enabled} if enabled else {}

    def put_bucket_request_payment(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        payer = (params.get("RequestPaymentConfiguration") or {}).get("Payer")
        if payer not in ("Requester", "BucketOwner"):
            raise malformed_xml()
        self.configs.put(bucket, "request-payment", payer)
        return {}

    def get_bucket_request_payment(self, ctx, params: dict) -> dict:
        return {"Payer": self.configs.get(self.config_bucket(ctx, params), "request-payment", "BucketOwner")}
