"""S3 multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
CompleteMultipartUpload, AbortMultipartUpload (ListParts and ListMultipartUploads are in
``multipart_listing.py``).

Each part is one immutable blob (streamed to disk, MD5 ETag), one ``parts`` row. Complete
copies no bytes: the new object version lists the part blobs in ``attrs["parts"]``
(``[[blob, size, etag, checksum-or-None], ...]``, the checksum in the object's algorithm:
the upload's, or CRC64NVME, which S3 gives an upload that names none)
and the upload's rows are deleted in the transaction that commits the version, so a crash
shows either the whole object or the upload still in progress, and every part blob is
referenced by a row at every instant (the start-up sweep keeps it). Blobs of parts the
Complete did not name are deleted after the commit.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import re
import secrets
from urllib.parse import quote

from overcast.errors import AwsError

from . import multipart_checksums as cks
from .checksums import DEFAULT_ALGORITHM, check_algorithm_name
from .copy import check_copy_source_conditions
from .customer_keys import customer_key, is_customer_encrypted, key_for_part, key_for_read
from .multipart_listing import MultipartListingMixin, initiator_arn, owner_of
from .complete_history import CompleteHistoryMixin, upload_marker
from .objects import check_key, stored_headers, user_metadata, written_version_headers
from .part_writer import write_blob
from .kms_encryption import UPLOAD_KMS_BLOB, first_envelope, is_kms_encrypted
from .sse import reported
from .store import ObjectVersion
from .write_conditions import check_write_conditions, conflict, validate_write_conditions
from .write_limits import check_metadata_size, check_redirect_location, check_storage_class

MIN_PART_SIZE = 5 * 1024 * 1024          # AWS: every part but the last is at least 5 MiB
MAX_PART_SIZE = 5 * 1024 * 1024 * 1024   # AWS: a part is at most 5 GiB (also a part copy's source)
MAX_PART_NUMBER = 10_000                 # AWS: part numbers 1 to 10,000
_COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def no_such_upload(upload_id: str) -> AwsError:
    return AwsError("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the "
                    "upload may have been aborted or completed.", 404, fields={"UploadId": upload_id})


def malformed_xml() -> AwsError:
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                    "published schema", 400)


def _invalid_part(upload_id: str, number, etag) -> AwsError:
    return AwsError("InvalidPart", "One or more of the specified parts could not be found.  The part may not have "
                    "been uploaded, or the specified entity tag may not match the part's entity tag.", 400,
                    fields={"UploadId": upload_id, "PartNumber": str(number), "ETag": str(etag)})


def check_part_number(number) -> int:
    if number is None or not 1 <= int(number) <= MAX_PART_NUMBER:
        raise AwsError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", 400,
                       fields={"ArgumentName": "partNumber", "ArgumentValue": str(number)})
    return int(number)


def _bare(etag: str) -> str:
    return etag.strip().strip('"')


class Upload:
    """An upload in progress (one ``uploads`` row)."""

    __slots__ = ("id", "partition", "bucket", "key", "initiated", "account", "headers", "meta", "storage_class",
                 "attrs", "rowid")

    def __init__(self, upload_id, partition, bucket, key, initiated, account, headers, meta, storage_class, attrs,
                 rowid):
        self.id, self.partition, self.bucket, self.key = upload_id, partition, bucket, key
        self.initiated, self.account, self.storage_class, self.rowid = initiated, account, storage_class, rowid
        self.headers, self.meta, self.attrs = json.loads(headers), json.loads(meta), json.loads(attrs)

    @property
    def algorithm(self) -> str | None:
        return self.attrs.get("checksum_algorithm")

    @property
    def checksum_type(self) -> str | None:
        return self.attrs.get("checksum_type")

    @property
    def object_algorithm(self) -> str:
        """The algorithm of the completed object's checksum: the upload's, or the CRC64NVME
        S3 gives every new object when none was asked for (since December 2024)."""
        return self.algorithm or DEFAULT_ALGORITHM

    @property
    def object_checksum_type(self) -> str:
        return self.checksum_type or "FULL_OBJECT"


class _HashingCopy:
    """A source range as a plain iterator of chunks, MD5 and checksums taken on the way."""

    def __init__(self, reader, hashers: dict):
        self.reader = reader
        self.md5 = hashlib.md5()
        self.hashers = hashers

    def __iter__(self):
        for chunk in self.reader:
            self.md5.update(chunk)
            for hasher in self.hashers.values():
                hasher.update(chunk)
            yield chunk

    def close(self) -> None:
        self.reader.close()


class _PartBody:
    """The request body of a part: MD5 plus the wanted checksums, one pass, size-capped."""

    def __init__(self, algorithms):
        self.md5 = hashlib.md5()
        self.hashers = {name: cks.new_hasher(name) for name in algorithms}
        self.size = 0

    def take(self, chunk) -> None:
        """Account for the next piece of the body (called in order, in the writing thread)."""
        self.size += len(chunk)
        if self.size > MAX_PART_SIZE:
            raise _too_large(self.size)
        self.md5.update(chunk)
        for hasher in self.hashers.values():
            hasher.update(chunk)


def _location(ctx, bucket: str, key: str) -> str:
    """The new object's URL as the request addressed the bucket (virtual host or path)."""
    scheme = "https" if ctx.secure else "http"
    path = quote(key, safe="/~")
    if not ctx.host:
        return f"/{bucket}/{path}"
    if ctx.host.startswith(bucket + "."):
        return f"{scheme}://{ctx.host}/{path}"
    return f"{scheme}://{ctx.host}/{bucket}/{path}"


