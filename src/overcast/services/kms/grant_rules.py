"""What a grant may contain and what it allows: the operations each kind of key supports in a
grant, which of them accept encryption-context constraints, and whether a grant lets a
principal perform an operation with an encryption context (``grant_allows``)."""

from __future__ import annotations

from overcast.services.kms.errors import ValidationException
from overcast.services.kms.key_specs import SPECS

_ALWAYS = ("CreateGrant", "RetireGrant", "DescribeKey")
# Operations a grant may name, per key kind (AWS's "Grant operations" table).
_SYMMETRIC = ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
              "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo")
_BY_USAGE = {
    "ENCRYPT_DECRYPT": ("Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"),
    "SIGN_VERIFY": ("Sign", "Verify", "GetPublicKey"),
    "GENERATE_VERIFY_MAC": ("GenerateMac", "VerifyMac"),
    "KEY_AGREEMENT": ("DeriveSharedSecret", "GetPublicKey"),
}
# Operations that take no encryption context: a grant with constraints cannot include them.
NO_CONTEXT = frozenset({"Sign", "Verify", "GetPublicKey", "GenerateMac", "VerifyMac", "DeriveSharedSecret"})


def allowed_operations(spec: str, usage: str) -> tuple[str, ...]:
    if spec == "SYMMETRIC_DEFAULT":
        return _SYMMETRIC + _ALWAYS
    return _BY_USAGE[usage] + _ALWAYS


def check_grant(spec: str, usage: str, operations: list[str], constraints: dict | None) -> None:
    if not operations:
        raise ValidationException("1 validation error detected: Value '[]' at 'operations' failed to satisfy "
                                  "constraint: Member must have length greater than or equal to 1")
    allowed = allowed_operations(spec, usage)
    refused = [op for op in operations if op not in allowed]
    if refused:
        kind = "symmetric encryption" if spec == "SYMMETRIC_DEFAULT" else (
            "HMAC" if SPECS[spec].kind == "hmac" else f"asymmetric {usage}")
        raise ValidationException(f"Grant operations {refused} are not valid for {kind} KMS keys.")
    if constraints and any(op in NO_CONTEXT for op in operations):
        raise ValidationException(
            "Grant constraints are not supported for grants with operations "
            f"{[op for op in operations if op in NO_CONTEXT]}.")


def constraints_hold(constraints: dict | None, context: dict | None) -> bool:
    """EncryptionContextEquals: the request's context is exactly that; EncryptionContextSubset:
    it contains at least those pairs (keys and values compared as given, case-sensitive)."""
    if not constraints:
        return True
    context = context or {}
    equals = constraints.get("EncryptionContextEquals")
    if equals is not None and context != equals:
        return False
    subset = constraints.get("EncryptionContextSubset")
    if subset is not None and any(context.get(key) != value for key, value in subset.items()):
        return False
    return True


def grantee_matches(grantee: str, principal_arn: str, role_arn: str | None) -> bool:
    """A grant to a role applies to its sessions; a grant to an account root to the root only."""
    return grantee == principal_arn or (role_arn is not None and grantee == role_arn)
