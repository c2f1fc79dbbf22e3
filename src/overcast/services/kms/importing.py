"""Imported key material (keys created with Origin EXTERNAL): GetParametersForImport (an RSA
wrapping key and an import token valid 24 hours), ImportKeyMaterial (the material unwrapped for
real, ValidTo/ExpirationModel, expiry on the cloud clock), DeleteImportedKeyMaterial (back to
PendingImport)."""

from __future__ import annotations

import secrets

from overcast.services.kms.errors import (
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidImportTokenException,
    UnsupportedOperationException,
    ValidationException,
)
from overcast.services.kms.import_material import (
    BadMaterial,
    check_material,
    imported_material_id,
    new_wrapping_key,
    unwrap,
)
from overcast.services.kms.key_specs import SPECS
from overcast.services.kms.key_store import KeyRecord
from overcast.services.kms.validation import check_input
from overcast.storage.scope import partition_of

DAY = 86400.0
TOKEN_LIFETIME = 1 * DAY  # GetParametersForImport: "valid for 24 hours"
MAX_VALID_TO = 365 * DAY  # ImportKeyMaterial ValidTo: at most 365 days from the request
EXPIRY_TIMER = "kms.material_expires"
_TOKEN_PREFIX = b"overcast-kms-import:"


class ImportOperations:
    """The import operations of the KMS provider."""

    def _register_timers(self) -> None:
        self.cloud.scheduler.on(EXPIRY_TIMER, self._on_material_expired)

    def _external(self, ctx, params: dict, operation: str) -> KeyRecord:
        record = self.keys.resolve(ctx, params["KeyId"], operation=operation)
        if record.origin != "EXTERNAL":
            raise UnsupportedOperationException(
                f"{record.arn} origin is {record.origin} which is not valid for this operation.")
        return record

    def get_parameters_for_import(self, ctx, params: dict) -> dict:
        check_input("GetParametersForImport", params)
        algorithm, wrapping_spec = params["WrappingAlgorithm"], params["WrappingKeySpec"]
        china = partition_of(ctx.region) == "aws-cn"
        if (wrapping_spec == "SM2" or algorithm == "SM2PKE") and not china:
            raise ValidationException("SM2 wrapping keys are only available in China Regions.")
        if algorithm == "RSAES_PKCS1_V1_5":
            raise ValidationException("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.")
        record = self._external(ctx, params, "GetParametersForImport")
        if SPECS[record.spec].kind == "rsa" and algorithm.startswith("RSAES_OAEP_"):
            # An RSA private key does not fit in one RSA-OAEP block: it needs the two-step wrap.
            raise ValidationException(
                f"{algorithm} cannot wrap key material of key spec {record.spec}: use RSA_AES_KEY_WRAP_SHA_1 "
                "or RSA_AES_KEY_WRAP_SHA_256.")
        private, public = new_wrapping_key(wrapping_spec)
        token_id = secrets.token_hex(32)
        valid_to = self.clock.now() + TOKEN_LIFETIME
        self.db.execute(
            "INSERT INTO import_tokens (token_id, account, region, key_id, algorithm, wrapping_spec, sealed_private, "
            "expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (token_id, record.account, record.region, record.key_id, algorithm, wrapping_spec,
             self.keys.sealer.seal(private, f"import/{token_id}"), valid_to))
        return {"KeyId": record.arn, "ImportToken": _TOKEN_PREFIX + token_id.encode(), "PublicKey": public,
                "ParametersValidTo": valid_to}

    def import_key_material(self, ctx, params: dict) -> dict:
        check_input("ImportKeyMaterial", params)
        model = params.get("ExpirationModel", "KEY_MATERIAL_EXPIRES")
        valid_to = params.get("ValidTo")
        if model == "KEY_MATERIAL_EXPIRES" and valid_to is None:
            raise ValidationException("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
        if model == "KEY_MATERIAL_DOES_NOT_EXPIRE" and valid_to is not None:
            raise ValidationException("A validTo date is only valid if the ExpirationModel is KEY_MATERIAL_EXPIRES")
        record = self._external(ctx, params, "ImportKeyMaterial")
        now = self.clock.now()
        if valid_to is not None:
            valid_to = valid_to.timestamp() if hasattr(valid_to, "timestamp") else float(valid_to)
            if not now < valid_to <= now + MAX_VALID_TO:
                raise ValidationException("ValidTo must be a future date no more than 365 days from now.")
        raw = self._unwrap_import(record, params)
        material_id = imported_material_id(record.key_id, raw)
        versions = self.keys.versions(record)
        import_type = params.get("ImportType") or ("EXISTING_KEY_MATERIAL" if versions else "NEW_KEY_MATERIAL")
        if params.get("KeyMaterialId") is not None and params["KeyMaterialId"] != material_id:
            raise IncorrectKeyMaterialException("The key material ID does not match the imported key material.")
        known = [v for v in versions if v[1] == material_id]
        with self.db.transaction():
            if import_type == "EXISTING_KEY_MATERIAL" or known:
                if not known and (versions or record.current_version):
                    raise IncorrectKeyMaterialException(
                        "The key material does not match the key material previously imported into this KMS key.")
                if not known:
                    version = self.keys.add_version(record, raw, now, None, material_id=material_id)
                else:
                    version = known[0][0]
                    self.keys.restore_version(record, version, raw)
                    if record.current_version == 0:
                        # Every version was dropped together: the newest one is current again.
                        self.keys.update(record, current_version=max(v[0] for v in versions))
            elif versions and record.current_version:
                if record.spec != "SYMMETRIC_DEFAULT":
                    raise IncorrectKeyMaterialException(
                        "Only symmetric encryption KMS keys can take new key material after the first import.")
                # New material for an on-demand rotation: PENDING_ROTATION until RotateKeyOnDemand.
                version = self.keys.add_version(record, raw, now, None, material_id=material_id, current=False)
            else:
                version = self.keys.add_version(record, raw, now, None, material_id=material_id)
            state = "Enabled" if record.state == "PendingImport" else record.state
            self.keys.update(record, state=state, valid_to=valid_to, expiration_model=model)
            self.db.execute("DELETE FROM import_tokens WHERE token_id = ?", (self._token_id(params),))
        if valid_to is not None:
            self.cloud.scheduler.schedule(valid_to, EXPIRY_TIMER, {"account": record.account, "region": record.region,
                                                                   "key_id": record.key_id, "valid_to": valid_to})
        return {"KeyId": record.arn, "KeyMaterialId": material_id}

    @staticmethod
    def _token_id(params: dict) -> str:
        token = params["ImportToken"]
        if not token.startswith(_TOKEN_PREFIX):
            raise InvalidImportTokenException("Import token is invalid.")
        return token[len(_TOKEN_PREFIX):].decode("ascii", "replace")

    def _unwrap_import(self, record: KeyRecord, params: dict) -> bytes:
        token_id = self._token_id(params)
        row = self.db.query_one("SELECT account, region, key_id, algorithm, sealed_private, expires FROM import_tokens "
                                "WHERE token_id = ?", (token_id,))
        if row is None or tuple(row[:3]) != (record.account, record.region, record.key_id):
            raise InvalidImportTokenException("Import token is invalid.")
        if row[5] <= self.clock.now():
            raise ExpiredImportTokenException("Import token has expired.")
        private = self.keys.sealer.open(bytes(row[4]), f"import/{token_id}")
        try:
            return check_material(record.spec, unwrap(private, row[3], bytes(params["EncryptedKeyMaterial"])))
        except BadMaterial:
            raise IncorrectKeyMaterialException(
                "The key material is not valid: it does not decrypt with the import parameters, or it is not "
                f"key material for a {record.spec} KMS key.") from None

    def delete_imported_key_material(self, ctx, params: dict) -> dict:
        check_input("DeleteImportedKeyMaterial", params)
        record = self._external(ctx, params, "DeleteImportedKeyMaterial")
        material_id = self.keys.material_id(record)
        self._drop_imported(record)
        out = {"KeyId": record.arn}
        if material_id:
            out["KeyMaterialId"] = material_id
        return out

    def _drop_imported(self, record: KeyRecord) -> None:
        """The material goes; the key waits for a re-import of the same material (the versions'
        material ids stay, so a re-import of other material is refused)."""
        with self.db.transaction():
            self.keys.forget_material(record)
            state = record.state if record.state in ("PendingDeletion", "PendingReplicaDeletion") else "PendingImport"
            self.keys.update(record, state=state, current_version=0, valid_to=None, expiration_model=None)

    def _on_material_expired(self, payload: dict) -> None:
        record = self.keys.get(payload.get("account", ""), payload.get("region", ""), payload.get("key_id", ""))
        if record is None or record.valid_to is None or record.valid_to != payload.get("valid_to"):
            return  # deleted, re-imported with another date, or material already gone
        self._drop_imported(record)
