"""The KMS key a log group's data is encrypted with (CreateLogGroup, AssociateKmsKey).

As AWS does, Logs checks when the key is associated that the key exists, is enabled, and that
its key policy lets the Logs service principal (``logs.<region>.amazonaws.com``) use it with
the group's encryption context (``kms:EncryptionContext:aws:logs:arn``): the policy the
"Encrypt log data in CloudWatch Logs using AWS KMS" guide gives. A key with KMS's default
policy (the account alone) is refused, in AWS's words, as a missing key is. The key and its
policy are read through KMS's own operations (the in-process client)."""

from __future__ import annotations

from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, Principal, evaluate, parse_policy
from overcast.errors import AwsError
from overcast.services.logs.errors import AccessDeniedException


def key_refused(resource_arn: str) -> AwsError:
    return AccessDeniedException(
        f"The specified KMS key does not exist or is not allowed to be used with Arn '{resource_arn}'")


async def check_kms_key(ctx, key_id: str, resource_arn: str, now: float) -> None:
    """The key must exist in KMS, be enabled and let Logs use it for ``resource_arn``."""
    try:
        metadata = (await ctx.services.call("kms", "DescribeKey", {"KeyId": key_id})).get("KeyMetadata") or {}
        if metadata.get("KeyState") != "Enabled":
            raise key_refused(resource_arn)
        text = (await ctx.services.call("kms", "GetKeyPolicy", {"KeyId": metadata["Arn"],
                                                                "PolicyName": "default"})).get("Policy") or ""
        policy = parse_policy(text, "resource", metadata["Arn"])
    except (AwsError, PolicyDocumentError, ValueError, KeyError):
        raise key_refused(resource_arn) from None
    service = f"logs.{ctx.region}.amazonaws.com"
    request = AuthzRequest(Principal(arn=service, account="", kind="service", service=service),
                           "kms:GenerateDataKey", metadata["Arn"],
                           context={"kms:EncryptionContext:aws:logs:arn": resource_arn,
                                    "aws:SourceAccount": ctx.account},
                           resource_account=metadata.get("AWSAccountId") or ctx.account)
    if not evaluate(request, PolicySet(resource=policy), now=now).allowed:
        raise key_refused(resource_arn)