def _too_large(size: int) -> AwsError:
    return AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
                    fields={"ProposedSize": str(size), "MaxSizeAllowed": str(MAX_PART_SIZE)})


def _expected_md5(params: dict) -> bytes | None:
    value = params.get("ContentMD5")
    if value is None:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400,
                       fields={"Content-MD5": value})
    return digest


def _claimed_checksums(params: dict, body) -> tuple[set, dict]:
    """(algorithms the request announces, {algorithm: value} given in headers)."""
    announced, given = set(), {}
    for name in cks.ALGORITHMS:
        if params.get("Checksum" + name) is not None:
            given[name] = params["Checksum" + name]
            announced.add(name)
    if params.get("ChecksumAlgorithm"):
        announced.add(params["ChecksumAlgorithm"].upper())
    for trailer in getattr(body, "declared_trailers", ()) or ():
        if trailer.lower().startswith("x-amz-checksum-"):
            announced.add(trailer.lower()[len("x-amz-checksum-"):].upper())
    for name in announced:
        check_algorithm_name(name)
    return announced, given


def check_complete_checksum(upload: Upload, params: dict, computed: str) -> None:
    """BadDigest for a whole-object checksum given at Complete that S3 refuses: one that does
    not match, one in another algorithm than the upload's, or (FULL_OBJECT) one sent without
    ``x-amz-checksum-type`` naming the mode. A composite value may come with or without -N."""
    given = {name: params["Checksum" + name] for name in cks.ALGORITHMS if params.get("Checksum" + name) is not None}
    if not given:
        return
    algorithm = upload.object_algorithm
    claimed = given.get(algorithm)
    refused = (any(name != algorithm for name in given) and upload.algorithm is not None
               or claimed is not None and claimed.split("-")[0] != computed.split("-")[0]
               or claimed is not None and upload.checksum_type == "FULL_OBJECT" and params.get("ChecksumType") is None)
    if refused:
        raise AwsError("BadDigest", f"The {algorithm.lower()} you specified did not match the calculated checksum.",
                       400)


