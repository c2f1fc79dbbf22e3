"""Multi-Region keys: ReplicateKey (a replica in another region of the same partition, with the
primary's key id and material; its own policy, description and tags) and UpdatePrimaryRegion.
The shared properties (material, spec, usage, origin, rotation) live with each region's record
and are kept equal by the operations that change them."""

from __future__ import annotations

from dataclasses import replace

from overcast.auth.scope import known_regions
from overcast.services.kms.default_policy import default_key_policy
from overcast.services.kms.errors import (
    AlreadyExistsException,
    UnsupportedOperationException,
    ValidationException,
)
from overcast.services.kms.metadata import key_metadata
from overcast.services.kms.policy_checks import check_new_policy
from overcast.services.kms.tag_rules import check_tags, tags_json
from overcast.services.kms.validation import check_input
from overcast.storage.scope import partition_of


class MultiRegionOperations:
    """The multi-Region operations of the KMS provider."""

    def _multi_region_primary(self, ctx, params: dict, operation: str):
        record = self.keys.resolve(ctx, params["KeyId"], operation=operation)
        if not record.multi_region:
            raise UnsupportedOperationException(f"{record.arn} is not a multi-Region key.")
        if record.is_replica:
            raise UnsupportedOperationException(f"{record.arn} is not a multi-Region primary key.")
        return record

    def replicate_key(self, ctx, params: dict) -> dict:
        check_input("ReplicateKey", params)
        region = params["ReplicaRegion"]
        record = self._multi_region_primary(ctx, params, "ReplicateKey")
        if region not in known_regions() or partition_of(region) != partition_of(record.region):
            raise ValidationException(f"{region} is not a valid region for a replica of {record.arn}.")
        if self.keys.get(record.account, region, record.key_id) is not None:
            raise AlreadyExistsException(
                f"Key {record.arn.replace(':' + record.region + ':', ':' + region + ':')} already exists")
        policy = params.get("Policy")
        if policy is not None:
            check_new_policy(ctx, policy, params.get("BypassPolicyLockoutSafetyCheck", False))
        tags = check_tags(params.get("Tags") or [])
        replica = replace(
            record, region=region, state="PendingImport" if record.origin == "EXTERNAL" else "Enabled",
            description=params.get("Description", ""), created=self.clock.now(),
            policy=policy if policy is not None else default_key_policy(record.account, region),
            tags=tags_json(tags), deletion_date=None, pending_window=None,
            state_before_deletion=None, valid_to=None, expiration_model=None,
            current_version=0 if record.origin == "EXTERNAL" else record.current_version)
        with self.db.transaction():
            self.keys.insert(replica)
            if record.origin != "EXTERNAL":
                self.keys.copy_versions(record, replica)
        stored = self.keys.get(record.account, region, record.key_id)
        return {"ReplicaKeyMetadata": key_metadata(self.keys, stored), "ReplicaPolicy": stored.policy,
                "ReplicaTags": tags}

    def update_primary_region(self, ctx, params: dict) -> dict:
        check_input("UpdatePrimaryRegion", params)
        region = params["PrimaryRegion"]
        record = self._multi_region_primary(ctx, params, "UpdatePrimaryRegion")
        if region == record.region:
            return {}
        if self.keys.get(record.account, region, record.key_id) is None:
            raise ValidationException(f"There is no replica of {record.arn} in {region}.")
        with self.db.transaction():
            for each in self.keys.replicas(record):
                self.keys.update(each, primary_region=region)
        return {}
