"""ListObjectVersions: every version and delete marker, by key then newest first.

Pagination is by ``key-marker`` (exclusive: listing resumes after every version of that
key) and ``version-id-marker`` (resumes after that version of ``key-marker``). A page ends
with ``NextKeyMarker`` / ``NextVersionIdMarker`` naming the last entry handed out (a
common prefix has no version id). The walk is the one the object listings use
(``listing.py``), over all rows instead of the current ones.
"""

from __future__ import annotations

from overcast.errors import AwsError

from .listing import (PageParams, checksum_members, group_of, owner_entry, region_header, start_position, take,
                      walk)
from .restore import restore_status, wants_restore_status
from .store import is_version_id
from .version_ids import issued_seq, was_issued

_VERSIONS = ("SELECT key, seq, version, latest, marker, size, etag, modified, storage_class, "
             "json_extract(attrs, '$.checksum.algorithm'), json_extract(attrs, '$.checksum.type'), "
             "json_extract(attrs, '$.owner'), json_extract(attrs, '$.restore') FROM versions WHERE partition = ? AND bucket = ? "
             "AND key >= ? AND (key > ? OR seq < ?) ORDER BY key, seq DESC LIMIT ?")


def _invalid_marker(message: str, value: str) -> AwsError:
    return AwsError("InvalidArgument", message, 400,
                    fields={"ArgumentName": "version-id-marker", "ArgumentValue": value})


class VersionListingMixin:
    def list_object_versions(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        page = PageParams(params)
        key_marker = params.get("KeyMarker") or ""
        version_marker = params.get("VersionIdMarker")
        position = self._versions_start(bucket, page, key_marker, version_marker)

        def fetch(key: str, seq: int, limit: int) -> list:
            return self.db.query(_VERSIONS, (bucket.partition, bucket.name, key, key, seq, limit))

        entries, truncated = take(walk(fetch, page.prefix, page.delimiter, position, page.max_keys + 1),
                                  page.max_keys)
        versions, markers, prefixes = [], [], []
        now = self.clock.now() if wants_restore_status(params) else None
        for kind, value in entries:
            if kind == "prefix":
                prefixes.append(value)
                continue
            key, _seq, version, latest, marker, size, etag, modified, storage_class, algorithm, checksum_type, \
                owner, restore = value
            entry = {"Key": page.enc(key), "VersionId": version, "IsLatest": bool(latest), "LastModified": modified,
                     "Owner": owner_entry(owner, bucket.account)}
            if marker:
                markers.append(entry)
            else:
                versions.append({"ETag": etag, **checksum_members(algorithm, checksum_type), "Size": size,
                                 "StorageClass": storage_class, **entry,
                                 **(restore_status(restore, now) if now is not None else {})})
        result = {"Name": bucket.name, "KeyMarker": page.enc(key_marker),
                  "VersionIdMarker": version_marker or "", "IsTruncated": truncated,
                  "__headers__": region_header(bucket)}
        if versions:
            result["Versions"] = versions
        if markers:
            result["DeleteMarkers"] = markers
        if truncated and entries:
            kind, value = entries[-1]
            result["NextKeyMarker"] = page.enc(value if kind == "prefix" else value[0])
            if kind == "row":
                result["NextVersionIdMarker"] = value[2]
        return page.common(result, prefixes)

    def _versions_start(self, bucket, page: PageParams, key_marker: str, version_marker: str | None):
        """The walk's start: after ``key-marker``, or after one of its versions."""
        if version_marker is None:
            return start_position(page.prefix, page.delimiter, key_marker)
        if not key_marker:
            raise _invalid_marker("A version-id marker cannot be specified without a key marker.", version_marker)
        if not is_version_id(version_marker):
            raise _invalid_marker("Invalid version id specified", version_marker)
        if group_of(key_marker, page.prefix, page.delimiter) is not None or key_marker < page.prefix:
            return start_position(page.prefix, page.delimiter, key_marker)
        found = self.store.version(bucket.partition, bucket.name, key_marker, version_marker)
        if found is not None:
            return key_marker, found.seq
        # a version removed since the last page: its id still tells where it stood
        seq = issued_seq(version_marker)
        if seq is None and not was_issued(version_marker):
            raise _invalid_marker("Invalid version id specified", version_marker)
        return (key_marker, seq) if seq is not None else (key_marker, 0)
