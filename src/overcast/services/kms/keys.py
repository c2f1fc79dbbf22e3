"""Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription,
ScheduleKeyDeletion and CancelKeyDeletion (the deletion itself runs on the cloud clock)."""

from __future__ import annotations

from overcast.services.kms.crypto_errors import custom_key_store_not_found
from overcast.services.kms.default_policy import default_key_policy
from overcast.services.kms.errors import (
    KMSInvalidStateException,
    ValidationException,
    invalid_state,
)
from overcast.services.kms.key_specs import CHINA_ONLY_SPECS, SPECS, generate_material
from overcast.services.kms.key_store import KeyRecord, key_arn, new_key_id, own_alias_name
from overcast.services.kms.managed_keys import ensure_managed_key, predefined_alias_service
from overcast.services.kms.markers import page
from overcast.services.kms.metadata import key_metadata
from overcast.services.kms.policy_checks import check_new_policy
from overcast.services.kms.tag_rules import check_tags, tags_json
from overcast.services.kms.validation import check_input
from overcast.storage.scope import partition_of

DAY = 86400.0
DELETE_TIMER = "kms.delete_key"
# ScheduleKeyDeletion: 7 to 30 days, 30 when not given (the model allows 1-365: KMS narrows it).
MIN_WINDOW, MAX_WINDOW, DEFAULT_WINDOW = 7, 30, 30


