"""Amazon S3: one mixin per concern (``buckets.py``, ``objects.py``, ``listing.py``...).

Bucket and object rows live in SQLite (``schema.py``), object bytes in the ``s3`` blob store;
``store.py`` is the one place that writes object versions.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider

from .acl import AclMixin
from .attributes import AttributesMixin
from .bucket_config import BucketConfigMixin
from .buckets import BucketsMixin
from .copy import CopyMixin
from .cors import CorsMixin
from .delete_objects import DeleteObjectsMixin
from .tagging import TaggingMixin
from .lifecycle import LifecycleMixin
from .listing import ListingMixin
from .multipart import MultipartMixin
from .notifications import NotificationsMixin
from .objects import ObjectsMixin
from .post_upload import PostUploadMixin
from .restore import RestoreMixin
from .schema import MIGRATIONS
from .store import ObjectStore
from .version_listing import VersionListingMixin


class Provider(BucketsMixin, ObjectsMixin, ListingMixin, CopyMixin, DeleteObjectsMixin, AttributesMixin, TaggingMixin, AclMixin, MultipartMixin, VersionListingMixin, BucketConfigMixin, CorsMixin, LifecycleMixin, NotificationsMixin, PostUploadMixin, RestoreMixin, BaseProvider):
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
        self.start_configurations()

    def reset(self) -> None:
        self.bucket_rows_changed()
        self.reset_configurations()
        if self._store is not None:
            self._store.forget_cache()
