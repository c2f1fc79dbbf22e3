"""S3 buckets: create, head, list, delete, location. Names are unique per partition."""

from __future__ import annotations

import re
from typing import NamedTuple

from overcast.errors import AwsError
from overcast.protocols.models import service_model
from overcast.storage.scope import partition_of

from .bucket_tags import check_create_bucket_tags
from .listing import decode_token, encode_token, owner_entry

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_REGION_NAME = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$", re.IGNORECASE)
MAX_BUCKETS = 10000  # ListBuckets: max-buckets is 1-10,000, and the page size when paged
# The LocationConstraint values S3 takes (the service model's enum; "EU" is eu-west-1's old name)
_LOCATION_CONSTRAINTS = frozenset(service_model("s3").shape_for("BucketLocationConstraint").enum)
_ALIASES = {"EU": "eu-west-1"}


def _location_url(name: str, region: str, partition: str) -> str:
    """CreateBucket's ``Location``: the path in us-east-1, the virtual-hosted URL elsewhere."""
    if region == "us-east-1":
        return f"/{name}"
    return f"http://{name}.s3.amazonaws.com{'.cn' if partition == 'aws-cn' else ''}/"


def no_such_bucket(name: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404, fields={"BucketName": name})


def check_bucket_name(name: str) -> None:
    if (not _NAME.match(name) or ".." in name or ".-" in name or "-." in name or _IP.match(name)
            or name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3"))):
        raise AwsError("InvalidBucketName", "The specified bucket is not valid.", 400,
                       fields={"BucketName": name})


def check_bucket_region(value: str, endpoint_region: str) -> None:
    """ListBuckets' ``bucket-region``: a region's name (any case), and the endpoint's own."""
    argument = {"ArgumentName": "bucket-region"}
    if not _REGION_NAME.match(value):
        raise AwsError("InvalidArgument", f"Argument value {value} is not a valid AWS Region", 400, fields=argument)
    if value.lower() != endpoint_region:
        raise AwsError("InvalidArgument", "Requests with bucket-region specified must be made to the corresponding "
                       "regional endpoint", 400, fields=argument)


def bucket_arn(partition: str, name: str) -> str:
    """A general purpose bucket's ARN (no region or account in it): what CreateBucket,
    HeadBucket (``x-amz-bucket-arn``) and ListBuckets report as ``BucketArn``."""
    return f"arn:{partition}:s3:::{name}"


class Bucket(NamedTuple):
    account: str
    region: str
    created: float
    versioning: str | None  # None (never enabled), "Enabled" or "Suspended"
    partition: str
    name: str


class BucketsMixin:
    _bucket_rows: dict | None = None  # (partition, name) -> row of the buckets table

    def bucket_rows_changed(self) -> None:
        """Forget the remembered bucket rows: call after any write to the buckets table
        commits or rolls back (so a row read inside a failed transaction is not kept)."""
        self._bucket_rows = None
        self.logging_targets_changed()  # access_log.py: a deleted bucket's configuration goes

    def bucket_row(self, ctx, name: str, owned: bool = True) -> Bucket:
        """Bucket ``name`` in the caller's partition, or raise (``NoSuchBucket``;
        ``AccessDenied`` for another account's bucket when ``owned``)."""
        partition = partition_of(ctx.region)
        # Every object request reads its bucket (a PUT twice): remembered until the buckets
        # table changes (create, delete, versioning: ``bucket_rows_changed``).
        cache = self._bucket_rows
        if cache is None:
            cache = self._bucket_rows = {}
        row = cache.get((partition, name))
        if row is None:
            row = self.db.query_one("SELECT account, region, created, versioning FROM buckets "
                                    "WHERE partition = ? AND name = ?", (partition, name))
            if row is not None:
                if len(cache) >= 1024:
                    cache.clear()
                cache[(partition, name)] = row
        if row is None:
            raise no_such_bucket(name)
        bucket = Bucket(*row, partition, name)
        self.mark_logged_request(ctx, bucket)  # access_log.py: a dict lookup when no bucket logs
        # Another account's bucket: only when strict-mode authorization allowed the request
        # (a bucket policy granting the caller); open mode has no such grants.
        if owned and row[0] != ctx.account and not ctx.extra.get("authorized"):
            raise AwsError("AccessDenied", "Access Denied", 403)
        if owned and (row[0] != ctx.account or (not ctx.principal_arn and self.cloud.settings.strict)):
            self.check_request_payer(ctx, bucket)  # request_payment.py: never for the owner
        if "s3-accelerate" in ctx.host:  # the Transfer Acceleration endpoint (bucket_config.py)
            self.check_accelerate_endpoint(bucket)
        return bucket

    def create_bucket(self, ctx, params: dict) -> dict:
        name = params["Bucket"]
        check_bucket_name(name)
        config = params.get("CreateBucketConfiguration") or {}
        location = config.get("LocationConstraint") or ""
        if location and location not in _LOCATION_CONSTRAINTS:
            # us-east-1 has no constraint of its own name (nor aws-global): S3 refuses those too
            raise AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", 400,
                           fields={"LocationConstraint": location})
        region = _ALIASES.get(location, location) or "us-east-1"
        if region != ctx.region and not (ctx.region == "us-east-1" and location):
            raise AwsError("IllegalLocationConstraintException",
                           f"The {location or 'unspecified'} location constraint is incompatible for the "
                           f"region specific endpoint this request was sent to.", 400)
        tags = check_create_bucket_tags(config["Tags"]) if config.get("Tags") is not None else None
        partition = partition_of(ctx.region)
        answer = {"Location": _location_url(name, region, partition), "BucketArn": bucket_arn(partition, name)}
        row = self.db.query_one("SELECT account, region FROM buckets WHERE partition = ? AND name = ?",
                                (partition, name))
        if row is not None:
            if row[0] != ctx.account:
                raise AwsError("BucketAlreadyExists", "The requested bucket name is not available. The bucket "
                               "namespace is shared by all users of the system. Please select a different "
                               "name and try again.", 409, fields={"BucketName": name})
            if row[1] == "us-east-1" and region == "us-east-1":
                return answer
            raise AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket "
                           "succeeded and you already own it.", 409, fields={"BucketName": name})
        acl = self.bucket_acl_for_create(ctx, params)  # acl.py: checked against Object Ownership
        try:
            with self.db.transaction():
                self.db.execute("INSERT INTO buckets (partition, name, account, region, created) "
                                "VALUES (?, ?, ?, ?, ?)", (partition, name, ctx.account, region, self.clock.now()))
                self.save_created_bucket_acl(partition, name, params, acl)
                bucket = Bucket(ctx.account, region, 0.0, None, partition, name)
                if location in _ALIASES:  # GetBucketLocation answers the alias the bucket was made with
                    self.configs.put(bucket, "location-constraint", location)
                if tags:
                    self.configs.put(bucket, "tagging", tags)
                self.enable_lock_on_create(partition, name, params)  # object_lock.py
        finally:
            self.bucket_rows_changed()
        return answer

    def head_bucket(self, ctx, params: dict) -> dict:
        name = params["Bucket"]
        bucket = self.bucket_row(ctx, name)
        # S3 answers HeadBucket with an XML content type (and no body)
        return {"BucketRegion": bucket.region, "BucketArn": bucket_arn(bucket.partition, name),
                "__headers__": {"x-amz-bucket-region": bucket.region, "content-type": "application/xml"}}

    def list_buckets(self, ctx, params: dict) -> dict:
        """The caller's buckets by name. With any of max-buckets, continuation-token, prefix or
        bucket-region the answer is paged (at most 10,000 a page, S3's default and limit) and a
        ``ContinuationToken`` says more remain; without them every bucket comes back."""
        max_buckets, token = params.get("MaxBuckets"), params.get("ContinuationToken")
        prefix, region = params.get("Prefix"), params.get("BucketRegion")
        if max_buckets is not None and not 1 <= max_buckets <= MAX_BUCKETS:
            raise AwsError("InvalidArgument", f"Argument max-buckets must be an integer between 1 and {MAX_BUCKETS}.",
                           400, fields={"ArgumentName": "max-buckets", "ArgumentValue": str(max_buckets)})
        if region is not None:
            check_bucket_region(region, ctx.region)
        after = decode_token(token, echo_value=False) if token is not None else ""
        paged = any(p is not None for p in (max_buckets, token, prefix, region))
        limit = (max_buckets or MAX_BUCKETS) if paged else -1  # SQLite: a negative LIMIT is no limit
        rows = self.db.query(
            "SELECT name, created, region FROM buckets WHERE partition = ? AND account = ? AND name > ? "
            "AND substr(name, 1, ?) = ? AND (? IS NULL OR region = ?) ORDER BY name LIMIT ?",
            (partition_of(ctx.region), ctx.account, after, len(prefix or ""), prefix or "", region, region,
             limit if limit < 0 else limit + 1))
        partition = partition_of(ctx.region)
        result = {"Owner": owner_entry(None, ctx.account)}
        if paged and len(rows) > limit:
            rows = rows[:limit]
            result["ContinuationToken"] = encode_token(rows[-1][0])
        # S3 keeps a bucket's creation time to the second (CreationDate ends in .000Z)
        result["Buckets"] = [{"Name": n, "CreationDate": int(c), "BucketRegion": r,
                              "BucketArn": bucket_arn(partition, n)} for n, c, r in rows]
        if prefix is not None:
            result["Prefix"] = prefix
        return result

    def delete_bucket(self, ctx, params: dict) -> dict:
        name = params["Bucket"]
        bucket = self.bucket_row(ctx, name)
        partition = bucket.partition
        if self.store.has_any(partition, name):
            message = "The bucket you tried to delete is not empty"
            if bucket.versioning:  # what remains may be noncurrent versions and delete markers
                message += ". You must delete all versions in the bucket."
            raise AwsError("BucketNotEmpty", message, 409,
                           fields={"BucketName": name})
        try:
            with self.db.transaction():
                self.db.execute("DELETE FROM buckets WHERE partition = ? AND name = ?", (partition, name))
                self.store.wipe_bucket_rows(partition, name)
                # S3 deletes a general purpose bucket with uploads in progress: they go with it
                orphans = self.drop_uploads("partition = ? AND bucket = ?", (partition, name))
        finally:
            self.bucket_rows_changed()
        for blob in orphans:
            self.blobs.delete(blob)
        return {}

    def get_bucket_location(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        if bucket.region == "us-east-1":
            return {"LocationConstraint": None}
        alias = self.configs.get(bucket, "location-constraint") if bucket.region in _ALIASES.values() else None
        return {"LocationConstraint": alias or bucket.region}

    def put_bucket_versioning(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        config = params.get("VersioningConfiguration") or {}
        status = config.get("Status")
        if not status:
            raise AwsError("IllegalVersioningConfigurationException", "The Versioning element must be specified", 400)
        if status not in ("Enabled", "Suspended") or config.get("MFADelete") not in (None, "Enabled", "Disabled"):
            raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against "
                           "our published schema", 400)
        if config.get("MFADelete") == "Enabled":
            # MFA delete needs the root account's MFA device serial in x-amz-mfa
            if not params.get("MFA"):
                raise AwsError("InvalidRequest", "MFA Authentication must be used for this request", 400)
        self.check_versioning_change(bucket, status)  # never Suspended with Object Lock (object_lock.py)
        if status == "Suspended":
            self.check_versioning_can_be_suspended(bucket)  # nor with replication (replication_config.py)
        try:
            with self.db.transaction():
                self.db.execute("UPDATE buckets SET versioning = ? WHERE partition = ? AND name = ?",
                                (status, bucket.partition, bucket.name))
                if config.get("MFADelete") is not None:
                    self.db.execute("INSERT OR REPLACE INTO bucket_configs (partition, bucket, kind, value) "
                                    "VALUES (?, ?, 'mfa-delete', ?)",
                                    (bucket.partition, bucket.name, config["MFADelete"]))
        finally:
            self.bucket_rows_changed()
        return {}

    def get_bucket_versioning(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        result = {}
        if bucket.versioning:
            result["Status"] = bucket.versioning
        row = self.db.query_one("SELECT value FROM bucket_configs WHERE partition = ? AND bucket = ? "
                                "AND kind = 'mfa-delete'", (bucket.partition, bucket.name))
        if row is not None:
            result["MFADelete"] = row[0]
        return result