class KeyOperations:
    """The key lifecycle operations of the KMS provider."""

    def _register_timers(self) -> None:
        self.cloud.scheduler.on(DELETE_TIMER, self._on_deletion_due)

    # -- CreateKey ----------------------------------------------------------------------------

    def create_key(self, ctx, params: dict) -> dict:
        check_input("CreateKey", params)
        spec, usage, origin = self._new_key_kind(ctx, params)
        policy = params.get("Policy")
        if policy is not None:
            check_new_policy(ctx, policy, params.get("BypassPolicyLockoutSafetyCheck", False))
        tags = check_tags(params.get("Tags") or [])
        multi_region = bool(params.get("MultiRegion", False))
        now = self.clock.now()
        record = KeyRecord(
            account=ctx.account, region=ctx.region, key_id=new_key_id(multi_region), spec=spec, usage=usage,
            origin=origin, manager="CUSTOMER", state="PendingImport" if origin == "EXTERNAL" else "Enabled",
            description=params.get("Description", ""), created=now, current_version=0,
            policy=policy if policy is not None else default_key_policy(ctx.account, ctx.region),
            tags=tags_json(tags), multi_region=multi_region,
            primary_region=ctx.region if multi_region else None, deletion_date=None, pending_window=None,
            state_before_deletion=None, valid_to=None, expiration_model=None, rotation_period=None,
            next_rotation=None)
        raw = generate_material(spec) if origin == "AWS_KMS" else None
        with self.db.transaction():
            self.keys.insert(record)
            if raw is not None:
                self.keys.add_version(record, raw, now, None)
        return {"KeyMetadata": key_metadata(self.keys, self.keys.get(ctx.account, ctx.region, record.key_id))}

    def _new_key_kind(self, ctx, params: dict) -> tuple[str, str, str]:
        """(KeySpec, KeyUsage, Origin) of a CreateKey request, checked as KMS checks them."""
        if params.get("KeySpec") and params.get("CustomerMasterKeySpec"):
            raise ValidationException(
                "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                "CustomerMasterKeySpec is deprecated.")
        spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        if spec in CHINA_ONLY_SPECS and partition_of(ctx.region) != "aws-cn":
            raise ValidationException(f"KeySpec {spec} is not supported in this region.")
        info = SPECS[spec]
        usage = params.get("KeyUsage")
        if usage is None:
            if spec != "SYMMETRIC_DEFAULT":
                raise ValidationException(
                    "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
            usage = "ENCRYPT_DECRYPT"
        if usage not in info.usages:
            # AWS's words (observed for SYMMETRIC_DEFAULT with SIGN_VERIFY); "or" between choices.
            raise ValidationException(
                f"The operation failed because the KeyUsage value of the CMK is {usage}. To perform this operation, "
                f"the KeyUsage value must be {' or '.join(info.usages)}.")
        origin = params.get("Origin", "AWS_KMS")
        if params.get("CustomKeyStoreId") is not None:
            raise custom_key_store_not_found()  # Overcast has no custom key stores: none can be found
        if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
            raise ValidationException(f"A custom key store ID is required when Origin is {origin}.")
        if params.get("XksKeyId") is not None:
            raise ValidationException("XksKeyId is only valid for KMS keys with Origin EXTERNAL_KEY_STORE.")
        return spec, usage, origin

    # -- reading ------------------------------------------------------------------------------

    def describe_key(self, ctx, params: dict) -> dict:
        check_input("DescribeKey", params)
        # DescribeKey of a predefined alias/aws/... alias creates its AWS managed key (as AWS does).
        service = predefined_alias_service(own_alias_name(ctx, params["KeyId"]))
        if service is not None:
            ensure_managed_key(self, ctx.account, ctx.region, service)
        record = self.keys.resolve(ctx, params["KeyId"], operation="DescribeKey")
        return {"KeyMetadata": key_metadata(self.keys, record)}

    def list_keys(self, ctx, params: dict) -> dict:
        check_input("ListKeys", params)
        rows, next_marker = page(
            lambda after, limit: self.keys.list_keys(ctx.account, ctx.region, after, limit),
            params, key=lambda row: row[0])
        out = {"Keys": [{"KeyId": key_id, "KeyArn": key_arn(ctx.region, ctx.account, key_id)} for key_id, _ in rows],
               "Truncated": next_marker is not None}
        if next_marker is not None:
            out["NextMarker"] = next_marker
        return out

    # -- state changes ------------------------------------------------------------------------

    def enable_key(self, ctx, params: dict) -> dict:
        check_input("EnableKey", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="EnableKey")
        if record.state == "PendingImport":
            raise invalid_state(record.arn, record.state)
        if record.state != "Enabled":
            record = self.keys.update(record, state="Enabled")
            self.rotate_if_overdue(record)
        return {}

    def disable_key(self, ctx, params: dict) -> dict:
        check_input("DisableKey", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="DisableKey")
        if record.state == "PendingImport":
            raise invalid_state(record.arn, record.state)
        if record.state != "Disabled":
            self.keys.update(record, state="Disabled")
        return {}

    def update_key_description(self, ctx, params: dict) -> dict:
        check_input("UpdateKeyDescription", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="UpdateKeyDescription")
        self.keys.update(record, description=params["Description"])
        return {}

    # -- deletion -----------------------------------------------------------------------------

    def schedule_key_deletion(self, ctx, params: dict) -> dict:
        check_input("ScheduleKeyDeletion", params)
        window = params.get("PendingWindowInDays", DEFAULT_WINDOW)
        if not MIN_WINDOW <= window <= MAX_WINDOW:
            raise ValidationException(f"PendingWindowInDays must be between {MIN_WINDOW} and {MAX_WINDOW}")
        record = self.keys.resolve(ctx, params["KeyId"], operation="ScheduleKeyDeletion")
        replicas = [r for r in self.keys.replicas(record) if r.region != record.region] \
            if record.multi_region and not record.is_replica else []
        if replicas:
            # A primary with replicas waits for them: PendingReplicaDeletion, no date yet.
            self.keys.update(record, state="PendingReplicaDeletion", pending_window=window,
                             state_before_deletion=record.state)
            return {"KeyId": record.arn, "KeyState": "PendingReplicaDeletion", "PendingWindowInDays": window}
        due = self.clock.now() + window * DAY
        record = self._schedule_deletion(record, window, due)
        return {"KeyId": record.arn, "DeletionDate": due, "KeyState": "PendingDeletion",
                "PendingWindowInDays": window}

    def _schedule_deletion(self, record: KeyRecord, window: int, due: float) -> KeyRecord:
        before = record.state_before_deletion if record.state == "PendingReplicaDeletion" else record.state
        record = self.keys.update(record, state="PendingDeletion", deletion_date=due, pending_window=window,
                                  state_before_deletion=before)
        self.cloud.scheduler.schedule(due, DELETE_TIMER,
                                      {"account": record.account, "region": record.region, "key_id": record.key_id})
        return record

    def cancel_key_deletion(self, ctx, params: dict) -> dict:
        check_input("CancelKeyDeletion", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="CancelKeyDeletion")
        if record.state not in ("PendingDeletion", "PendingReplicaDeletion"):
            raise KMSInvalidStateException(f"{record.arn} is not pending deletion.")
        # AWS leaves a cancelled key Disabled (PendingImport for imported keys without material).
        state = "PendingImport" if record.origin == "EXTERNAL" and record.current_version == 0 else "Disabled"
        self.keys.update(record, state=state, deletion_date=None, pending_window=None, state_before_deletion=None)
        return {"KeyId": record.arn}

    def _on_deletion_due(self, payload: dict) -> None:
        record = self.keys.get(payload.get("account", ""), payload.get("region", ""), payload.get("key_id", ""))
        if record is None or record.state != "PendingDeletion" or record.deletion_date is None:
            return  # cancelled, or already gone
        if record.deletion_date > self.clock.now():
            return  # rescheduled later: that timer deletes it
        self.keys.delete(record)
        if record.is_replica:
            self._replica_deleted(record)

    def _replica_deleted(self, replica: KeyRecord) -> None:
        """The primary waiting in PendingReplicaDeletion starts its own window once its last
        replica is gone."""
        primary = self.keys.get(replica.account, replica.primary_region, replica.key_id)
        if primary is None or primary.state != "PendingReplicaDeletion":
            return
        if any(r.region != primary.region for r in self.keys.replicas(primary)):
            return
        self._schedule_deletion(primary, primary.pending_window or DEFAULT_WINDOW,
                                self.clock.now() + (primary.pending_window or DEFAULT_WINDOW) * DAY)
