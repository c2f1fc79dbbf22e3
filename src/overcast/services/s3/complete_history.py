"""What a CompleteMultipartUpload learns from history: whether it was already done, and
whether its key changed while the upload was in progress.

A CompleteMultipartUpload sent again after it succeeded (a client retrying after a lost
answer) gets the same success from S3, not NoSuchUpload — as long as it names the same
parts and the object it made is still there.

The completed object's version remembers the upload (``attrs["upload"]``: its id and a
digest of the part list), so a repeated Complete is answered from that version, found by its
key (indexed) without any table of its own.

A conditional Complete (If-None-Match / If-Match) of an upload whose key was written or
deleted after the upload began gets 409 ConditionalRequestConflict: every committed change
to a key marks the uploads in progress of that key (``attrs.key_changed``).
"""

from __future__ import annotations

import hashlib
import json

from overcast.errors import AwsError

from .objects import written_version_headers


def parts_digest(requested: list) -> str:
    """A digest of a Complete's part list: part numbers and ETags (quotes aside)."""
    listed = [[entry.get("PartNumber"), str(entry.get("ETag") or "").strip().strip('"')] for entry in requested]
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()


def upload_marker(upload_id: str, requested: list) -> dict:
    """What a completed version keeps of its upload (``attrs["upload"]``)."""
    return {"id": upload_id, "parts": parts_digest(requested)}


def completed_version(db, partition: str, bucket: str, key: str, upload_id: str, requested: list):
    """(version id, seq) of the version a Complete of ``upload_id`` with the same parts made,
    or None."""
    row = db.query_one("SELECT version, seq, json_extract(attrs, '$.upload.parts') FROM versions WHERE partition = ? "
                       "AND bucket = ? AND key = ? AND json_extract(attrs, '$.upload.id') = ?",
                       (partition, bucket, key, upload_id or ""))
    if row is None or row[2] != parts_digest(requested):
        return None
    return row[0], row[1]


class CompleteHistoryMixin:
    def _completed_again(self, location: str, bucket, key: str, upload_id: str, requested: list,
                         missing: AwsError) -> dict:
        """The answer to a Complete of an upload already completed with the same parts (the
        version it made is still there), else the NoSuchUpload ``missing``."""
        found = completed_version(self.db, bucket.partition, bucket.name, key, upload_id, requested)
        if found is None:
            raise missing
        version = self.store.version(bucket.partition, bucket.name, key, found[0])
        result = {"Location": location, "Bucket": bucket.name, "Key": key,
                  "ETag": version.etag, **version.attrs.get("sse", {})}
        result.update(written_version_headers(version, bucket.versioning))
        checksum = version.attrs.get("checksum")
        if checksum:
            result["Checksum" + checksum["algorithm"]] = checksum["value"]
            result["ChecksumType"] = checksum.get("type", "FULL_OBJECT")
        return result

    def watch_upload_keys(self) -> None:
        """Mark the uploads in progress of a key when the key is written or deleted (S3 then
        answers a conditional Complete of them 409 ConditionalRequestConflict)."""
        self.store.subscribe(self._mark_uploads_of)

    # (partition, bucket) of every bucket that may have uploads in progress, read once: a write
    # to any other bucket (most writes) costs a set lookup, not a query. An upload started
    # adds its bucket (``upload_started``); a bucket stays in until a reset, which only costs
    # it the query below.
    _upload_buckets: set | None = None

    def upload_started(self, partition: str, bucket: str) -> None:
        """CreateMultipartUpload, before its row is written: the bucket has uploads now."""
        if self._upload_buckets is not None:
            self._upload_buckets.add((partition, bucket))

    def forget_upload_buckets(self) -> None:
        """After a reset: read again which buckets have uploads."""
        self._upload_buckets = None

    def _mark_uploads_of(self, event) -> None:
        buckets = self._upload_buckets
        if buckets is None:
            buckets = self._upload_buckets = {tuple(row) for row in self.db.query(
                "SELECT DISTINCT partition, bucket FROM uploads")}
        if (event.partition, event.bucket) not in buckets:
            return
        where = "partition = ? AND bucket = ? AND key = ?"
        args = (event.partition, event.bucket, event.key)
        # a cheap read first: most writes are to keys with no upload in progress
        if self.db.query_one(f"SELECT 1 FROM uploads WHERE {where} LIMIT 1", args) is None:
            return
        self.db.execute(f"UPDATE uploads SET attrs = json_set(attrs, '$.key_changed', 1) WHERE {where}", args)

    def _key_changed_since_start(self, upload) -> bool:
        row = self.db.query_one("SELECT json_extract(attrs, '$.key_changed') FROM uploads WHERE upload_id = ?",
                                (upload.id,))
        return bool(row and row[0])

