"""Amazon S3: one mixin per concern (``buckets.py``, ``objects.py``, ``listing.py``...).

Bucket and object rows live in SQLite (``schema.py``), object bytes in the ``s3`` blob store;
``store.py`` is the one place that writes object versions.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider

from .access_log import AccessLogMixin
from .acl import AclMixin
from .at_rest import AtRest
from .attributes import AttributesMixin
from .authority import S3Authority
from .bucket_analytics import BucketAnalyticsMixin
from .bucket_config import BucketConfigMixin
from .bucket_metrics import BucketMetricsMixin
from .buckets import BucketsMixin
from .copy import CopyMixin
from .cors import CorsMixin
from .delete_objects import DeleteObjectsMixin
from .expected_owner import check_expected_owner_form, guard_expected_owner
from .id_configs import IdConfigMixin
from .intelligent_tiering import IntelligentTieringMixin
from .inventory_config import InventoryMixin
from .tagging import TaggingMixin
from .lifecycle import LifecycleMixin
from .listing import ListingMixin
from .multipart import MultipartMixin
from .notifications import NotificationsMixin
from .object_lock import ObjectLockMixin
from .objects import ObjectsMixin
from .post_upload import PostUploadMixin
from .replication_config import ReplicationConfigMixin
from .request_payment import RequestPaymentMixin, report_request_charged
from .replication_runner import ReplicationMixin
from .restore import RestoreMixin
from .sse import EncryptionMixin
from .schema import MIGRATIONS
from .select.operation import SelectMixin, check_select_request
from .signing_region import check_signing_region
from .storage_metrics import register_storage_metrics
from .store import ObjectStore
from .version_listing import VersionListingMixin
from .website_config import WebsiteConfigMixin
from .website_endpoint import WebsiteEndpointMixin


@guard_expected_owner
@report_request_charged
class Provider(BucketsMixin, ObjectsMixin, ListingMixin, CopyMixin, DeleteObjectsMixin, AttributesMixin, TaggingMixin, AclMixin, MultipartMixin, VersionListingMixin, BucketConfigMixin, CorsMixin, LifecycleMixin, NotificationsMixin, PostUploadMixin, RestoreMixin,
               IdConfigMixin, BucketMetricsMixin, BucketAnalyticsMixin, InventoryMixin, IntelligentTieringMixin,
               WebsiteConfigMixin, WebsiteEndpointMixin, ObjectLockMixin, ReplicationConfigMixin, ReplicationMixin,
               EncryptionMixin, RequestPaymentMixin, AccessLogMixin, SelectMixin, S3Authority, BaseProvider):
    service_name = "s3"
    migrations = MIGRATIONS
    _store = None
    _at_rest = None

    def __init__(self, cloud):
        super().__init__(cloud)
        register_storage_metrics(self)  # AWS/S3 BucketSizeBytes and NumberOfObjects, daily

    @property
    def blobs(self):
        return self.cloud.storage.blobs("s3")

    @property
    def at_rest(self) -> AtRest:
        """Encryption of object bytes at rest, under the data dir's service key (at_rest.py)."""
        if self._at_rest is None:
            self._at_rest = AtRest(self.cloud.storage.data_dir)
        return self._at_rest

    @property
    def store(self) -> ObjectStore:
        """Object versions (rows and blobs): every object write goes through it."""
        if self._store is None:
            self._store = ObjectStore(self.db, self.blobs, self.at_rest)
        return self._store

    async def start(self) -> None:
        # orphans of a crash between the blob write and the row commit (or a row removal)
        self.blobs.sweep(self.store.referenced_blobs())
        self.start_configurations()
        self.watch_upload_keys()  # multipart.py: conditional Completes after a write to their key
        await self.inventory.tick()  # catch up on reports that fell due while the server was down
        self.replicator.resume()  # replications queued before a stop (or a crash)

    async def stop(self) -> None:
        self.flush_access_records()  # access_log.py: records still in memory

    def unimplemented(self, ctx, params: dict) -> None:
        """Before an operation Overcast does not implement answers 501: a missing bucket is
        NoSuchBucket, as S3 answers any bucket operation on one."""
        if params.get("Bucket"):
            self.bucket_row(ctx, params["Bucket"], owned=False)

    def validate_request(self, ctx, params: dict) -> None:
        # S3 refuses a malformed x-amz-expected-bucket-owner before it authorizes
        check_expected_owner_form(params)
        check_signing_region(self, ctx, params)
        if ctx.operation == "SelectObjectContent":
            check_select_request(ctx, params)  # the request and its SQL, before authorization

    def reset(self) -> None:
        self.bucket_rows_changed()
        self.forget_access_records()
        self.reset_configurations()
        self.replicator.reset()
        self.encryption_changed()
        self.forget_upload_buckets()
        if self._store is not None:
            self._store.forget_cache()