class MultipartMixin(CompleteHistoryMixin, MultipartListingMixin):
    def _upload(self, bucket, key: str, upload_id: str) -> Upload:
        """The upload ``upload_id`` of ``key`` in ``bucket``, or NoSuchUpload."""
        row = self.db.query_one("SELECT upload_id, partition, bucket, key, initiated, account, headers, meta, "
                                "storage_class, attrs, rowid FROM uploads WHERE upload_id = ?", (upload_id or "",))
        if row is None or (row[1], row[2], row[3]) != (bucket.partition, bucket.name, key):
            raise no_such_upload(upload_id)
        return Upload(*row)

    # -- create ----------------------------------------------------------------------------

    async def create_multipart_upload(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        key = params["Key"]
        check_key(key)
        storage_class = check_storage_class(params)
        check_metadata_size(params.get("Metadata"))
        check_redirect_location(params.get("WebsiteRedirectLocation"))
        attrs = {"owner": ctx.account, **self.object_write_attrs(bucket, params)}  # tags, ACL (acl.py)
        attrs.update(self.object_lock_for_write(ctx, bucket, params))  # retention, legal hold (object_lock.py)
        if initiator_arn(ctx.principal_arn):
            attrs["initiator"] = ctx.principal_arn  # an IAM user or role session (multipart_listing.py)
        algorithm, kind = params.get("ChecksumAlgorithm"), params.get("ChecksumType")
        if kind is not None and algorithm is None:
            raise AwsError("InvalidRequest", "The x-amz-checksum-type header can only be used with the "
                           "x-amz-checksum-algorithm header.", 400)
        if algorithm is not None:
            algorithm = check_algorithm_name(algorithm)
            kind = kind or ("FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE")
            allowed = cks.FULL_OBJECT_OK if kind == "FULL_OBJECT" else cks.COMPOSITE_OK
            if algorithm not in cks.ALGORITHMS or kind not in ("COMPOSITE", "FULL_OBJECT"):
                raise AwsError("InvalidRequest", "Checksum algorithm or type is not supported", 400)
            if algorithm not in allowed:
                raise AwsError("InvalidRequest", f"The {kind} checksum type cannot be used with the "
                               f"{algorithm.lower()} checksum algorithm.", 400)
            cks.new_hasher(algorithm)  # refuses an algorithm this server cannot compute, now
            attrs["checksum_algorithm"], attrs["checksum_type"] = algorithm, kind
        sse = self.write_encryption(bucket, params)  # the request's, or the bucket's default (sse.py)
        if sse is not None:
            attrs["sse"] = sse
        if is_kms_encrypted(sse):  # one KMS data key for every part (kms_encryption.py)
            attrs[UPLOAD_KMS_BLOB] = base64.b64encode((await self.kms_data_key(ctx, bucket, key, sse))[1]).decode()
        upload_id = secrets.token_urlsafe(48)
        self.upload_started(bucket.partition, bucket.name)  # complete_history.py
        self.db.execute("INSERT INTO uploads (upload_id, partition, bucket, key, initiated, account, headers, meta, "
                        "storage_class, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (upload_id, bucket.partition, bucket.name, key, self.clock.now(), ctx.account,
                         json.dumps(stored_headers(params)), json.dumps(user_metadata(params)), storage_class,
                         json.dumps(attrs)))
        result = {"Bucket": bucket.name, "Key": key, "UploadId": upload_id, **reported(sse, write=True)}
        if is_customer_encrypted(sse):
            result.update(customer_key(params, write=True).headers())
        if algorithm is not None:
            result["ChecksumAlgorithm"], result["ChecksumType"] = algorithm, kind
        return result

    # -- parts -----------------------------------------------------------------------------

    async def upload_part(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        number = check_part_number(params.get("PartNumber"))
        part_key = customer_key(params, write=True)  # SSE-C headers, checked before the upload is looked up
        upload = self._upload(bucket, params["Key"], params.get("UploadId"))
        part_key = key_for_part(upload.attrs.get("sse"), part_key)  # the upload's customer key, or S3's refusal
        self.check_part_integrity(ctx, bucket, upload.attrs)  # Object Lock parts need one (object_lock.py)
        body = params.get("Body") or b""
        length = getattr(body, "decoded_length", None) or params.get("ContentLength")
        if length is not None and int(length) > MAX_PART_SIZE:
            raise _too_large(int(length))  # before a byte is read
        expected_md5 = _expected_md5(params)
        announced, given = _claimed_checksums(params, body)
        if upload.algorithm and announced - {upload.algorithm}:
            raise AwsError("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: "
                           f"{upload.algorithm.lower()}, actual checksum Type: {sorted(announced)[0].lower()}", 400)
        part = _PartBody(announced | {upload.object_algorithm})
        seal = await self.part_sealer(ctx, bucket, upload, part_key)  # each part its own data key
        info = await write_blob(self.blobs, body, part.take, seal)
        try:
            digest = part.md5.digest()
            if expected_md5 is not None and digest != expected_md5:
                raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                               fields={"ExpectedDigest": expected_md5.hex(),  # S3 writes it in hex
                                       "CalculatedDigest": base64.b64encode(digest).decode()})
            checksums = {name: cks.b64(h.digest()) for name, h in part.hashers.items()}
            trailers = getattr(body, "trailers", None) or {}
            for name in announced:
                claimed = given.get(name) or trailers.get("x-amz-checksum-" + name.lower())
                if claimed is not None and claimed != checksums[name]:
                    raise AwsError("BadDigest", f"The {name} you specified did not match the calculated "
                                   "checksum.", 400)
            etag = f'"{digest.hex()}"'
            old = self._store_part(bucket, params["Key"], upload.id, number, info, etag, checksums, seal.envelope)
        except BaseException:
            self.blobs.delete(info.id)
            raise
        if old is not None:
            self.blobs.delete(old)
        result = {"ETag": etag, **reported(upload.attrs.get("sse"))}
        if part_key is not None:
            result.update(part_key.headers())
        for name in announced | ({upload.algorithm} if upload.algorithm else set()):
            result["Checksum" + name] = checksums[name]
        return result

    def _store_part(self, bucket, key: str, upload_id: str, number: int, info, etag: str, checksums: dict,
                    envelope: str):
        """Commit a part's row (replacing a part of the same number) with the envelope of its
        encrypted blob; returns the replaced part's blob id. The upload is looked up again: it
        may have been completed, aborted or its bucket deleted while the body streamed."""
        with self.db.transaction():
            self._upload(bucket, key, upload_id)
            row = self.db.query_one("SELECT blob FROM parts WHERE upload_id = ? AND number = ?", (upload_id, number))
            self.db.execute("INSERT OR REPLACE INTO parts (upload_id, number, blob, size, etag, modified, checksum, "
                            "enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (upload_id, number, info.id, info.size, etag, float(int(self.clock.now())),
                             json.dumps(checksums) if checksums else None, envelope))
        return None if row is None else row[0]

    async def upload_part_copy(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        number = check_part_number(params.get("PartNumber"))
        given, source_given = customer_key(params, write=True), customer_key(params, copy_source=True)
        upload = self._upload(bucket, params["Key"], params.get("UploadId"))
        given = key_for_part(upload.attrs.get("sse"), given)
        source_bucket, source, _ = self._copy_source(ctx, params)  # copy.py: as CopyObject names its source
        source_key = key_for_read(source.attrs.get("sse"), source_given)  # an SSE-C source needs its key
        source_key = source_key.key if source_key else await self.kms_wrapping_key(
            ctx, source.attrs.get("sse"), first_envelope(source), source_bucket.partition, source_bucket.name,
            source.key)  # an SSE-KMS source: its data key from KMS, as the requester
        self.check_readable(source)  # an archived source needs a restored copy (restore.py)
        check_copy_source_conditions(params, source)
        offset, length = self._copy_range(params.get("CopySourceRange"), source.size)
        if length > MAX_PART_SIZE:
            raise AwsError("InvalidRequest", "The specified copy source is larger than the maximum allowable size "
                           f"for a copy source: {MAX_PART_SIZE}", 400)
        hashers = {upload.object_algorithm: cks.new_hasher(upload.object_algorithm)}
        copy = _HashingCopy(self.store.read(source, offset, length, source_key), hashers)
        seal = await self.part_sealer(ctx, bucket, upload, given)
        try:
            # one pass in a thread: read the source range (across a multipart source's parts),
            # hash it, encrypt it and write the part's blob, in chunks; the event loop stays free
            info = await asyncio.to_thread(self.blobs.write_bytes, map(seal, copy))
        finally:
            copy.close()
        try:
            etag = f'"{copy.md5.hexdigest()}"'
            checksums = {name: cks.b64(h.digest()) for name, h in hashers.items()}
            old = self._store_part(bucket, params["Key"], upload.id, number, info, etag, checksums, seal.envelope)
        except BaseException:
            self.blobs.delete(info.id)
            raise
        if old is not None:
            self.blobs.delete(old)
        result = {"CopyPartResult": {"ETag": etag, "LastModified": float(int(self.clock.now()))},
                  **reported(upload.attrs.get("sse"))}
        if given is not None:
            result.update(given.headers())
        if upload.algorithm:
            result["CopyPartResult"]["Checksum" + upload.algorithm] = checksums[upload.algorithm]
        if source_bucket.versioning is not None:
            result["CopySourceVersionId"] = source.version
        return result

    @staticmethod
    def _copy_range(header: str | None, size: int) -> tuple[int, int]:
        """(offset, length) of ``x-amz-copy-source-range``. S3 words three failures apart: a
        value not of the form ``bytes=first-last`` (first <= last), a first byte past the
        source's end, and a last byte past it."""
        if header is None:
            return 0, size
        match = _COPY_RANGE.match(header.strip())
        if not match or int(match.group(1)) > int(match.group(2)):
            raise AwsError("InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last "
                           "where first and last are the zero-based offsets of the first and last bytes to copy", 400,
                           fields={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": header})
        first, last = int(match.group(1)), int(match.group(2))
        if first >= size:
            raise AwsError("InvalidRequest", "The specified copy range is invalid for the source object size", 400)
        if last >= size:
            raise AwsError("InvalidArgument", f"Range specified is not valid for source object of size: {size}", 400,
                           fields={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": header})
        return first, last - first + 1

    # -- reading a part of a completed object ------------------------------------------------

    def part_span(self, params: dict, version, result: dict) -> tuple[int, int]:
        """(offset, length) of GetObject/HeadObject's ``partNumber`` (the n-th part of a
        multipart object, the whole object as part 1 of any other); sets ``PartsCount``."""
        number = params["PartNumber"]
        if not 1 <= number <= MAX_PART_NUMBER:
            check_part_number(number)
        if params.get("Range"):
            raise AwsError("InvalidRequest", "Cannot specify both Range header and partNumber query parameter", 400)
        parts = version.parts
        count = len(parts) if parts else 1
        if number > count:
            raise AwsError("InvalidPartNumber", "The requested partnumber is not satisfiable", 416,
                           fields={"PartNumberRequested": str(number), "ActualPartCount": str(count)})
        if not parts:
            return 0, version.size
        result["PartsCount"] = count
        return sum(part[1] for part in parts[: number - 1]), parts[number - 1][1]

    # -- complete / abort ------------------------------------------------------------------

    def complete_multipart_upload(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        key, upload_id = params["Key"], params.get("UploadId")
        requested = (params.get("MultipartUpload") or {}).get("Parts") or []
        given = customer_key(params)  # not needed, but checked when sent
        try:
            upload = self._upload(bucket, key, upload_id)
        except AwsError as missing:
            return self._completed_again(_location(ctx, bucket.name, key), bucket, key, upload_id, requested, missing)
        validate_write_conditions(params, complete=True)
        if given is not None:
            key_for_part(upload.attrs.get("sse"), given)
        if not requested or len(requested) > MAX_PART_NUMBER:
            raise malformed_xml()
        stored = {number: (blob, size, etag, json.loads(checksum) if checksum else {}, envelope)
                  for number, blob, size, etag, checksum, envelope in self.db.query(
                      "SELECT number, blob, size, etag, checksum, enc FROM parts WHERE upload_id = ?", (upload.id,))}
        algorithm = upload.algorithm  # the one the client named (its part checksums are checked)
        if params.get("ChecksumType") is not None and params["ChecksumType"] != upload.checksum_type:
            # an upload created without an algorithm has no checksum mode ("null") to match
            raise AwsError("InvalidRequest", f"The upload was created using the {upload.checksum_type or 'null'} "
                           "checksum mode. The complete request must use the same checksum mode.", 400)
        chosen, previous = [], 0
        for entry in requested:
            number, etag = entry.get("PartNumber"), entry.get("ETag")
            if number is None or etag is None:
                raise malformed_xml()
            if number <= previous:
                raise AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be "
                               "ordered by part number.", 400, fields={"UploadId": upload.id})
            previous = number
            part = stored.get(number)
            if part is None or _bare(part[2]) != _bare(etag):
                raise _invalid_part(upload.id, number, etag)
            value = part[3].get(upload.object_algorithm)
            claimed = entry.get("Checksum" + algorithm) if algorithm else None
            if claimed is not None and claimed != part[3].get(algorithm):
                raise _invalid_part(upload.id, number, etag)
            if algorithm and upload.checksum_type == "COMPOSITE" and claimed is None:
                raise AwsError("InvalidRequest", f"The upload was created using a {algorithm.lower()} checksum. The "
                               "complete request must include the checksum for each part. It was missing for part "
                               f"{number} in the request.", 400)
            chosen.append((number, part, value))
        for number, part, _ in chosen[:-1]:
            if part[1] < MIN_PART_SIZE:
                raise AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400,
                               fields={"ProposedSize": str(part[1]), "MinSizeAllowed": str(MIN_PART_SIZE),
                                       "PartNumber": str(number), "ETag": part[2]})
        total = sum(part[1] for _, part, _ in chosen)
        if params.get("MpuObjectSize") is not None and int(params["MpuObjectSize"]) != total:
            raise AwsError("InvalidRequest", f"The provided 'x-amz-mp-object-size' header value "
                           f"{params['MpuObjectSize']} does not match what was computed: {total}", 400)
        md5s = b"".join(bytes.fromhex(_bare(part[2])) for _, part, _ in chosen)
        etag = f'"{hashlib.md5(md5s).hexdigest()}-{len(chosen)}"'
        attrs = self._object_attrs(upload)
        checksum, algorithm, kind = None, upload.object_algorithm, upload.object_checksum_type
        values = [value for _, _, value in chosen]
        if None not in values:  # every part hashed in the object's algorithm (always, for new uploads)
            if kind == "FULL_OBJECT":
                checksum = cks.combine_crcs(algorithm, [(v, part[1]) for (_, part, _), v in zip(chosen, values)])
            else:
                checksum = cks.composite(algorithm, values)
            check_complete_checksum(upload, params, checksum)
            attrs["checksum"] = {"algorithm": algorithm, "value": checksum, "type": kind}
        # [blob, size, etag, checksum, envelope]: the parts' blobs become the object's, each
        # with the data key it was encrypted under (None: a part from before, plain bytes)
        attrs["parts"] = [[part[0], part[1], part[2], value, part[4]] for _, part, value in chosen]
        attrs["upload"] = upload_marker(upload.id, requested)  # a repeated Complete succeeds again
        used = {part[0] for _, part, _ in chosen}
        version = ObjectVersion(key=key, blob=None, size=total, etag=etag, modified=float(int(self.clock.now())),
                                headers=dict(upload.headers), meta=dict(upload.meta),
                                storage_class=upload.storage_class, attrs=attrs)
        self.apply_default_retention(bucket, attrs, version.modified)  # object_lock.py

        def remove_upload() -> list[str]:
            self.db.execute("DELETE FROM uploads WHERE upload_id = ?", (upload.id,))
            rows = self.db.query("DELETE FROM parts WHERE upload_id = ? RETURNING blob", (upload.id,))
            return [blob for (blob,) in rows if blob not in used]

        # the conditions and the commit run with no await in between: no write slips in
        check_write_conditions(self.store, bucket.partition, bucket.name, key, params, complete=True)
        condition = "If-None-Match" if params.get("IfNoneMatch") is not None else "If-Match"
        if params.get(condition.replace("-", "")) is not None and self._key_changed_since_start(upload):
            raise conflict(condition, key)
        self.store.put(bucket.partition, bucket.name, version, bucket.versioning,
                       event="ObjectCreated:CompleteMultipartUpload", within=remove_upload)
        result = {"Location": _location(ctx, bucket.name, key), "Bucket": bucket.name, "Key": key, "ETag": etag,
                  **written_version_headers(version, bucket.versioning), **reported(upload.attrs.get("sse"))}
        if checksum is not None:
            result["Checksum" + algorithm], result["ChecksumType"] = checksum, kind
        return result

    def _object_attrs(self, upload: Upload) -> dict:
        """The attrs the new object inherits from its upload (owner, tags, ACL, encryption)."""
        return {name: upload.attrs[name] for name in ("owner", "tags", "acl", "sse", "retention", "legal_hold")
                if name in upload.attrs}

    def abort_multipart_upload(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        upload = self._upload(bucket, params["Key"], params.get("UploadId"))
        expected = params.get("IfMatchInitiatedTime")
        if expected is not None and int(expected.timestamp()) != int(upload.initiated):
            raise AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                           412, fields={"Condition": "x-amz-if-match-initiated-time"})
        for blob in self.drop_uploads("upload_id = ?", (upload.id,)):
            self.blobs.delete(blob)
        return {"__status__": 204}

    def drop_uploads(self, where: str, args: tuple) -> list[str]:
        """Delete the uploads matching ``where`` (on the uploads table) with their parts;
        returns the part blobs to delete once the caller's transaction has committed."""
        with self.db.transaction():
            ids = [upload_id for (upload_id,) in self.db.query(f"SELECT upload_id FROM uploads WHERE {where}", args)]
            blobs = []
            for upload_id in ids:
                blobs += [b for (b,) in self.db.query("DELETE FROM parts WHERE upload_id = ? RETURNING blob",
                                                      (upload_id,))]
                self.db.execute("DELETE FROM uploads WHERE upload_id = ?", (upload_id,))
        return blobs


__all__ = ["MultipartMixin", "owner_of"]
