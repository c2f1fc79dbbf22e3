"""CopyObject: a new version of the destination made from a source version, without moving
a byte through memory — every segment of the source (one blob, or a multipart object's part
blobs) is hard-linked (``BlobStore.link``), so a copy of any size is instant.

``x-amz-copy-source`` is ``bucket/key`` URL-encoded, optionally ``?versionId=``; the source is
any bucket of the caller's account. Metadata and standard headers come from the source
(MetadataDirective COPY, the default) or from the request (REPLACE); tags likewise with
TaggingDirective. The storage class, ACL and website redirect are not copied (S3 defaults
them: STANDARD, private, none) unless the request sets them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import zlib
from urllib.parse import parse_qs, unquote_plus

from overcast.errors import AwsError

from .expected_owner import check_expected_source_owner
from .checksums import DEFAULT_ALGORITHM, check_algorithm_name, encode, new_hasher
from .customer_keys import customer_key, key_for_read
from .objects import (check_key, check_version_id, no_such_key, no_such_version, stored_headers, user_metadata,
                      written_version_headers)
from .restore import invalid_object_state, is_readable
from .at_rest import kms_blob
from .kms_encryption import first_envelope, is_kms_encrypted
from .sse import reported
from .store import ObjectVersion
from .tagging import tags_from_header
from .write_limits import check_metadata_size, check_redirect_location, check_storage_class
from .write_conditions import check_write_conditions, validate_write_conditions

# "You can create a copy of your object up to 5 GB in size in a single atomic action"
MAX_COPY_BYTES = 5 * 1024 ** 3
_SELF_COPY = ("This copy request is illegal because it is trying to copy an object to itself without changing the "
              "object's metadata, storage class, website redirect location or encryption attributes.")
# the headers that, set on a copy, change the object (so it may be copied onto itself)
_SSE_MEMBERS = ("ServerSideEncryption", "SSEKMSKeyId", "SSECustomerAlgorithm", "BucketKeyEnabled")


def parse_copy_source(source: str) -> tuple[str, str, str | None]:
    """(bucket, key, version id or None) of an ``x-amz-copy-source`` header value."""
    path, _, query = source.partition("?")
    path = unquote_plus(path)  # S3 reads a ``+`` in x-amz-copy-source as a space
    if path.startswith("/"):
        path = path[1:]
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise AwsError("InvalidArgument", "Invalid copy source object key", 400,
                       fields={"ArgumentName": "x-amz-copy-source", "ArgumentValue": source})
    version_id = None
    if query:
        values = parse_qs(query, keep_blank_values=True).get("versionId")
        if values is not None:
            version_id = values[0]
            if not version_id:
                raise AwsError("InvalidArgument", "Version id cannot be the empty string", 400,
                               fields={"ArgumentName": "versionId", "ArgumentValue": ""})
    return bucket, key, version_id


def _precondition(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    fields={"Condition": condition})


def _etag_in(header: str, etag: str) -> bool:
    tags = [t.strip().strip('"') for t in header.split(",")]
    return "*" in tags or etag.strip('"') in tags


def check_copy_source_conditions(params: dict, source: ObjectVersion) -> None:
    """The four ``x-amz-copy-source-if-*`` headers, combined as S3 documents: if-match true
    wins over if-unmodified-since false; if-none-match false with if-modified-since true
    fails."""
    if_match, if_none = params.get("CopySourceIfMatch"), params.get("CopySourceIfNoneMatch")
    unmodified, since = params.get("CopySourceIfUnmodifiedSince"), params.get("CopySourceIfModifiedSince")
    if if_match is not None and not _etag_in(if_match, source.etag):
        raise _precondition("x-amz-copy-source-If-Match")
    if if_match is None and unmodified is not None and source.modified > unmodified.timestamp():
        raise _precondition("x-amz-copy-source-If-Unmodified-Since")
    if if_none is not None and _etag_in(if_none, source.etag):
        raise _precondition("x-amz-copy-source-If-None-Match")
    if if_none is None and since is not None and source.modified <= since.timestamp():
        raise _precondition("x-amz-copy-source-If-Modified-Since")


def _directive(params: dict, member: str, header: str) -> str:
    value = params.get(member) or "COPY"
    if value not in ("COPY", "REPLACE"):
        raise AwsError("InvalidArgument", f"Unknown {'metadata' if member == 'MetadataDirective' else 'tagging'} "
                       "directive.", 400, fields={"ArgumentName": header, "ArgumentValue": value})
    return value


def _new_checksum(algorithm: str):
    """A hasher with ``update`` and ``value()`` (base64) for a ChecksumAlgorithm."""
    if algorithm in ("SHA1", "SHA256"):
        digest = hashlib.new(algorithm.lower())
        return digest.update, lambda: base64.b64encode(digest.digest()).decode()
    if algorithm in ("CRC32", "CRC32C", "CRC64NVME"):
        width = 8 if algorithm == "CRC64NVME" else 4
        if algorithm == "CRC32":
            function = zlib.crc32
        else:
            from awscrt import checksums  # botocore's own CRC32C / CRC64NVME implementation
            function = checksums.crc32c if algorithm == "CRC32C" else checksums.crc64nvme
        state = [0]

        def update(chunk):
            state[0] = function(chunk, state[0])

        return update, lambda: base64.b64encode(state[0].to_bytes(width, "big")).decode()
    return _any_checksum(algorithm)


def _any_checksum(algorithm: str):
    hasher = new_hasher(algorithm)
    return hasher.update, lambda: encode(hasher.digest())


class CopyMixin:
    def _copy_source(self, ctx, params: dict):
        """(source bucket, source version) named by ``x-amz-copy-source``."""
        bucket_name, key, version_id = parse_copy_source(params["CopySource"])
        bucket = self.bucket_row(ctx, bucket_name)
        check_expected_source_owner(params, bucket.account)
        check_version_id(version_id)
        if version_id is not None:
            found = self.store.version(bucket.partition, bucket.name, key, version_id)
            if found is None:
                raise no_such_version(key, version_id)
            if found.marker:
                raise AwsError("InvalidRequest", "The source of a copy request may not specifically refer to a "
                               "delete marker by version id.", 400)
        else:
            found = self.store.current(bucket.partition, bucket.name, key)
            if found is None or found.marker:
                raise no_such_key(key)
        return bucket, found, version_id

    async def copy_object(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        key = params["Key"]
        check_key(key)
        validate_write_conditions(params)
        check_algorithm_name(params.get("ChecksumAlgorithm"))
        source_given = customer_key(params, copy_source=True)  # SSE-C of the source, checked first
        src_bucket, source, src_version_id = self._copy_source(ctx, params)
        source_key = key_for_read(source.attrs.get("sse"), source_given)
        metadata_directive = _directive(params, "MetadataDirective", "x-amz-metadata-directive")
        tagging_directive = _directive(params, "TaggingDirective", "x-amz-tagging-directive")
        storage_class = check_storage_class(params)  # STANDARD unless the request names one
        if metadata_directive == "REPLACE":
            check_metadata_size(params.get("Metadata"))
        check_redirect_location(params.get("WebsiteRedirectLocation"))
        if not is_readable(source, self.clock.now()):  # archived, without a live restored copy
            raise invalid_object_state(source)
        if source.size > MAX_COPY_BYTES:
            raise AwsError("InvalidRequest", "The specified copy source is larger than the maximum allowable size "
                           f"for a copy source: {MAX_COPY_BYTES}", 400)
        check_copy_source_conditions(params, source)
        # the destination's own conditions are answered before the self-copy rule
        check_write_conditions(self.store, bucket.partition, bucket.name, key, params)
        if (src_bucket.name == bucket.name and source.key == key and src_version_id is None
                and not self._copy_changes_object(bucket, params)):
            raise AwsError("InvalidRequest", _SELF_COPY, 400)
        write_attrs = self.object_write_attrs(bucket, {**params, "Tagging": None})  # ACL (acl.py)
        # the destination's mode (the request's or the bucket default), never the source's (sse.py)
        sse = self.write_encryption(bucket, params)
        seal, given = await self.sealer_for_write(ctx, bucket, key, sse, params)  # the destination's key (at_rest.py)
        old_key, new_key = (source_key.key if source_key else None), seal.wrapping_key
        if is_kms_encrypted(source.attrs.get("sse")):  # the source's KMS data key, as the requester
            old_key = await self.kms_wrapping_key(ctx, source.attrs.get("sse"), first_envelope(source),
                                                  src_bucket.partition, src_bucket.name, source.key)
        attrs = self._copied_attrs(source, params, tagging_directive)
        attrs.update(write_attrs)
        attrs.update(self.object_lock_for_write(ctx, bucket, params))  # a copy never keeps the source's lock
        if sse is not None:
            attrs["sse"] = sse
        if metadata_directive == "COPY":
            headers = {k: v for k, v in source.headers.items() if k != "WebsiteRedirectLocation"}
            meta = dict(source.meta)
        else:
            headers = {k: v for k, v in stored_headers(params).items() if k != "WebsiteRedirectLocation"}
            meta = user_metadata(params)
        if params.get("WebsiteRedirectLocation") is not None:
            headers["WebsiteRedirectLocation"] = params["WebsiteRedirectLocation"]
        new = ObjectVersion(key=key, size=source.size, etag=source.etag, modified=float(int(self.clock.now())),
                            headers=headers, meta=meta, storage_class=storage_class, attrs=attrs)
        self.apply_default_retention(bucket, attrs, new.modified)  # object_lock.py
        # linked before any await: the source cannot be deleted from under the copy
        self._link_segments(source, new)
        try:
            if source.blob is not None and source.attrs.get("enc") is not None:
                # the same ciphertext, its data key wrapped for the destination's mode
                attrs["enc"] = self.at_rest.rewrap(source.attrs["enc"], old_key, new_key, kms_blob(seal.envelope))
            algorithm = params.get("ChecksumAlgorithm")
            if source.parts is not None:
                # S3 copies a multipart object as one object: an MD5 ETag and a full-object checksum
                await self._flatten(new, algorithm or (attrs.get("checksum") or {}).get("algorithm")
                                    or DEFAULT_ALGORITHM, old_key, seal)
            elif algorithm and (attrs.get("checksum") or {}).get("algorithm") != algorithm:
                attrs["checksum"] = {"algorithm": algorithm, "value": await self._checksum_of(new, algorithm, new_key),
                                     "type": "FULL_OBJECT"}
            # the destination may have changed (or the bucket gone) while a checksum was computed
            bucket = self.bucket_row(ctx, params["Bucket"])
            check_write_conditions(self.store, bucket.partition, bucket.name, key, params)
        except BaseException:
            for blob in new.blob_ids():
                self.blobs.delete(blob)
            raise
        self.store.put(bucket.partition, bucket.name, new, bucket.versioning, event="ObjectCreated:Copy")
        result_body = {"ETag": new.etag, "LastModified": new.modified}
        checksum = attrs.get("checksum")
        if checksum:
            result_body["Checksum" + checksum["algorithm"]] = checksum["value"]
            result_body["ChecksumType"] = checksum.get("type", "FULL_OBJECT")
        # unlike PutObject, a copy into a Suspended bucket names the version it made: null
        result = {"CopyObjectResult": result_body,
                  **({"VersionId": new.version} if bucket.versioning else {}), **reported(sse, write=True)}
        if given is not None:
            result.update(given.headers())
        if src_bucket.versioning is not None:
            result["CopySourceVersionId"] = source.version
        return result

    def _copy_changes_object(self, bucket, params: dict) -> bool:
        """Whether a copy of an object onto itself is allowed: S3 decides on the request (not
        on the object's current values) — a REPLACE metadata directive, any storage class,
        website redirect, encryption or checksum header — or on a default encryption rule
        configured on the bucket (PutBucketEncryption)."""
        if params.get("MetadataDirective") == "REPLACE":
            return True
        if any(params.get(member) is not None for member in
               ("StorageClass", "WebsiteRedirectLocation", "ChecksumAlgorithm", *_SSE_MEMBERS,
                "SSECustomerKey", "SSEKMSEncryptionContext")):
            return True
        return self.configs.get(bucket, "encryption") is not None

    def _copied_attrs(self, source: ObjectVersion, params: dict, tagging_directive: str) -> dict:
        """The members of the source's ``attrs`` a copy keeps: checksum, parts, tags (COPY)."""
        attrs = {}
        if source.attrs.get("checksum"):
            attrs["checksum"] = dict(source.attrs["checksum"])
        if source.parts is not None:
            attrs["parts"] = [list(part) for part in source.parts]
        if tagging_directive == "COPY":
            if source.attrs.get("tags"):
                attrs["tags"] = [list(tag) for tag in source.attrs["tags"]]
        else:
            tags = tags_from_header(params.get("Tagging"))
            if tags:
                attrs["tags"] = tags
        return attrs

    def _link_segments(self, source: ObjectVersion, new: ObjectVersion) -> None:
        """Give ``new`` its own hard links of the source's blobs (instant, no bytes copied)."""
        linked: list[str] = []
        if self.store.link_body(source, new):  # a small body held in its row: the copy's row holds it too
            return
        try:
            if source.blob is not None:
                new.blob = self.blobs.link(source.blob).id
                linked.append(new.blob)
            else:
                for part in new.attrs.get("parts") or ():
                    part[0] = self.blobs.link(part[0]).id
                    linked.append(part[0])
        except BaseException:
            for blob in linked:
                self.blobs.delete(blob)
            raise

    async def _flatten(self, new: ObjectVersion, algorithm: str, source_key: bytes | None, seal) -> None:
        """Turn ``new``'s linked part blobs (encrypted as the source's) into one blob sealed
        by ``seal``, its MD5 ETag and a full-object checksum in ``algorithm`` taken in the
        same pass (in a thread); the links go."""
        links = new.blob_ids()
        md5, hasher = hashlib.md5(), new_hasher(algorithm)
        reader = self.store.read(new, customer_key=source_key)

        def chunks():
            for chunk in reader:
                md5.update(chunk)
                hasher.update(chunk)
                yield seal(chunk)

        try:
            info = await asyncio.to_thread(self.blobs.write_bytes, chunks())
        finally:
            reader.close()
            for blob in links:
                self.blobs.delete(blob)
            new.attrs.pop("parts", None)
        new.blob, new.etag = info.id, f'"{md5.hexdigest()}"'
        new.attrs["enc"] = seal.envelope
        new.attrs["checksum"] = {"algorithm": algorithm, "value": encode(hasher.digest()), "type": "FULL_OBJECT"}

    async def _checksum_of(self, version: ObjectVersion, algorithm: str, key: bytes | None) -> str:
        """A new full-object checksum of a version's bytes (SSE-C: opened with ``key``),
        streamed in a thread."""
        update, value = _new_checksum(algorithm)

        def run() -> str:
            reader = self.store.read(version, customer_key=key)
            try:
                for chunk in reader:
                    update(chunk)
            finally:
                reader.close()
            return value()

        return await asyncio.to_thread(run)
