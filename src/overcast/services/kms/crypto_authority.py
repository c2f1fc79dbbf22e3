"""What the cryptographic operations add to KMS's side of authorization (``authority.py``).

Decrypt may name no key: a symmetric ciphertext names its own, so the key to authorize comes
out of the blob (``CiphertextKeyArn``), as AWS authorizes kms:Decrypt on the key that made the
ciphertext. ReEncrypt is kms:ReEncryptFrom on its source key (``SourceKeyArn``: SourceKeyId or
the blob's key) and kms:ReEncryptTo on its destination, with kms:ReEncryptOnSameKey. Defaults
the request leaves out are the values AWS's condition keys see (kms:EncryptionAlgorithm is
SYMMETRIC_DEFAULT, kms:MessageType is RAW).

A mixin placed before ``KmsAuthority`` in the provider's bases: it extends that class's
``authorization_values``.
"""

from __future__ import annotations

from overcast.services.kms import ciphertext
from overcast.services.kms.key_store import key_arn


class CryptoAuthority:
    def authorization_values(self, ctx, params: dict) -> dict:
        out = super().authorization_values(ctx, params)
        operation = ctx.operation
        if operation == "Decrypt":
            out["CiphertextKeyArn"] = out.get("KeyArn") or self._blob_key_arn(ctx, params)
        elif operation == "ReEncrypt":
            source = params.get("SourceKeyId")
            out["SourceKeyArn"] = self._key_arn_of(ctx, source) if source is not None else self._blob_key_arn(ctx, params)
            out["ReEncryptOnSameKey"] = "true" if out["SourceKeyArn"] == out.get("DestinationKeyArn") else "false"
            out["EffectiveSourceEncryptionAlgorithm"] = params.get("SourceEncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
            out["EffectiveDestinationEncryptionAlgorithm"] = (params.get("DestinationEncryptionAlgorithm")
                                                              or "SYMMETRIC_DEFAULT")
        out["EffectiveEncryptionAlgorithm"] = params.get("EncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
        out["EffectiveMessageType"] = params.get("MessageType") or "RAW"
        return out

    @staticmethod
    def _blob_key_arn(ctx, params: dict) -> str | None:
        """The key ARN a symmetric blob names, in the caller's Region; None when the blob is not
        one (the table then checks "*" and the operation answers InvalidCiphertextException)."""
        named = ciphertext.named_key(params.get("CiphertextBlob"))
        return key_arn(ctx.region, *named) if named else None
