"""S3 objects: PutObject (streamed to the blob store), GetObject/HeadObject (ranges,
conditionals, response-* overrides), DeleteObject.

Visibility: the blob is written whole and renamed into place, then the metadata row is
committed, then (on overwrite) the old blob is deleted — a reader sees the old object or the
new one, never a mix; a crash leaves at worst an unreferenced blob, swept at start.
"""

from __future__ import annotations

import base64
import binascii
import re
from email.utils import formatdate

from overcast.errors import AwsError

from .at_rest import sealed
from .checksums import DigestingBody, plan_checksum
from .customer_keys import customer_key, key_for_read
from .metadata_encoding import check_override_values, decode_user_metadata, encode_user_metadata
from .replication_runner import replication_header
from .restore import restore_header
from .kms_encryption import first_envelope, is_kms_encrypted
from .sse import reported
from .store import ObjectVersion, is_version_id
from .version_ids import was_issued
from .tagging import tag_count_headers
from .write_conditions import check_write_conditions
from .write_limits import check_metadata_size, check_redirect_location, check_single_put_size, check_storage_class


MAX_KEY_BYTES = 1024
# standard headers stored with the object and returned by GET/HEAD
STORED = ("ContentType", "CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "Expires",
          "WebsiteRedirectLocation")
OVERRIDES = {"ResponseContentType": "ContentType", "ResponseCacheControl": "CacheControl",
             "ResponseContentDisposition": "ContentDisposition", "ResponseContentEncoding": "ContentEncoding",
             "ResponseContentLanguage": "ContentLanguage", "ResponseExpires": "Expires"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def no_such_key(key: str) -> AwsError:
    return AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": key})


def check_key(key: str) -> None:
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise AwsError("KeyTooLongError", "Your key is too long", 400,
                       fields={"Size": str(size), "MaxSizeAllowed": str(MAX_KEY_BYTES)})
    if not key:
        raise AwsError("InvalidArgument", "The key must not be empty.", 400)


def _precondition(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    fields={"Condition": condition})


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or etag.strip('"') in [t.strip('"') for t in tags]


def no_such_version(key: str, version: str) -> AwsError:
    """What S3 answers for a version id that names no version: NoSuchVersion for one it
    issued (the version was deleted), InvalidArgument for one it never issued."""
    if not was_issued(version):
        return invalid_version_id(version)
    return AwsError("NoSuchVersion", "The specified version does not exist.", 404,
                    fields={"Key": key, "VersionId": version})


def invalid_version_id(version_id: str, argument: str = "versionId") -> AwsError:
    return AwsError("InvalidArgument", "Invalid version id specified", 400,
                    fields={"ArgumentName": argument, "ArgumentValue": version_id})


def version_headers(version, versioning) -> dict:
    """``VersionId`` as S3 reports it: absent in a bucket that never had versioning."""
    return {} if versioning is None else {"VersionId": version.version}


def written_version_headers(version, versioning) -> dict:
    """``VersionId`` of a write's response: only under Enabled versioning (a write to a
    Suspended bucket makes the ``null`` version, and S3 answers it without the header)."""
    return {"VersionId": version.version} if versioning == "Enabled" else {}


def check_version_id(version_id: str | None, argument: str = "versionId") -> None:
    """InvalidArgument for a ``versionId`` that cannot be one (S3 tells it from NoSuchVersion)."""
    if version_id is None:
        return
    if version_id == "":
        raise AwsError("InvalidArgument", "Version id cannot be the empty string", 400,
                       fields={"ArgumentName": argument, "ArgumentValue": version_id})
    if not is_version_id(version_id):
        raise invalid_version_id(version_id, argument)


class ObjectsMixin:
    def _object_version(self, ctx, bucket, key: str, params: dict, for_write: bool = False,
                        with_bytes: bool = False):
        """The version a GET/HEAD (or copy source) names: ``VersionId`` or the current one.
        Raises NoSuchKey / NoSuchVersion, and for a delete marker what S3 answers."""
        version_id = params.get("VersionId")
        check_version_id(version_id)
        if version_id is not None:
            found = self.store.version(bucket.partition, bucket.name, key, version_id)
            if found is None:
                raise no_such_version(key, version_id)
            if found.marker:
                raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.",
                               405, fields={"Method": _method_of(ctx), "ResourceType": "DeleteMarker"},
                               headers={"x-amz-delete-marker": "true", "x-amz-version-id": found.version,
                                        "allow": "DELETE", "last-modified": _http_date(found.modified)})
            return found
        found = self.store.current(bucket.partition, bucket.name, key, with_bytes=with_bytes)
        if (found is None or found.marker) and ctx.extra.get("probes", {}).get("s3:ListBucket") is False:
            # strict mode: a caller who may not list the bucket cannot learn the key is missing
            raise AwsError("AccessDenied", "Access Denied", 403)
        if found is None:
            raise no_such_key(key)
        if found.marker:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": key},
                           headers={"x-amz-delete-marker": "true", "x-amz-version-id": found.version})
        return found

    async def put_object(self, ctx, params: dict) -> dict:
        bucket_name, key = params["Bucket"], params["Key"]
        bucket = self.bucket_row(ctx, bucket_name)
        check_key(key)
        write_attrs = self.object_write_attrs(bucket, params)  # x-amz-tagging, x-amz-acl (acl.py)
        write_attrs.update(self.object_lock_for_write(ctx, bucket, params, with_body=True))  # object_lock.py
        sse = self.write_encryption(bucket, params)  # the request's, or the bucket's default (sse.py)
        # fail fast, before the body is read; checked again at commit time below
        check_write_conditions(self.store, bucket.partition, bucket.name, key, params)
        expected_md5 = None
        if params.get("ContentMD5") is not None:
            try:
                expected_md5 = base64.b64decode(params["ContentMD5"], validate=True)
            except (binascii.Error, ValueError):
                expected_md5 = b""
            if len(expected_md5) != 16:
                raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400,
                               fields={"Content-MD5": params["ContentMD5"]})
        body = params.get("Body") or b""
        # everything S3 refuses from the headers alone, before a byte of the body is read
        check_single_put_size(params, body)
        check_metadata_size(params.get("Metadata"))
        check_redirect_location(params.get("WebsiteRedirectLocation"))
        storage_class = check_storage_class(params)
        plan = plan_checksum(params, body)
        hashing = DigestingBody(body, plan.algorithm)
        seal, given = await self.sealer_for_write(ctx, bucket, key, sse, params)  # encrypted at rest (at_rest.py)
        blobs = self.blobs
        info = await blobs.write(sealed(hashing, seal))
        try:
            digest = hashing.md5.digest()
            if expected_md5 is not None and digest != expected_md5:
                raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                               fields={"ExpectedDigest": expected_md5.hex(),  # S3 writes it in hex
                                       "CalculatedDigest": base64.b64encode(digest).decode()})
            checksum = plan.verify(hashing.hasher.digest(), getattr(body, "trailers", None))
            # re-check: the bucket may have been deleted (or its versioning changed) while the body streamed
            bucket = self.bucket_row(ctx, bucket_name)
        except BaseException:
            blobs.delete(info.id)
            raise
        etag = f'"{digest.hex()}"'
        attrs = dict(write_attrs)
        attrs["checksum"] = {"algorithm": plan.algorithm, "value": checksum, "type": "FULL_OBJECT"}
        if sse is not None:
            attrs["sse"] = sse
        attrs["enc"] = seal.envelope
        version = ObjectVersion(key=key, blob=info.id, size=info.size, etag=etag,
                                modified=float(int(self.clock.now())), headers=stored_headers(params),
                                meta=user_metadata(params), storage_class=storage_class, attrs=attrs)
        self.apply_default_retention(bucket, attrs, version.modified)  # object_lock.py
        # no await between this check and the put: a racing conditional write cannot slip in
        try:
            check_write_conditions(self.store, bucket.partition, bucket.name, key, params)
        except AwsError:
            blobs.delete(info.id)
            raise
        self.store.put(bucket.partition, bucket.name, version, bucket.versioning)
        result = {"ETag": etag, **written_version_headers(version, bucket.versioning),
                  "Checksum" + plan.algorithm: checksum, "ChecksumType": "FULL_OBJECT", **reported(sse, write=True)}
        if given is not None:
            result.update(given.headers())
        result.update(self.expiration_header(bucket, version))  # x-amz-expiration (lifecycle.py)
        return result

    def _check_conditions(self, params: dict, etag: str, modified: float) -> dict | None:
        """Raise 412, or return a 304 result, as S3 evaluates the four conditional headers."""
        if_match, if_none = params.get("IfMatch"), params.get("IfNoneMatch")
        since, unmodified = params.get("IfModifiedSince"), params.get("IfUnmodifiedSince")
        if if_match is not None and not _etag_matches(if_match, etag):
            raise _precondition("If-Match")
        if if_match is None and unmodified is not None and modified > unmodified.timestamp():
            raise _precondition("If-Unmodified-Since")
        not_modified = {"__status__": 304, "ETag": etag, "LastModified": modified}
        if if_none is not None:
            if _etag_matches(if_none, etag):
                return not_modified
        elif since is not None and modified <= since.timestamp() <= self.clock.now():
            # a date in the future is not a valid If-Modified-Since (RFC 9110): S3 ignores it
            return not_modified
        return None

    def _describe(self, version, params: dict, versioning) -> dict:
        result = {"ETag": version.etag, "LastModified": version.modified, "ContentLength": version.size,
                  "AcceptRanges": "bytes", "Metadata": encode_user_metadata(version.meta)}
        result.update(version.headers)
        result.setdefault("ContentType", "binary/octet-stream")
        result.update(version_headers(version, versioning))
        result.update(reported(version.attrs.get("sse")))  # the mode its write chose (sse.py)
        result.update(tag_count_headers(version.attrs))
        if version.storage_class != "STANDARD":
            result["StorageClass"] = version.storage_class
        result.update(restore_header(version.attrs, self.clock.now()))  # x-amz-restore (restore.py)
        result.update(replication_header(version.attrs))  # x-amz-replication-status (replication_runner.py)
        checksum = version.attrs.get("checksum")
        if checksum and str(params.get("ChecksumMode") or "").upper() == "ENABLED":  # S3 takes any case
            result["Checksum" + checksum["algorithm"]] = checksum["value"]
            result["ChecksumType"] = checksum.get("type", "FULL_OBJECT")
        for param, member in OVERRIDES.items():
            if params.get(param) is not None:
                result[member] = params[param]
        return result

    def _range(self, params: dict, size: int):
        """(offset, length) of a satisfiable Range header, None for none (or one S3 ignores)."""
        header = params.get("Range")
        if not header:
            return None
        match = _RANGE.match(header.strip())
        if not match or (not match.group(1) and not match.group(2)):
            return None
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
            if last and int(last) < start:
                return None
        else:
            suffix = int(last)
            start, end = max(0, size - suffix), size - 1
            if suffix == 0:
                start = size
        if start >= size or end < start:
            raise AwsError("InvalidRange", "The requested range is not satisfiable", 416,
                           fields={"RangeRequested": header, "ActualObjectSize": str(size)},
                           headers={"content-range": f"bytes */{size}"})
        return start, end - start + 1

    async def get_object(self, ctx, params: dict) -> dict:
        result = self._get(ctx, params, with_body=True)
        kms_read = result.pop("__kms_read__", None)
        if kms_read is not None:  # an SSE-KMS object: its data key from KMS, as the requester
            version, offset, length, bucket = kms_read
            wrapping = await self.kms_wrapping_key(ctx, version.attrs.get("sse"), first_envelope(version),
                                                   bucket.partition, bucket.name, version.key)
            result["Body"] = self.store.read(version, offset, length, wrapping)
        return result

    def head_object(self, ctx, params: dict) -> dict:
        return self._get(ctx, params, with_body=False)

    def _get(self, ctx, params: dict, with_body: bool) -> dict:
        check_override_values(params)  # response-* values must fit a header (metadata_encoding.py)
        given = customer_key(params)  # SSE-C headers: their form is checked before the object
        bucket = self.bucket_row(ctx, params["Bucket"])
        version = self._object_version(ctx, bucket, params["Key"], params, with_bytes=with_body)
        opener = key_for_read(version.attrs.get("sse"), given)  # customer_keys.py
        if with_body:
            self.check_readable(version)  # GLACIER / DEEP_ARCHIVE need a restored copy (restore.py)
        early = self._check_conditions(params, version.etag, version.modified)
        if early is not None:
            return early
        result = self._describe(version, params, bucket.versioning)
        if opener is not None:
            result.update(opener.headers())
        result.update(self.lock_headers_for(ctx, version))  # x-amz-object-lock-* (object_lock.py)
        if version.latest and params.get("VersionId") is None:  # S3 omits it on a read by version id
            result.update(self.expiration_header(bucket, version))  # x-amz-expiration (lifecycle.py)
        span = (self.part_span(params, version, result) if params.get("PartNumber") is not None  # multipart.py
                else self._range(params, version.size))
        offset, length = (0, version.size) if span is None else span
        if span is not None:
            result["__status__"] = 206
            result["ContentRange"] = f"bytes {offset}-{offset + length - 1}/{version.size}"
            result["ContentLength"] = length
            if params.get("PartNumber") is not None:
                result.update(part_checksum(version, params["PartNumber"], result))
            elif (offset, length) != (0, version.size):
                for name in [n for n in result if n.startswith("Checksum") and n != "ChecksumMode"]:
                    del result[name]  # the object's checksum does not describe a part of it
        if with_body and is_kms_encrypted(version.attrs.get("sse")):
            result["__kms_read__"] = (version, offset, length, bucket)  # read by get_object
        elif with_body:
            result["Body"] = self.store.read(version, offset, length, opener.key if opener is not None else None)
        return result

    def delete_object(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        key, version_id = params["Key"], params.get("VersionId")
        check_version_id(version_id)
        now = float(int(self.clock.now()))
        self.check_bypass_header(bucket, params)  # object_lock.py
        if version_id is not None:
            self.check_version_deletable(ctx, bucket, key, version_id, params)  # object_lock.py
            removed = self.store.remove_version(bucket.partition, bucket.name, key, version_id, now)
            if removed is None and not was_issued(version_id):
                raise invalid_version_id(version_id)  # deleting a deleted version succeeds; a made-up one does not
            result = {"VersionId": version_id}
            if removed is not None and removed.marker:
                result["DeleteMarker"] = True
            return result
        marker = self.store.delete(bucket.partition, bucket.name, key, bucket.versioning, now)
        if marker is None:
            return {}
        return {"DeleteMarker": True, "VersionId": marker.version}


def part_checksum(version, number: int, described: dict) -> dict:
    """The checksum members of a ``partNumber`` read: a composite object's part has its own
    checksum (S3 answers it, typed COMPOSITE); a single-part object's checksum covers its one
    part; a full-object checksum of a multipart object describes no single part (omitted)."""
    checksum = version.attrs.get("checksum") or {}
    if "ChecksumType" not in described or not version.parts:
        return {}
    if checksum.get("type") != "COMPOSITE":
        del described["Checksum" + checksum["algorithm"]], described["ChecksumType"]
        return {}
    value = version.parts[number - 1][3] if len(version.parts[number - 1]) > 3 else None
    if isinstance(value, dict):
        value = value.get("value")
    del described["Checksum" + checksum["algorithm"]]
    if not value:
        del described["ChecksumType"]
        return {}
    return {"Checksum" + checksum["algorithm"]: value}


def stored_headers(params: dict) -> dict:
    """The standard headers a write stores with the object (Expires as epoch seconds)."""
    headers = {name: params[name] for name in STORED if params.get(name) is not None}
    if "ContentEncoding" in headers and "aws-chunked" in headers["ContentEncoding"].lower():
        # the payload's framing, not the object's encoding: S3 stores what is left (or none)
        rest = [c.strip() for c in headers["ContentEncoding"].split(",")
                if c.strip() and c.strip().lower() != "aws-chunked"]
        if rest:
            headers["ContentEncoding"] = ", ".join(rest)
        else:
            del headers["ContentEncoding"]
    if "Expires" in headers and hasattr(headers["Expires"], "timestamp"):
        headers["Expires"] = headers["Expires"].timestamp()
    return headers


def user_metadata(params: dict) -> dict:
    """The ``x-amz-meta-*`` of a write as stored: RFC 2047 and UTF-8 decoded (metadata_encoding.py)."""
    return decode_user_metadata(params.get("Metadata"))


def _method_of(ctx) -> str:
    """The HTTP method of the request (S3 names it in MethodNotAllowed)."""
    request = ctx.extra.get("request")
    return getattr(request, "method", None) or "GET"


def _http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)
