"""Archive storage classes and RestoreObject.

AWS ("Working with archived objects", S3 User Guide; RestoreObject API reference):

- An object in GLACIER (Flexible Retrieval) or DEEP_ARCHIVE cannot be read: GET answers 403
  InvalidObjectState until a restored copy exists. HEAD works and reports the class.
- RestoreObject (``Days``, ``GlacierJobParameters.Tier``) answers 202 Accepted when it starts a
  restore, 409 RestoreAlreadyInProgress while one runs, and 200 OK when a restored copy
  already exists (its expiry is then recomputed from the new ``Days``). On any other storage
  class it answers 403 InvalidObjectState.
- While a restore runs HEAD/GET report ``x-amz-restore: ongoing-request="true"``; once done,
  ``ongoing-request="false", expiry-date="<HTTP date>"``. The copy expires ``Days`` after the
  restore completed, rounded up to the next midnight UTC; the object is unreadable again.

Here a restore completes after ``OVERCAST_S3_RESTORE_SECONDS`` of cloud time (AWS takes
minutes to hours by tier). The state lives in the version's ``attrs["restore"]`` (the truth);
durable scheduler timers wake us at completion and at expiry, so both happen across
restarts and when a test moves the clock (``POST /_overcast/clock``). A timer carries the
restore's id: one meant for a replaced object (an unversioned overwrite reuses the version
id ``null``) finds another id and does nothing.
"""

from __future__ import annotations

import json
import math
import secrets

from overcast.errors import AwsError

from .http_dates import MAX_DAYS, http_date

ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
TIERS = ("Standard", "Bulk", "Expedited")
_DAY = 86400
_DONE = "s3.restore_done"
_EXPIRE = "s3.restore_expire"


def restore_expiry(completed: float, days: int) -> float:
    """``days`` after ``completed``, rounded up to the next midnight UTC (as S3 computes it)."""
    return math.ceil((completed + days * _DAY) / _DAY) * _DAY


def restore_header(attrs: dict, now: float) -> dict:
    """``{"Restore": ...}`` (the ``x-amz-restore`` header) for a version, or {}."""
    restore = attrs.get("restore")
    if not restore:
        return {}
    if restore.get("ongoing"):
        return {"Restore": 'ongoing-request="true"'}
    if restore.get("expiry", 0) <= now:
        return {}
    return {"Restore": f'ongoing-request="false", expiry-date="{http_date(restore["expiry"])}"'}


def restore_status(restore_json: str | None, now: float) -> dict:
    """``{"RestoreStatus": ...}`` of a listed object (``OptionalObjectAttributes=RestoreStatus``)
    from its stored restore record (JSON text, or None): only for an object with a restore
    ongoing or a restored copy still live, as the header."""
    if not restore_json:
        return {}
    restore = json.loads(restore_json)
    if restore.get("ongoing"):
        return {"RestoreStatus": {"IsRestoreInProgress": True}}
    if restore.get("expiry", 0) <= now:
        return {}
    return {"RestoreStatus": {"IsRestoreInProgress": False, "RestoreExpiryDate": restore["expiry"]}}


def wants_restore_status(params: dict) -> bool:
    return "RestoreStatus" in (params.get("OptionalObjectAttributes") or ())


def is_readable(version, now: float) -> bool:
    """Whether the version's bytes can be read: not archived, or with a live restored copy."""
    if version.storage_class not in ARCHIVE_CLASSES:
        return True
    restore = version.attrs.get("restore") or {}
    return not restore.get("ongoing", True) and restore.get("expiry", 0) > now


def invalid_object_state(version) -> AwsError:
    return AwsError("InvalidObjectState", "The operation is not valid for the object's storage class", 403,
                    fields={"StorageClass": version.storage_class})


def _days(request: dict) -> int:
    days = request.get("Days")
    if days is None:
        # a restore of an archived (GLACIER / DEEP_ARCHIVE) object needs a lifetime for the copy
        raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against "
                                       "our published schema", 400)
    if not 1 <= int(days) <= MAX_DAYS:
        raise AwsError("InvalidArgument", "The days must be a positive integer", 400,
                       fields={"ArgumentName": "Days", "ArgumentValue": str(days)})
    return int(days)


class RestoreMixin:
    def __init__(self, cloud):
        super().__init__(cloud)
        cloud.scheduler.on(_DONE, self._restore_done)
        cloud.scheduler.on(_EXPIRE, self._restore_expired)

    def check_readable(self, version) -> None:
        """403 InvalidObjectState for an archived object without a live restored copy (GET,
        and the source of a copy)."""
        if not is_readable(version, self.clock.now()):
            raise invalid_object_state(version)

    async def restore_object(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        version = self._object_version(ctx, bucket, params["Key"], params)
        request = params.get("RestoreRequest") or {}
        if request.get("Type") == "SELECT" or request.get("SelectParameters"):
            return await self.start_select_restore(ctx, bucket, version, request)  # select/glacier.py
        if version.storage_class not in ARCHIVE_CLASSES:
            raise AwsError("InvalidObjectState", "Restore is not allowed for the object's current storage class",
                           403, fields={"StorageClass": version.storage_class})
        days = _days(request)
        tier = (request.get("GlacierJobParameters") or {}).get("Tier") or request.get("Tier") or "Standard"
        if tier not in TIERS:
            raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against "
                                           "our published schema", 400)
        now = self.clock.now()
        restore = version.attrs.get("restore") or {}
        where = (bucket.partition, bucket.name, version.key, version.version)
        if restore.get("ongoing"):
            raise AwsError("RestoreAlreadyInProgress", "Object restore is already in progress", 409)
        if restore and restore.get("expiry", 0) > now:
            # a restored copy exists: its lifetime restarts from now with the new Days
            restore = {**restore, "days": days, "expiry": restore_expiry(now, days)}
            self.store.update_attrs(*where, restore=restore)
            self.cloud.scheduler.schedule(restore["expiry"], _EXPIRE, {"where": list(where), "id": restore["id"]})
            return {"__status__": 200}
        restore = {"id": secrets.token_hex(8), "ongoing": True, "days": days, "tier": tier, "requested": now}
        self.store.update_attrs(*where, restore=restore)
        delay = float(self.cloud.settings.s3_restore_seconds)
        self.cloud.scheduler.schedule(now + delay, _DONE, {"where": list(where), "id": restore["id"]})
        return {"__status__": 202}

    def _restore_of(self, payload: dict):
        """The version a timer refers to and its restore state, if still the same restore."""
        partition, bucket, key, version_id = payload["where"]
        version = self.store.version(partition, bucket, key, version_id)
        if version is None:
            return None, None
        restore = version.attrs.get("restore") or {}
        if restore.get("id") != payload.get("id"):
            return None, None
        return version, restore

    def _restore_done(self, payload: dict) -> None:
        version, restore = self._restore_of(payload)
        if version is None or not restore.get("ongoing"):
            return
        now = self.clock.now()
        restore = {**restore, "ongoing": False, "completed": now, "expiry": restore_expiry(now, restore["days"])}
        self.store.update_attrs(*payload["where"], restore=restore)
        self.cloud.scheduler.schedule(restore["expiry"], _EXPIRE, payload)

    def _restore_expired(self, payload: dict) -> None:
        version, restore = self._restore_of(payload)
        # a later RestoreObject may have pushed the expiry out (its own timer handles it)
        if version is None or restore.get("ongoing") or restore.get("expiry", 0) > self.clock.now():
            return
        self.store.update_attrs(*payload["where"], restore=None)
