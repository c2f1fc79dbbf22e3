"""GetEncryptionConfig / PutEncryptionConfig. Every account starts with ``Type: NONE``
(X-Ray's default encryption); ``KMS`` takes a key id, alias or ARN, answered as a key or alias
ARN. A change answers ``Status: UPDATING`` and reads back ``ACTIVE`` (X-Ray re-encrypts in
the background; Overcast has nothing to re-encrypt)."""

from __future__ import annotations

from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.validation import check_input


def _key_arn(region: str, account: str, key_id: str) -> str:
    if key_id.startswith("arn:"):
        return key_id
    if key_id.startswith("alias/"):
        return f"arn:aws:kms:{region}:{account}:{key_id}"
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


class EncryptionOperations:
    def get_encryption_config(self, ctx, params: dict) -> dict:
        row = self.db.query_one("SELECT type, key_id FROM encryption_config WHERE account = ? AND region = ?",
                                (ctx.account, ctx.region))
        config = {"Status": "ACTIVE", "Type": row[0] if row else "NONE"}
        if row and row[1]:
            config["KeyId"] = row[1]
        return {"EncryptionConfig": config}

    def put_encryption_config(self, ctx, params: dict) -> dict:
        check_input("PutEncryptionConfig", params)
        kind, key_id = params["Type"], params.get("KeyId")
        if kind == "NONE" and key_id:
            raise InvalidRequest(message="KeyId must not be set when Type is NONE")
        if kind == "KMS" and not key_id:
            raise InvalidRequest(message="KeyId is required when Type is KMS")
        key_arn = _key_arn(ctx.region, ctx.account, key_id) if kind == "KMS" else None
        self.db.execute(
            "INSERT INTO encryption_config (account, region, type, key_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account, region) DO UPDATE SET type = excluded.type, key_id = excluded.key_id",
            (ctx.account, ctx.region, kind, key_arn))
        config = {"Status": "UPDATING", "Type": kind}
        if key_arn:
            config["KeyId"] = key_arn
        return {"EncryptionConfig": config}
