"""S3 buckets: create, head, list, delete, location. Names are unique per partition."""

from __future__ import annotations

import re

from overcast.errors import AwsError
from overcast.storage.scope import partition_of

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def no_such_bucket(name: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404, fields={"BucketName": name})


def check_bucket_name(name: str) -> None:
    if (not _NAME.match(name) or ".." in name or ".-" in name or "-." in name or _IP.match(name)
            or name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3"))):
        raise AwsError("InvalidBucketName", "The specified bucket is not valid.", 400,
                       fields={"BucketName": name})


class BucketsMixin:
    def bucket_row(self, ctx, name: str, owned: bool = True):
        """(account, region, created) of bucket ``name`` in the caller's partition, or raise
        (``NoSuchBucket``; ``AccessDenied`` for another account's bucket when ``owned``)."""
        row = self.db.query_one("SELECT account, region, created FROM buckets WHERE partition = ? AND name = ?",
                                (partition_of(ctx.region), name))
        if row is None:
            raise no_such_bucket(name)
        if owned and row[0] != ctx.account:
            raise AwsError("AccessDenied", "Access Denied", 403)
        return row

    def create_bucket(self, ctx, params: dict) -> dict:
        name = params["Bucket"]
        check_bucket_name(name)
        config = params.get("CreateBucketConfiguration") or {}
        location = config.get("LocationConstraint") or ""
        region = location or "us-east-1"
        if location == "EU":
            region = "eu-west-1"
        if region != ctx.region and not (ctx.region == "us-east-1" and location):
            raise AwsError("IllegalLocationConstraintException",
                           f"The {location or 'unspecified'} location constraint is incompatible for the "
                           f"region specific endpoint this request was sent to.", 400)
        partition = partition_of(ctx.region)
        row = self.db.query_one("SELECT account, region FROM buckets WHERE partition = ? AND name = ?",
                                (partition, name))
        if row is not None:
            if row[0] != ctx.account:
                raise AwsError("BucketAlreadyExists", "The requested bucket name is not available. The bucket "
                               "namespace is shared by all users of the system. Please select a different "
                               "name and try again.", 409, fields={"BucketName": name})
            if row[1] == "us-east-1" and region == "us-east-1":
                return {"Location": f"/{name}"}
            raise AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket "
                           "succeeded and you already own it.", 409, fields={"BucketName": name})
        self.db.execute("INSERT INTO buckets (partition, name, account, region, created) VALUES (?, ?, ?, ?, ?)",
                        (partition, name, ctx.account, region, self.clock.now()))
        return {"Location": f"/{name}"}

    def head_bucket(self, ctx, params: dict) -> dict:
        name = params["Bucket"]
        account, region, _ = self.bucket_row(ctx, name)
        return {"BucketRegion": region, "__headers__": {"x-amz-bucket-region": region}}

    def list_buckets(self, ctx, params: dict) -> dict:
        rows = self.db.query("SELECT name, created, region FROM buckets WHERE partition = ? AND account = ? "
                             "ORDER BY name", (partition_of(ctx.region), ctx.account))
        prefix = params.get("Prefix")
        buckets = [{"Name": n, "CreationDate": c, "BucketRegion": r} for n, c, r in rows
                   if not prefix or n.startswith(prefix)]
        return {"Buckets": buckets, "Owner": {"ID": ctx.account, "DisplayName": "webfile"}}

    def delete_bucket(self, ctx, params: dict) -> dict:
        name = params["Bucket"]
        self.bucket_row(ctx, name)
        partition = partition_of(ctx.region)
        if self.db.query_one("SELECT 1 FROM objects WHERE partition = ? AND bucket = ? LIMIT 1", (partition, name)):
            raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409,
                           fields={"BucketName": name})
        self.db.execute("DELETE FROM buckets WHERE partition = ? AND name = ?", (partition, name))
        return {}

    def get_bucket_location(self, ctx, params: dict) -> dict:
        _, region, _ = self.bucket_row(ctx, params["Bucket"])
        return {"LocationConstraint": None if region == "us-east-1" else region}
