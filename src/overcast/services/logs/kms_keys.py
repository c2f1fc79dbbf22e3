"""The KMS key a log group's data is encrypted with (CreateLogGroup, AssociateKmsKey): Logs
checks the key exists and is usable when it is associated, through KMS's own DescribeKey
(the in-process client), and refuses it in AWS's words otherwise."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.logs.errors import AccessDeniedException


def key_refused(resource_arn: str) -> AwsError:
    return AccessDeniedException(
        f"The specified KMS key does not exist or is not allowed to be used with Arn '{resource_arn}'")


async def check_kms_key(ctx, key_id: str, resource_arn: str) -> None:
    """The key must exist in KMS and be enabled (``resource_arn``: what it is associated with)."""
    try:
        answer = await ctx.services.call("kms", "DescribeKey", {"KeyId": key_id})
    except AwsError:
        raise key_refused(resource_arn) from None
    if (answer.get("KeyMetadata") or {}).get("KeyState") != "Enabled":
        raise key_refused(resource_arn)
