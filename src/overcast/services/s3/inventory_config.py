"""S3 Inventory configurations: Put/Get/Delete/ListBucketInventoryConfiguration(s).

A configuration names a destination bucket (by ARN), a format (CSV, ORC, Parquet), a
schedule (Daily, Weekly), the versions to list (All, Current), an optional Prefix filter and
optional fields. Stored and listed as S3 does (``id_configs.py``); enabled ones are
delivered to the destination on the cloud clock by ``inventory_runner.InventoryRunner``.
"""

from __future__ import annotations

from overcast.errors import AwsError

from .bucket_config import malformed_xml
from .id_configs import check_document_id
from .inventory_runner import FAMILY, InventoryRunner, run_state_kind

_FORMATS = ("CSV", "ORC", "Parquet")
_FREQUENCIES = ("Daily", "Weekly")
_VERSIONS = ("All", "Current")
# InventoryOptionalField, as the S3 model enumerates it ("Throws MalformedXML error if
# unsupported optional field is provided.")
OPTIONAL_FIELDS = ("Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded", "ReplicationStatus",
                   "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus",
                   "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList",
                   "ObjectOwner", "LifecycleExpirationDate")


def destination_bucket_name(arn: str) -> str:
    """The bucket name of an ``arn:aws:s3:::name`` destination."""
    return arn.split(":", 5)[5]


def check_destination_arn(arn: str) -> None:
    """A destination is a bucket ARN, ``arn:<partition>:s3:::<bucket>``, without a region or
    account (S3: "Bucket ARN should not specify a namespace.")."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or not parts[1].startswith("aws") or parts[2] != "s3" or not parts[5]:
        raise AwsError("InvalidS3DestinationBucket", "Invalid bucket ARN.", 400)
    if parts[3] or parts[4] or "/" in parts[5]:
        raise AwsError("InvalidS3DestinationBucket", "Bucket ARN should not specify a namespace.", 400)


def _check_document(document) -> dict:
    """The S3BucketDestination of a well-formed inventory configuration, or MalformedXML."""
    if not isinstance(document, dict):
        raise malformed_xml()
    destination = (document.get("Destination") or {}).get("S3BucketDestination")
    if (not isinstance(destination, dict) or destination.get("Bucket") is None
            or destination.get("Format") not in _FORMATS):
        raise malformed_xml()
    if document.get("IsEnabled") is None or document.get("IncludedObjectVersions") not in _VERSIONS:
        raise malformed_xml()
    if (document.get("Schedule") or {}).get("Frequency") not in _FREQUENCIES:
        raise malformed_xml()
    if document.get("Filter") is not None and document["Filter"].get("Prefix") is None:
        raise malformed_xml()
    fields = document.get("OptionalFields") or []
    if any(name not in OPTIONAL_FIELDS for name in fields):
        raise malformed_xml()
    encryption = destination.get("Encryption")
    if encryption is not None:
        kinds = [name for name in ("SSES3", "SSEKMS") if encryption.get(name) is not None]
        if len(kinds) != 1 or (kinds == ["SSEKMS"] and not encryption["SSEKMS"].get("KeyId")):
            raise malformed_xml()
    return destination


class InventoryMixin:
    _inventory: InventoryRunner | None = None

    def __init__(self, cloud):
        super().__init__(cloud)
        self._inventory = InventoryRunner(self)
        # hourly, like lifecycle: a delivery falls due at a UTC midnight (inventory_runner.py)
        cloud.scheduler.every(3600, self._inventory.tick)

    @property
    def inventory(self) -> InventoryRunner:
        return self._inventory

    def put_bucket_inventory_configuration(self, ctx, params: dict) -> dict:
        document = params.get("InventoryConfiguration")
        destination = _check_document(document)
        config_id = check_document_id(params["Id"], document)
        check_destination_arn(destination["Bucket"])
        value = {"Destination": {"S3BucketDestination": destination}, "IsEnabled": bool(document["IsEnabled"]),
                 "Id": config_id, "IncludedObjectVersions": document["IncludedObjectVersions"],
                 "Schedule": {"Frequency": document["Schedule"]["Frequency"]}}
        if document.get("Filter") is not None:
            value["Filter"] = {"Prefix": document["Filter"]["Prefix"]}
        if document.get("OptionalFields"):
            # each field once, in the order given
            value["OptionalFields"] = list(dict.fromkeys(document["OptionalFields"]))
        bucket = self.config_bucket(ctx, params)
        self.id_configs(FAMILY).put(bucket, config_id, value)
        if self.configs.get(bucket, run_state_kind(config_id)) is None:
            # the first delivery falls due at the first midnight after this (inventory_runner.py)
            self.configs.put(bucket, run_state_kind(config_id), {"since": self.clock.now()})
        return {}

    def get_bucket_inventory_configuration(self, ctx, params: dict) -> dict:
        return {"InventoryConfiguration": self._get_id_config(ctx, params, FAMILY)}

    def delete_bucket_inventory_configuration(self, ctx, params: dict) -> dict:
        result = self._delete_id_config(ctx, params, FAMILY)
        self.configs.delete(self.config_bucket(ctx, params), run_state_kind(params["Id"]))
        return result

    def list_bucket_inventory_configurations(self, ctx, params: dict) -> dict:
        return self._list_id_configs(ctx, params, FAMILY, "InventoryConfigurationList")
