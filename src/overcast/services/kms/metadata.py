"""KeyMetadata as DescribeKey, CreateKey and ReplicateKey return it: AWS's members, in AWS's
shape today (CustomerMasterKeySpec only for the specs its deprecated enum still lists, the
algorithm list of the key's usage, MultiRegionConfiguration for multi-Region keys)."""

from __future__ import annotations

import functools

from overcast.services.kms.key_specs import SPECS
from overcast.services.kms.key_store import KeyRecord, KeyStore, key_arn
from overcast.services.kms.validation import kms_model


@functools.lru_cache(maxsize=1)
def _legacy_specs() -> frozenset:
    return frozenset(kms_model().shape_for("CustomerMasterKeySpec").enum)


def key_metadata(store: KeyStore, key: KeyRecord) -> dict:
    meta = {
        "AWSAccountId": key.account,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.created,
        "Enabled": key.state == "Enabled",
        "Description": key.description,
        "KeyUsage": key.usage,
        "KeyState": key.state,
        "Origin": key.origin,
        "KeyManager": key.manager,
    }
    if key.deletion_date is not None and key.state == "PendingDeletion":
        meta["DeletionDate"] = key.deletion_date
    if key.state == "PendingReplicaDeletion" and key.pending_window:
        # only there: a key pending deletion shows its DeletionDate instead
        meta["PendingDeletionWindowInDays"] = key.pending_window
    if key.origin == "EXTERNAL" and key.current_version and key.expiration_model:
        meta["ExpirationModel"] = key.expiration_model
        if key.valid_to is not None:
            meta["ValidTo"] = key.valid_to
    if key.spec in _legacy_specs():
        meta["CustomerMasterKeySpec"] = key.spec
    meta["KeySpec"] = key.spec
    member, algorithms = SPECS[key.spec].usages[key.usage]
    meta[member] = list(algorithms)
    meta["MultiRegion"] = key.multi_region
    if key.multi_region:
        meta["MultiRegionConfiguration"] = multi_region_configuration(store, key)
    material_id = store.material_id(key) if key.spec == "SYMMETRIC_DEFAULT" else None
    if material_id:
        meta["CurrentKeyMaterialId"] = material_id
    return meta


def multi_region_configuration(store: KeyStore, key: KeyRecord) -> dict:
    records = store.replicas(key)
    primary = key.primary_region
    return {
        "MultiRegionKeyType": "REPLICA" if key.region != primary else "PRIMARY",
        "PrimaryKey": {"Arn": key_arn(primary, key.account, key.key_id), "Region": primary},
        "ReplicaKeys": [{"Arn": r.arn, "Region": r.region} for r in records if r.region != primary],
    }
