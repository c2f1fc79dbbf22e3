"""Amazon S3: buckets and the core object operations (put/get/head/delete, ListObjectsV2).

Composed of one mixin per concern: ``buckets.py``, ``objects.py``, ``listing.py``. Bucket and
object rows live in SQLite; object bytes in the ``s3`` blob store.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider

from .buckets import BucketsMixin
from .listing import ListingMixin
from .objects import ObjectsMixin

SCHEMA = """
CREATE TABLE buckets (partition TEXT NOT NULL, name TEXT NOT NULL, account TEXT NOT NULL,
                      region TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (partition, name));
CREATE TABLE objects (partition TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,
                      blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
                      modified REAL NOT NULL, headers TEXT NOT NULL, meta TEXT NOT NULL,
                      checksum TEXT, PRIMARY KEY (partition, bucket, key));
"""


class Provider(BucketsMixin, ObjectsMixin, ListingMixin, BaseProvider):
    service_name = "s3"
    migrations = (SCHEMA,)

    @property
    def blobs(self):
        return self.cloud.storage.blobs("s3")

    async def start(self) -> None:
        # orphans of a crash between the blob write and the row commit (or a row removal)
        self.blobs.sweep(blob for (blob,) in self.db.query("SELECT blob FROM objects"))
