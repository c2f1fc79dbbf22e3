"""DeleteObjects: up to 1,000 keys (or key versions) deleted in one request.

Each key is deleted as DeleteObject would (``store.delete`` / ``store.remove_version``) and
reported on its own: a key that does not exist is reported Deleted (as S3 does); a failure
for one key is an ``Error`` entry and does not stop the others. Quiet mode lists only the
errors. S3 requires an integrity header on this request (Content-MD5 or an
``x-amz-checksum-*``): without one it answers 400 InvalidRequest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib

from overcast.errors import AwsError

from .objects import check_key
from .store import is_version_id
from .version_ids import was_issued

# "The request can contain a list of up to 1,000 keys" (DeleteObjects API reference)
MAX_KEYS = 1000
_MALFORMED = AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                      "published schema", 400)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _crc(function, body: bytes, width: int) -> str:
    return _b64(function(body, 0).to_bytes(width, "big"))


def _computed(algorithm: str, body: bytes) -> str | None:
    if algorithm == "crc32":
        return _crc(zlib.crc32, body, 4)
    if algorithm in ("sha1", "sha256"):
        return _b64(hashlib.new(algorithm, body).digest())
    if algorithm in ("crc32c", "crc64nvme"):
        from awscrt import checksums  # botocore's own CRC32C / CRC64NVME implementation
        return _crc(getattr(checksums, algorithm), body, 8 if algorithm == "crc64nvme" else 4)
    return None


def check_integrity_header(request) -> None:
    """S3 requires Content-MD5 or a flexible checksum header on DeleteObjects, and checks it
    against the body."""
    if request is None:  # called in-process: no HTTP request to check
        return
    headers, body = request.headers, request.body or b""
    md5 = headers.get("content-md5")
    checksums = {name[len("x-amz-checksum-"):]: value for name, value in headers.items()
                 if name.startswith("x-amz-checksum-") and name != "x-amz-checksum-type"}
    if md5 is None and not checksums:
        raise AwsError("InvalidRequest", "Missing required header for this request: Content-MD5", 400)
    if md5 is not None:
        try:
            expected = base64.b64decode(md5, validate=True)
        except (binascii.Error, ValueError):
            expected = b""
        if len(expected) != 16:
            raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400,
                           fields={"Content-MD5": md5})
        if hashlib.md5(body).digest() != expected:
            raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                           fields={"ExpectedDigest": expected.hex(),  # S3 writes it in hex
                                   "CalculatedDigest": _b64(hashlib.md5(body).digest())})
    for algorithm, value in checksums.items():
        computed = _computed(algorithm, body)
        if computed is not None and computed != value:
            raise AwsError("BadDigest", f"The {algorithm.upper()} you specified did not match the calculated "
                           "checksum.", 400)


class DeleteObjectsMixin:
    def delete_objects(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        check_integrity_header(ctx.extra.get("request"))
        spec = params.get("Delete") or {}
        objects = spec.get("Objects") or []
        if not objects or len(objects) > MAX_KEYS:
            raise _MALFORMED
        quiet = bool(spec.get("Quiet"))
        self.check_bypass_header(bucket, params)  # object_lock.py
        deleted, errors = [], []
        denied = ctx.extra.get("denied_items") or ()  # keys strict-mode authorization refused
        for item in objects:
            key, version_id = item.get("Key"), item.get("VersionId")
            if key is None:
                raise _MALFORMED
            try:
                if (key, version_id) in denied:
                    raise AwsError("AccessDenied", "Access Denied", 403)
                if version_id is not None and is_version_id(version_id):
                    self.check_version_deletable(ctx, bucket, key, version_id, params)  # object_lock.py
                entry = self._delete_one(bucket, key, version_id)
            except AwsError as error:
                failure = {"Key": key, "Code": error.code, "Message": error.message}
                if version_id is not None:
                    failure["VersionId"] = version_id
                errors.append(failure)
                continue
            if not quiet:
                deleted.append(entry)
        result = {}
        if deleted:
            result["Deleted"] = deleted
        if errors:
            result["Errors"] = errors
        return result

    def _delete_one(self, bucket, key: str, version_id: str | None) -> dict:
        """Delete one key (or key version) and return its ``Deleted`` entry, as S3 reports it."""
        check_key(key)
        now = float(int(self.clock.now()))
        if version_id is not None and not is_version_id(version_id):
            # per key, S3 reports a malformed version id as one that does not exist
            raise AwsError("NoSuchVersion", "The specified version does not exist.", 404)
        if version_id is not None:
            removed = self.store.remove_version(bucket.partition, bucket.name, key, version_id, now)
            if removed is None and not was_issued(version_id):  # well-formed, but never issued
                raise AwsError("NoSuchVersion", "The specified version does not exist.", 404)
            entry = {"Key": key, "VersionId": version_id}
            if removed is not None and removed.marker:
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = version_id
            return entry
        marker = self.store.delete(bucket.partition, bucket.name, key, bucket.versioning, now)
        if marker is None:
            return {"Key": key}
        return {"Key": key, "DeleteMarker": True, "DeleteMarkerVersionId": marker.version}
