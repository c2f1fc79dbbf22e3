"""Which key states each operation accepts, after AWS's key state table: cryptographic
operations need an Enabled key (DisabledException for a Disabled one, KMSInvalidStateException
naming the state otherwise); reading a key works in every state; changing one is refused while
it is pending deletion."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.kms.errors import DisabledException, invalid_state

# Operations that read or clean up a key: any state.
ANY_STATE = frozenset({
    "DescribeKey", "GetKeyPolicy", "ListKeyPolicies", "PutKeyPolicy", "ListGrants", "ListRetirableGrants",
    "RetireGrant", "RevokeGrant", "ListResourceTags", "ListAliases", "DeleteAlias", "GetKeyRotationStatus",
    "ListKeyRotations", "CancelKeyDeletion", "DeleteImportedKeyMaterial",
})
# Operations that change a key: refused while it is being deleted.
_DELETING = frozenset({"PendingDeletion", "PendingReplicaDeletion"})
MANAGEMENT = frozenset({
    "EnableKey", "DisableKey", "UpdateKeyDescription", "TagResource", "UntagResource", "CreateAlias",
    "UpdateAlias", "ScheduleKeyDeletion", "ReplicateKey", "UpdatePrimaryRegion", "GetParametersForImport",
    "ImportKeyMaterial",
})
# Every other operation (the cryptographic ones, CreateGrant, and rotation, which needs usable
# material) takes an Enabled key only.


# Operations the model documents with "Cross-account use: No": another account's key ARN is not
# looked up (NotFoundException); every other operation takes one.
SAME_ACCOUNT_ONLY = frozenset({
    "CancelKeyDeletion", "CreateAlias", "DeleteAlias", "DeleteImportedKeyMaterial", "DisableKey",
    "DisableKeyRotation", "EnableKey", "EnableKeyRotation", "GetKeyPolicy", "GetParametersForImport",
    "ImportKeyMaterial", "ListAliases", "ListKeyPolicies", "ListKeyRotations", "ListResourceTags",
    "ListRetirableGrants", "PutKeyPolicy", "ReplicateKey", "RotateKeyOnDemand", "ScheduleKeyDeletion",
    "TagResource", "UntagResource", "UpdateAlias", "UpdateKeyDescription", "UpdatePrimaryRegion",
})


# What the policy AWS writes on its managed keys lets an account do itself (Describe*, Get*,
# List*); everything else but use through the owning service is denied, even to the root.
_MANAGED_KEY_DENIED = MANAGEMENT | frozenset({
    "EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand", "PutKeyPolicy", "RetireGrant", "RevokeGrant",
    "CancelKeyDeletion", "DeleteImportedKeyMaterial",
})


def check_aws_managed(ctx, arn: str, operation: str) -> None:
    """AWS managed keys: the denial AWS answers for what their key policy does not allow."""
    if operation in _MANAGED_KEY_DENIED:
        caller = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
        action = f"kms:{operation}"
        raise AwsError("AccessDeniedException", f"User: {caller} is not authorized to perform: {action} on resource: "
                       f"{arn} because no resource-based policy allows the {action} action", 400)


def check_state(arn: str, state: str, operation: str) -> None:
    """Raise AWS's error when a key in ``state`` cannot serve ``operation``."""
    if state == "Enabled" or operation in ANY_STATE:
        return
    if operation in MANAGEMENT:
        if state in _DELETING:
            raise invalid_state(arn, state)
        return
    if state == "Disabled":
        raise DisabledException(f"{arn} is disabled.")
    raise invalid_state(arn, state)
