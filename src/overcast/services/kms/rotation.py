"""Key rotation: EnableKeyRotation (RotationPeriodInDays 90-2560, 365 by default),
DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, and automatic
rotation on the cloud clock. A rotation adds a material version; the old versions stay, so
ciphertexts made under them still decrypt. A multi-Region primary's new material reaches its
replicas."""

from __future__ import annotations

from overcast.services.kms.errors import LimitExceededException, UnsupportedOperationException
from overcast.services.kms.key_specs import generate_material
from overcast.services.kms.key_store import KeyRecord
from overcast.services.kms.markers import page
from overcast.services.kms.validation import check_input

DAY = 86400.0
ROTATE_TIMER = "kms.rotate_key"
DEFAULT_PERIOD = 365
MAX_ON_DEMAND = 25  # on-demand rotations per key (RotateKeyOnDemand's documentation)


class RotationOperations:
    """The rotation operations of the KMS provider."""

    def _register_timers(self) -> None:
        self.cloud.scheduler.on(ROTATE_TIMER, self._on_rotation_due)

    def _rotatable(self, ctx, params: dict, operation: str) -> KeyRecord:
        record = self.keys.locate(ctx, params["KeyId"])
        if record.origin == "EXTERNAL" and operation != "RotateKeyOnDemand":
            # AWS answers this before the key state (a PendingImport key gets it too).
            raise UnsupportedOperationException(
                f"{record.arn} origin is EXTERNAL which is not valid for this operation.")
        self.keys.check(ctx, record, operation)
        if record.spec != "SYMMETRIC_DEFAULT":
            # Observed from AWS: the error of rotating an asymmetric or HMAC key carries no message.
            raise UnsupportedOperationException("")
        if record.is_replica:
            raise UnsupportedOperationException(
                f"{record.arn} is a multi-Region replica key: rotate its primary key in {record.primary_region}.")
        return record

    def enable_key_rotation(self, ctx, params: dict) -> dict:
        check_input("EnableKeyRotation", params)
        record = self._rotatable(ctx, params, "EnableKeyRotation")
        period = params.get("RotationPeriodInDays", DEFAULT_PERIOD)
        due = self.clock.now() + period * DAY
        self._set_rotation(record, rotation_period=period, next_rotation=due)
        self.cloud.scheduler.schedule(due, ROTATE_TIMER, _timer_payload(record))
        return {}

    def _set_rotation(self, record: KeyRecord, **changes) -> None:
        """Rotation is a shared property of multi-Region keys: every region's record changes."""
        with self.db.transaction():
            for each in self.keys.replicas(record) if record.multi_region else [record]:
                self.keys.update(each, **changes)

    def disable_key_rotation(self, ctx, params: dict) -> dict:
        check_input("DisableKeyRotation", params)
        record = self._rotatable(ctx, params, "DisableKeyRotation")
        self._set_rotation(record, rotation_period=None, next_rotation=None)
        return {}

    def get_key_rotation_status(self, ctx, params: dict) -> dict:
        check_input("GetKeyRotationStatus", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="GetKeyRotationStatus")
        out = {"KeyId": record.key_id, "KeyRotationEnabled": record.rotation_period is not None}
        if record.rotation_period is not None:
            out["RotationPeriodInDays"] = record.rotation_period
            out["NextRotationDate"] = record.next_rotation
        return out

    def rotate_key_on_demand(self, ctx, params: dict) -> dict:
        check_input("RotateKeyOnDemand", params)
        record = self._rotatable(ctx, params, "RotateKeyOnDemand")
        done = sum(1 for version in self.keys.versions(record) if version[3] == "ON_DEMAND")
        if done >= MAX_ON_DEMAND:
            raise LimitExceededException(
                f"{record.arn} has reached the maximum of {MAX_ON_DEMAND} on-demand rotations.")
        if record.origin == "EXTERNAL":
            pending = [v for v in self.keys.versions(record) if v[0] > record.current_version]
            if not pending:
                raise UnsupportedOperationException(
                    f"{record.arn} has no imported key material in the PENDING_ROTATION state: import new "
                    "key material before rotating on demand.")
            with self.db.transaction():
                version = pending[0][0]
                self.keys.set_version_rotation(record, version, self.clock.now(), "ON_DEMAND")
                self.keys.update(record, current_version=version)
            return {"KeyId": record.key_id}
        self._rotate(record, "ON_DEMAND")
        return {"KeyId": record.key_id}

    def _rotate(self, record: KeyRecord, rotation_type: str) -> None:
        """New material for ``record`` and every replica of it, made current."""
        now = self.clock.now()
        raw = generate_material(record.spec)
        with self.db.transaction():
            version = self.keys.add_version(record, raw, now, rotation_type)
            if record.multi_region:
                for replica in self.keys.replicas(record):
                    if replica.region != record.region:
                        self.keys.copy_versions(record, replica)
                        self.keys.update(replica, current_version=version)

    def list_key_rotations(self, ctx, params: dict) -> dict:
        check_input("ListKeyRotations", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="ListKeyRotations")
        if record.spec != "SYMMETRIC_DEFAULT":
            raise UnsupportedOperationException(
                f"{record.arn} key spec is {record.spec}: only symmetric encryption KMS keys have rotations.")
        everything = params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
        entries = []
        for version, material_id, created, rotation_type in self.keys.versions(record):
            if rotation_type is None and not everything and version <= record.current_version:
                continue  # the original material is no rotation
            if version > record.current_version and not everything:
                continue  # imported, waiting for RotateKeyOnDemand
            entry = {"KeyId": record.key_id}
            if everything:
                entry["KeyMaterialId"] = material_id
                entry["KeyMaterialState"] = ("CURRENT" if version == record.current_version else
                                             "PENDING_ROTATION" if version > record.current_version else "NON_CURRENT")
                if record.origin == "EXTERNAL":
                    entry["ImportState"] = "IMPORTED"
            if rotation_type is not None and version <= record.current_version:
                entry["RotationDate"] = created
                entry["RotationType"] = rotation_type
            entries.append((f"{version:010d}", entry))
        items, next_marker = page(lambda after, limit: [e for e in entries if e[0] > after][:limit], params,
                                  key=lambda item: item[0])
        out = {"Rotations": [entry for _, entry in items], "Truncated": next_marker is not None}
        if next_marker is not None:
            out["NextMarker"] = next_marker
        return out

    def _on_rotation_due(self, payload: dict) -> None:
        record = self.keys.get(payload.get("account", ""), payload.get("region", ""), payload.get("key_id", ""))
        if record is None or record.rotation_period is None or record.next_rotation is None:
            return  # deleted, or rotation disabled meanwhile
        if record.next_rotation > self.clock.now():
            return  # re-enabled with another period: that timer rotates it
        if record.state != "Enabled":
            return  # a disabled key is rotated when it is enabled again (``rotate_if_overdue``)
        self._rotate(record, "AUTOMATIC")
        self._schedule_next_rotation(record)

    def _schedule_next_rotation(self, record: KeyRecord) -> None:
        due = self.clock.now() + record.rotation_period * DAY
        self._set_rotation(record, next_rotation=due)
        self.cloud.scheduler.schedule(due, ROTATE_TIMER, _timer_payload(record))

    def rotate_if_overdue(self, record: KeyRecord) -> None:
        """EnableKey: automatic rotation that fell due while the key was disabled happens now."""
        if record.rotation_period is not None and record.next_rotation is not None \
                and record.next_rotation <= self.clock.now():
            self._rotate(record, "AUTOMATIC")
            self._schedule_next_rotation(record)


def _timer_payload(record: KeyRecord) -> dict:
    return {"account": record.account, "region": record.region, "key_id": record.key_id}
