"""S3 objects: PutObject (streamed to the blob store), GetObject/HeadObject (ranges,
conditionals, response-* overrides), DeleteObject.

Visibility: the blob is written whole and renamed into place, then the metadata row is
committed, then (on overwrite) the old blob is deleted — a reader sees the old object or the
new one, never a mix; a crash leaves at worst an unreferenced blob, swept at start.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib

from overcast.errors import AwsError
from overcast.storage.scope import partition_of


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


class _Hashing:
    """Wraps the request body: MD5 and CRC32 of the bytes as they stream through."""

    def __init__(self, source):
        self.source = source
        self.md5 = hashlib.md5()
        self.crc32 = 0

    async def __aiter__(self):
        if isinstance(self.source, (bytes, bytearray, memoryview)):
            chunks = [bytes(self.source)]
            for chunk in chunks:
                self.md5.update(chunk)
                self.crc32 = zlib.crc32(chunk, self.crc32)
                yield chunk
            return
        async for chunk in self.source:
            self.md5.update(chunk)
            self.crc32 = zlib.crc32(chunk, self.crc32)
            yield chunk


def _crc32_b64(value: int) -> str:
    return base64.b64encode(value.to_bytes(4, "big")).decode()


def _precondition(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    fields={"Condition": condition})


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or etag.strip('"') in [t.strip('"') for t in tags]


class ObjectsMixin:
    def _object_row(self, ctx, bucket: str, key: str):
        partition = partition_of(ctx.region)
        row = self.db.query_one(
            "SELECT blob, size, etag, modified, headers, meta, checksum FROM objects "
            "WHERE partition = ? AND bucket = ? AND key = ?", (partition, bucket, key))
        if row is None:
            self.bucket_row(ctx, bucket)
            raise no_such_key(key)
        return row

    async def put_object(self, ctx, params: dict) -> dict:
        bucket, key = params["Bucket"], params["Key"]
        self.bucket_row(ctx, bucket)
        check_key(key)
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
        hashing = _Hashing(body)
        blobs = self.blobs
        info = await blobs.write(hashing)
        try:
            digest = hashing.md5.digest()
            if expected_md5 is not None and digest != expected_md5:
                raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                               fields={"ExpectedDigest": params["ContentMD5"],
                                       "CalculatedDigest": base64.b64encode(digest).decode()})
            crc = _crc32_b64(hashing.crc32)
            trailers = getattr(body, "trailers", None) or {}
            claimed = params.get("ChecksumCRC32") or trailers.get("x-amz-checksum-crc32")
            if claimed is not None and claimed != crc:
                raise AwsError("BadDigest", "The CRC32 you specified did not match the calculated checksum.", 400)
            # re-check: the bucket may have been deleted while the body streamed
            self.bucket_row(ctx, bucket)
        except BaseException:
            blobs.delete(info.id)
            raise
        etag = f'"{digest.hex()}"'
        headers = {name: params[name] for name in STORED if params.get(name) is not None}
        if "Expires" in headers:
            headers["Expires"] = headers["Expires"].timestamp() if hasattr(headers["Expires"], "timestamp") \
                else headers["Expires"]
        meta = {k.lower(): v for k, v in (params.get("Metadata") or {}).items()}
        checksum = crc if claimed is not None else None
        partition = partition_of(ctx.region)
        with self.db.transaction():
            old = self.db.query_one("SELECT blob FROM objects WHERE partition = ? AND bucket = ? AND key = ?",
                                    (partition, bucket, key))
            self.db.execute(
                "INSERT INTO objects (partition, bucket, key, blob, size, etag, modified, headers, meta, checksum) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (partition, bucket, key) DO UPDATE SET "
                "blob = excluded.blob, size = excluded.size, etag = excluded.etag, modified = excluded.modified, "
                "headers = excluded.headers, meta = excluded.meta, checksum = excluded.checksum",
                (partition, bucket, key, info.id, info.size, etag, float(int(self.clock.now())),
                 json.dumps(headers), json.dumps(meta), checksum))
        if old is not None:
            blobs.delete(old[0])
        result = {"ETag": etag}
        if checksum:
            result["ChecksumCRC32"] = checksum
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
        elif since is not None and modified <= since.timestamp():
            return not_modified
        return None

    def _describe(self, row, params: dict) -> dict:
        _, size, etag, modified, headers, meta, checksum = row
        result = {"ETag": etag, "LastModified": modified, "ContentLength": size, "AcceptRanges": "bytes",
                  "Metadata": json.loads(meta)}
        stored = json.loads(headers)
        result.update(stored)
        result.setdefault("ContentType", "binary/octet-stream")
        if checksum and params.get("ChecksumMode") == "ENABLED":
            result["ChecksumCRC32"] = checksum
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

    def get_object(self, ctx, params: dict) -> dict:
        return self._get(ctx, params, with_body=True)

    def head_object(self, ctx, params: dict) -> dict:
        return self._get(ctx, params, with_body=False)

    def _get(self, ctx, params: dict, with_body: bool) -> dict:
        bucket, key = params["Bucket"], params["Key"]
        row = self._object_row(ctx, bucket, key)
        blob, size, etag, modified = row[:4]
        early = self._check_conditions(params, etag, modified)
        if early is not None:
            return early
        result = self._describe(row, params)
        span = self._range(params, size)
        offset, length = (0, size) if span is None else span
        if span is not None:
            result["__status__"] = 206
            result["ContentRange"] = f"bytes {offset}-{offset + length - 1}/{size}"
            result["ContentLength"] = length
            result.pop("ChecksumCRC32", None)  # a full-object checksum does not describe a range
        if with_body:
            result["Body"] = self.blobs.read(blob, offset, length)
        return result

    def delete_object(self, ctx, params: dict) -> dict:
        bucket, key = params["Bucket"], params["Key"]
        self.bucket_row(ctx, bucket)
        partition = partition_of(ctx.region)
        rows = self.db.query("DELETE FROM objects WHERE partition = ? AND bucket = ? AND key = ? RETURNING blob",
                             (partition, bucket, key))
        for (blob,) in rows:
            self.blobs.delete(blob)
        return {}
