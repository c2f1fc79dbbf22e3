"""S3 Object Lock: a bucket's lock configuration (with its default retention), each version's
retention and legal hold, and the refusal to delete a locked version.

A bucket gets Object Lock at creation (``x-amz-bucket-object-lock-enabled``, which also turns
versioning on) or later with PutObjectLockConfiguration once versioning is Enabled; it can
never lose it, nor suspend versioning. The configuration is the ``object-lock`` row of
``bucket_configs``. A version's lock lives in its ``attrs``: ``retention`` (``{"Mode",
"RetainUntilDate"}``, epoch seconds) and ``legal_hold`` (``"ON"`` / ``"OFF"``, present once a
hold was ever applied: S3 reports OFF after that, nothing before).

A version is locked while a legal hold is ON or its retain-until date is ahead of the cloud
clock; locked versions cannot be deleted by id (DeleteObject, DeleteObjects, lifecycle).
GOVERNANCE yields to ``x-amz-bypass-governance-retention: true`` from a caller allowed
s3:BypassGovernanceRetention; COMPLIANCE to no one. A plain DELETE still adds a delete marker.
"""

from __future__ import annotations

import datetime

from overcast.errors import AwsError

_MODES = ("GOVERNANCE", "COMPLIANCE")
_HOLDS = ("ON", "OFF")
DAY = 86400.0
# S3 counts a year of default retention as 365 days; periods above 100 years are refused
# ("The maximum retention period is 100 years")
YEAR_DAYS = 365
MAX_DAYS = 36500
MAX_YEARS = 100


def _malformed() -> AwsError:
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                    "published schema", 400)


def _invalid_argument(message: str, name: str, value) -> AwsError:
    return AwsError("InvalidArgument", message, 400, fields={"ArgumentName": name, "ArgumentValue": str(value)})


def _lock_denied() -> AwsError:
    return AwsError("AccessDenied", "Access Denied because object protected by object lock.", 403)


def _missing_configuration() -> AwsError:
    return AwsError("InvalidRequest", "Bucket is missing Object Lock Configuration", 400)


