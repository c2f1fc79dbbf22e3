"""The customer managed KMS key a bus (or an archive) encrypts events with: as AWS does, the key
is looked up with kms:DescribeKey when it is set and must be an enabled symmetric encryption
key of KMS (read through KMS's own operation, the in-process client). The identifier is kept as
the caller gave it (a key ID, key ARN, alias name or alias ARN), as DescribeEventBus answers it."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.events.errors import ValidationException


async def check_kms_key(ctx, key_id: str | None) -> None:
    if not key_id:
        return
    try:
        metadata = (await ctx.services.call("kms", "DescribeKey", {"KeyId": key_id})).get("KeyMetadata") or {}
    except AwsError:
        metadata = {}
    if (metadata.get("KeyState") != "Enabled" or metadata.get("KeySpec") != "SYMMETRIC_DEFAULT"
            or metadata.get("KeyUsage") != "ENCRYPT_DECRYPT"):
        raise ValidationException(f"Invalid KmsKeyIdentifier: {key_id} is not an enabled symmetric KMS key.")
