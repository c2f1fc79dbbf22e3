"""Amazon S3: one mixin per concern (``buckets.py``, ``objects.py``, ``listing.py``...).

Bucket and object rows live in SQLite (``schema.py``), object bytes in the ``s3`` blob store;
``store.py`` is the one place that writes object versions.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider

from .acl import AclMixin
from .attributes import AttributesMixin
from .buckets import BucketsMixin
from .copy import CopyMixin
from .delete_objects import DeleteObjectsMixin
from .tagging import TaggingMixin
from .listing import ListingMixin
from .objects import ObjectsMixin
from .schema import MIGRATIONS
from .store import ObjectStore
from .version_listing import VersionListingMixin


class Provider(BucketsMixin, ObjectsMixin, ListingMixin, VersionListingMixin, CopyMixin, DeleteObjectsMixin, AttributesMixin,
               TaggingMixin, AclMixin, BaseProvider):
    service_name = "s3"
    migrations = MIGRATIONS
    _store = None

    @property
    def blobs(self):
        return self.cloud.storage.blobs("s3")

    @property
    def store(self) -> ObjectStore:
        """Object versions (rows and blobs): every object write goes through it."""
        if self._store is None:
            self._store = ObjectStore(self.db, self.blobs)
        return self._store

    async def start(self) -> None:
        # orphans of a crash between the blob write and the row commit (or a row removal)
        self.blobs.sweep(self.store.referenced_blobs())

    def reset(self) -> None:
        if self._store is not None:
            self._store.forget_cache()
