"""S3's daily storage metrics (``AWS/S3``), as AWS publishes them once a day per bucket:

- ``BucketSizeBytes`` per ``BucketName`` and ``StorageType`` (StandardStorage, StandardIAStorage,
  GlacierStorage...): current and noncurrent versions and the parts of incomplete multipart
  uploads, plus the overheads AWS bills separately (the 128 KiB minimum of the IA classes,
  ``...SizeOverhead``; Glacier's and Deep Archive's 32 KiB index and 8 KiB name per object,
  ``...ObjectOverhead`` / ``...S3ObjectOverhead``);
- ``NumberOfObjects`` with ``StorageType`` ``AllStorageTypes``: every version, delete marker and
  part of an incomplete multipart upload.

Sampled at midnight UTC of the cloud clock (``runtime/service_metrics.py``, daily interval),
stamped with the day just ended; a bucket holding nothing publishes nothing.
"""

from __future__ import annotations

from overcast.storage.scope import Scope

NAMESPACE = "AWS/S3"
DAY = 86400.0
_STORAGE_TYPES = {
    "STANDARD": "StandardStorage", "REDUCED_REDUNDANCY": "ReducedRedundancyStorage",
    "STANDARD_IA": "StandardIAStorage", "ONEZONE_IA": "OneZoneIAStorage",
    "INTELLIGENT_TIERING": "IntelligentTieringFAStorage", "GLACIER_IR": "GlacierInstantRetrievalStorage",
    "GLACIER": "GlacierStorage", "DEEP_ARCHIVE": "DeepArchiveStorage", "EXPRESS_ONEZONE": "ExpressOneZone",
}
MINIMUM_BILLED = 128 * 1024  # the IA classes and Glacier Instant Retrieval bill small objects as 128 KiB
_SIZE_OVERHEADS = {"STANDARD_IA": "StandardIASizeOverhead", "ONEZONE_IA": "OneZoneIASizeOverhead",
                   "GLACIER_IR": "GlacierInstantRetrievalSizeOverhead"}
_OBJECT_OVERHEADS = {  # per archived object: (index in the archive class, name in S3 Standard)
    "GLACIER": (("GlacierObjectOverhead", 32 * 1024), ("GlacierS3ObjectOverhead", 8 * 1024)),
    "DEEP_ARCHIVE": (("DeepArchiveObjectOverhead", 32 * 1024), ("DeepArchiveS3ObjectOverhead", 8 * 1024)),
}

_VERSIONS = """
SELECT b.account, b.region, v.bucket, v.marker, v.storage_class, COUNT(*), SUM(v.size),
       SUM(CASE WHEN v.size < ? THEN ? - v.size ELSE 0 END)
FROM versions v JOIN buckets b ON b.partition = v.partition AND b.name = v.bucket
GROUP BY b.account, b.region, v.bucket, v.marker, v.storage_class
"""
_PARTS = """
SELECT b.account, b.region, u.bucket, u.storage_class, COUNT(*), SUM(p.size)
FROM parts p JOIN uploads u ON u.upload_id = p.upload_id
JOIN buckets b ON b.partition = u.partition AND b.name = u.bucket
GROUP BY b.account, b.region, u.bucket, u.storage_class
"""


def register_storage_metrics(provider) -> None:
    provider.cloud.service_metrics.sample(NAMESPACE, lambda now: _sample(provider), interval=DAY)


def _sample(provider):
    sizes: dict[tuple, float] = {}  # (scope, bucket, storage type) -> bytes
    counts: dict[tuple, float] = {}  # (scope, bucket) -> objects
    db = provider.db
    for account, region, bucket, marker, storage_class, number, total, short in db.query(
            _VERSIONS, (MINIMUM_BILLED, MINIMUM_BILLED)):
        scope = Scope(account, region)
        counts[scope, bucket] = counts.get((scope, bucket), 0.0) + number
        if marker:
            continue
        _add(sizes, scope, bucket, _STORAGE_TYPES.get(storage_class, "StandardStorage"), total)
        if storage_class in _SIZE_OVERHEADS:
            _add(sizes, scope, bucket, _SIZE_OVERHEADS[storage_class], short)
        for storage_type, per_object in _OBJECT_OVERHEADS.get(storage_class, ()):
            _add(sizes, scope, bucket, storage_type, per_object * number)
    for account, region, bucket, storage_class, number, total in db.query(_PARTS):
        scope = Scope(account, region)
        counts[scope, bucket] = counts.get((scope, bucket), 0.0) + number
        _add(sizes, scope, bucket, _STORAGE_TYPES.get(storage_class, "StandardStorage"), total)
    for (scope, bucket, storage_type), total in sorted(sizes.items()):
        if total:
            yield scope, "BucketSizeBytes", (("BucketName", bucket), ("StorageType", storage_type)), total, "Bytes"
    for (scope, bucket), number in sorted(counts.items()):
        yield scope, "NumberOfObjects", (("BucketName", bucket), ("StorageType", "AllStorageTypes")), number, "Count"


def _add(sizes: dict, scope, bucket: str, storage_type: str, amount) -> None:
    if amount:
        key = (scope, bucket, storage_type)
        sizes[key] = sizes.get(key, 0.0) + float(amount)