def _epoch(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    return float(value)


def lock_headers(attrs: dict) -> dict:
    """GetObject / HeadObject members (``x-amz-object-lock-*``) of a version's lock."""
    result = {}
    retention = attrs.get("retention")
    if retention:
        result["ObjectLockMode"] = retention["Mode"]
        result["ObjectLockRetainUntilDate"] = retention["RetainUntilDate"]
    if attrs.get("legal_hold"):
        result["ObjectLockLegalHoldStatus"] = attrs["legal_hold"]
    return result


def lock_state(attrs: dict, now: float) -> str | None:
    """What protects a version now: "LEGAL_HOLD", "COMPLIANCE", "GOVERNANCE" or None."""
    if attrs.get("legal_hold") == "ON":
        return "LEGAL_HOLD"
    retention = attrs.get("retention")
    if retention and retention["RetainUntilDate"] > now:
        return retention["Mode"]
    return None


class ObjectLockMixin:
    # Every PutObject asks for its bucket's configuration (a default retention may apply):
    # remembered per bucket incarnation (its creation time tells a re-created bucket apart)
    _lock_configs: dict | None = None

    # -- the bucket's configuration ----------------------------------------------------------

    def object_lock_config(self, bucket) -> dict | None:
        """The bucket's Object Lock configuration, None when it has no Object Lock."""
        cache = self._lock_configs
        if cache is None:
            cache = self._lock_configs = {}
        key = (bucket.partition, bucket.name, bucket.created)
        if key not in cache:
            if len(cache) >= 1024:
                cache.clear()
            cache[key] = self.configs.get(bucket, "object-lock")
        return cache[key]

    def enable_lock_on_create(self, partition: str, name: str, params: dict) -> None:
        """CreateBucket with ``x-amz-bucket-object-lock-enabled: true`` (inside its
        transaction): versioning Enabled and the configuration without a default rule."""
        if not params.get("ObjectLockEnabledForBucket"):
            return
        self.db.execute("UPDATE buckets SET versioning = 'Enabled' WHERE partition = ? AND name = ?",
                        (partition, name))
        self.db.execute("INSERT OR REPLACE INTO bucket_configs (partition, bucket, kind, value) "
                        "VALUES (?, ?, 'object-lock', ?)", (partition, name, '{"ObjectLockEnabled": "Enabled"}'))

    @staticmethod
    def lock_headers_for(ctx, version) -> dict:
        """GetObject / HeadObject's ``x-amz-object-lock-*`` headers: the retention only for a
        caller allowed s3:GetObjectRetention, the legal hold for s3:GetObjectLegalHold
        (strict-mode probes; open mode shows both)."""
        headers = lock_headers(version.attrs)
        probes = ctx.extra.get("probes", {})
        if probes.get("s3:GetObjectRetention") is False:
            headers.pop("ObjectLockMode", None)
            headers.pop("ObjectLockRetainUntilDate", None)
        if probes.get("s3:GetObjectLegalHold") is False:
            headers.pop("ObjectLockLegalHoldStatus", None)
        return headers

    def check_versioning_change(self, bucket, status: str) -> None:
        """PutBucketVersioning: a bucket with Object Lock can never suspend versioning."""
        if status != "Enabled" and self.object_lock_config(bucket) is not None:
            raise AwsError("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the "
                           "versioning state cannot be changed.", 409)

    def put_object_lock_configuration(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        check_integrity_header(ctx.extra.get("request"))
        config = params.get("ObjectLockConfiguration") or {}
        if config.get("ObjectLockEnabled") != "Enabled":
            raise _malformed()
        stored = {"ObjectLockEnabled": "Enabled"}
        rule = config.get("Rule")
        if rule is not None:
            stored["Rule"] = {"DefaultRetention": _default_retention(rule)}
        # Object Lock can be enabled on an existing bucket (since November 2023), once its
        # versioning is Enabled; the x-amz-bucket-object-lock-token is no longer needed
        if bucket.versioning != "Enabled":
            raise AwsError("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                           "configuration", 409)
        self.configs.put(bucket, "object-lock", stored)
        self._lock_configs = None
        return {}

    def get_object_lock_configuration(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        config = self.object_lock_config(bucket)
        if config is None:
            raise AwsError("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for "
                           "this bucket", 404, fields={"BucketName": bucket.name})
        return {"ObjectLockConfiguration": config}

    # -- locks given with a write ------------------------------------------------------------

    def object_lock_for_write(self, ctx, bucket, params: dict, with_body: bool = False) -> dict:
        """The ``attrs`` a write's ``x-amz-object-lock-*`` headers set, validated as S3 does
        (the headers first, then the bucket); PutObject (``with_body``) also needs an
        integrity header when a lock (or the bucket's default retention) applies."""
        mode, until = params.get("ObjectLockMode"), params.get("ObjectLockRetainUntilDate")
        hold = params.get("ObjectLockLegalHoldStatus")
        if (mode is None) != (until is None):
            missing = "x-amz-object-lock-retain-until-date" if until is None else "x-amz-object-lock-mode"
            raise _invalid_argument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be "
                                    "supplied", missing, "")
        if mode is not None and mode not in _MODES:
            raise _invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", mode)
        if hold is not None and hold not in _HOLDS:
            raise _invalid_argument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold",
                                    hold)
        attrs = {}
        if until is not None:
            until = _epoch(until)
            if until <= self.clock.now():
                raise _invalid_argument("The retain until date must be in the future!",
                                        "x-amz-object-lock-retain-until-date", params["ObjectLockRetainUntilDate"])
            attrs["retention"] = {"Mode": mode, "RetainUntilDate": until}
        if hold is not None:
            attrs["legal_hold"] = hold
        config = self.object_lock_config(bucket)
        if attrs and config is None:
            raise _missing_configuration()
        if with_body and (attrs or (config or {}).get("Rule")) and not _has_integrity_header(ctx):
            raise AwsError("InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object "
                           "requests with Object Lock parameters", 400)
        return attrs

    def check_part_integrity(self, ctx, bucket, upload_attrs: dict) -> None:
        """UploadPart of an upload that will be locked (its own headers or the bucket's
        default retention) needs Content-MD5 or a checksum, as PutObject does."""
        if "retention" not in upload_attrs and "legal_hold" not in upload_attrs and \
                not (self.object_lock_config(bucket) or {}).get("Rule"):
            return
        if not _has_integrity_header(ctx):
            raise AwsError("InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part "
                           "requests with Object Lock parameters", 400)

    def apply_default_retention(self, bucket, attrs: dict, created: float) -> None:
        """A new version without its own retention gets the bucket's default one, counted
        from the version's creation."""
        if "retention" in attrs:
            return
        config = self.object_lock_config(bucket)
        default = ((config or {}).get("Rule") or {}).get("DefaultRetention")
        if not default:
            return
        days = default.get("Days") or (default.get("Years") or 0) * YEAR_DAYS
        attrs["retention"] = {"Mode": default["Mode"], "RetainUntilDate": created + days * DAY}

    # -- a version's retention and legal hold ------------------------------------------------

    def _locked_version(self, ctx, params: dict):
        """(bucket, version) of a retention / legal hold call: the bucket needs Object Lock."""
        bucket = self.config_bucket(ctx, params)
        if self.object_lock_config(bucket) is None:
            raise _missing_configuration()
        return bucket, self._object_version(ctx, bucket, params["Key"], params)

    def put_object_retention(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        check_integrity_header(ctx.extra.get("request"))
        retention = params.get("Retention") or {}
        mode, until = retention.get("Mode"), _epoch(retention.get("RetainUntilDate"))
        if (mode is None) != (until is None) or (mode is not None and mode not in _MODES):
            raise _malformed()
        if until is not None and until <= self.clock.now():
            raise _invalid_argument("The retain until date must be in the future!", "RetainUntilDate",
                                    retention["RetainUntilDate"])
        bucket, version = self._locked_version(ctx, params)
        current = version.attrs.get("retention")
        if current and current["RetainUntilDate"] > self.clock.now():
            extends = mode == current["Mode"] and until >= current["RetainUntilDate"]
            if current["Mode"] == "COMPLIANCE" and not extends:
                raise _lock_denied()  # COMPLIANCE: only ever extended, by anyone
            if current["Mode"] == "GOVERNANCE" and not extends and not self._bypasses_governance(ctx, params):
                raise _lock_denied()
        new = {"Mode": mode, "RetainUntilDate": until} if mode is not None else None
        self.store.update_attrs(bucket.partition, bucket.name, version.key, version.version, retention=new)
        return {}

    def get_object_retention(self, ctx, params: dict) -> dict:
        _, version = self._locked_version(ctx, params)
        retention = version.attrs.get("retention")
        if not retention:
            raise _no_lock_on_object()
        return {"Retention": dict(retention)}

    def put_object_legal_hold(self, ctx, params: dict) -> dict:
        self.config_bucket(ctx, params)
        check_integrity_header(ctx.extra.get("request"))
        status = (params.get("LegalHold") or {}).get("Status")
        if status not in _HOLDS:
            raise _malformed()
        bucket, version = self._locked_version(ctx, params)
        self.store.update_attrs(bucket.partition, bucket.name, version.key, version.version, legal_hold=status)
        return {}

    def get_object_legal_hold(self, ctx, params: dict) -> dict:
        _, version = self._locked_version(ctx, params)
        if not version.attrs.get("legal_hold"):
            raise _no_lock_on_object()
        return {"LegalHold": {"Status": version.attrs["legal_hold"]}}

    # -- deletes -----------------------------------------------------------------------------

    def check_bypass_header(self, bucket, params: dict) -> None:
        """``x-amz-bypass-governance-retention`` (true or false) is refused on a bucket
        without Object Lock."""
        if params.get("BypassGovernanceRetention") is not None and self.object_lock_config(bucket) is None:
            raise _invalid_argument("x-amz-bypass-governance-retention is only applicable to Object Lock enabled "
                                    "buckets.", "x-amz-bypass-governance-retention",
                                    str(params["BypassGovernanceRetention"]).lower())

    def check_version_deletable(self, ctx, bucket, key: str, version_id: str, params: dict) -> None:
        """A permanent delete of ``version_id``: AccessDenied while the version is locked
        (GOVERNANCE yields to a permitted bypass)."""
        version = self.store.version(bucket.partition, bucket.name, key, version_id)
        if version is None or version.marker:  # delete markers are never protected
            return
        state = lock_state(version.attrs, self.clock.now())
        if state is None or (state == "GOVERNANCE" and self._bypasses_governance(ctx, params)):
            return
        raise _lock_denied()

    def version_is_locked(self, partition: str, bucket: str, key: str, version_id: str, now: float) -> bool:
        """For lifecycle: whether a version may not be expired yet."""
        version = self.store.version(partition, bucket, key, version_id)
        return version is not None and lock_state(version.attrs, now) is not None

    @staticmethod
    def _bypasses_governance(ctx, params: dict) -> bool:
        """``x-amz-bypass-governance-retention: true`` from a caller allowed
        s3:BypassGovernanceRetention (decided by strict-mode authorization; open mode allows)."""
        if not params.get("BypassGovernanceRetention"):
            return False
        return ctx.extra.get("probes", {}).get("s3:BypassGovernanceRetention", True) is not False


def _no_lock_on_object() -> AwsError:
    return AwsError("NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration",
                    404)


def _default_retention(rule: dict) -> dict:
    """A lock configuration's ``Rule.DefaultRetention``, validated as S3 does: a mode and
    exactly one of Days and Years, a positive period of at most 100 years."""
    default = rule.get("DefaultRetention") if isinstance(rule, dict) else None
    if not default:
        raise _malformed()
    mode, days, years = default.get("Mode"), default.get("Days"), default.get("Years")
    if mode not in _MODES or (days is None) == (years is None):
        raise _malformed()
    name, value, limit = ("Days", days, MAX_DAYS) if days is not None else ("Years", years, MAX_YEARS)
    if int(value) <= 0:
        raise _invalid_argument("Default retention period must be a positive integer value.", name, value)
    if int(value) > limit:
        raise _invalid_argument("Default retention period too large.", name, value)
    return {"Mode": mode, name: int(value)}


def check_integrity_header(request) -> None:
    """Content-MD5 or an ``x-amz-checksum-*`` header, required (and checked) as for
    DeleteObjects: the three lock Put operations are ``requestChecksumRequired``."""
    from .delete_objects import check_integrity_header as check  # imports objects.py, which imports this

    check(request)


def _has_integrity_header(ctx) -> bool:
    """Content-MD5, an ``x-amz-checksum-*`` value, or one announced as a trailer (the
    algorithm header alone does not count; nor does SigV4's payload hash)."""
    request = ctx.extra.get("request")
    if request is None:  # called in-process
        return True
    headers = request.headers
    if headers.get("content-md5"):
        return True
    if any(name.startswith("x-amz-checksum-") and name != "x-amz-checksum-type" for name in headers):
        return True
    return "x-amz-checksum-" in (headers.get("x-amz-trailer") or "").lower()
