"""The Principal / NotPrincipal element: its shape, IAM's checks, and matching it against
the caller.

A match has a strength, which the evaluation needs (AWS treats them differently):
"any" ("*"), "direct" (the user, the session, the service itself), "role" (the role behind
an assumed-role session), "account" (the account id or its ``:root`` ARN: a delegation to
the account's own identity policies, not a grant to the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.canonical_users import canonical_id

_PARTITION = r"aws(?:-[a-z]+(?:-[a-z])?)?"
_ACCOUNT_ID = re.compile(r"\d{12}")
_AWS_ARN = re.compile(
    rf"arn:{_PARTITION}:(?:iam::(?P<iam>\d{{12}}):(?:root|user/.+|role/.+)"
    rf"|sts::(?P<sts>\d{{12}}):(?:assumed-role/[^/]+/.+|federated-user/.+))"
)
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{3}[A-Z0-9]{12,}")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*\.(?:amazonaws\.com(?:\.cn)?|amazon\.com|aws\.internal)")
_FEDERATED_ARN = re.compile(rf"arn:{_PARTITION}:iam::\d{{12}}:(?:saml-provider|oidc-provider)/.+")
_CANONICAL = re.compile(r"[0-9a-f]{64}")
TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_ERROR_TYPE = {"AWS": "AWS", "Service": "SERVICE", "Federated": "FEDERATED",
               "CanonicalUser": "CANONICAL_USER"}


@dataclass(frozen=True)
class PrincipalSpec:
    """``"*"`` -> wildcard; ``{"AWS": [...], "Service": ...}`` -> values per type."""

    wildcard: bool = False
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def of(self, kind: str) -> tuple[str, ...]:
        for name, items in self.values:
            if name == kind:
                return items
        return ()


def well_formed(value) -> bool:
    """The JSON shape IAM's syntax check accepts (contents are checked separately)."""
    if isinstance(value, str):
        return True
    if not isinstance(value, dict) or not value:
        return False
    for items in value.values():
        if isinstance(items, str):
            continue
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            return False
    return True


def spec(value) -> PrincipalSpec:
    """Normalise a (well-formed) Principal element."""
    if isinstance(value, str):
        return PrincipalSpec(wildcard=value == "*")
    return PrincipalSpec(values=tuple(
        (name, tuple(items if isinstance(items, list) else [items]))
        for name, items in value.items()
    ))


def _valid(kind: str, value: str, policy_kind: str = "trust") -> bool:
    if kind == "AWS" and policy_kind == "resource":
        # Resource policies also name IAM's special users (CloudFront origin access
        # identities: "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2...").
        if re.fullmatch(rf"arn:{_PARTITION}:iam::[^:]+:.+", value):
            return True
    if kind == "AWS":
        return (value == "*" or bool(_ACCOUNT_ID.fullmatch(value)) or bool(_AWS_ARN.fullmatch(value))
                or bool(_UNIQUE_ID.fullmatch(value)))
    if kind == "Service":
        return value == "*" or bool(_SERVICE.fullmatch(value))
    if kind == "Federated":
        return bool(_FEDERATED_ARN.fullmatch(value)) or bool(
            re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/.*)?", value))
    if kind == "CanonicalUser":
        return bool(_CANONICAL.fullmatch(value))
    return False


def validation_error(value, policy_kind: str) -> str | None:
    """IAM's message for a principal it refuses (trust policies name the offending value;
    resource policies, answered by S3/SQS, get the short text)."""
    if isinstance(value, str):
        return None if value == "*" else "Invalid principal in policy"
    for kind, items in value.items():
        for item in items if isinstance(items, list) else [items]:
            if kind not in TYPES:
                return "Invalid principal in policy"
            if not _valid(kind, item, policy_kind):
                if policy_kind == "trust":
                    return f'Invalid principal in policy: "{_ERROR_TYPE[kind]}":"{item}"'
                return "Invalid principal in policy"
    return None


_STRENGTH = {"any": 4, "direct": 3, "role": 2, "account": 1}


def match(principal_spec: PrincipalSpec, principal) -> str | None:
    """How ``principal`` (a model.Principal) is named by the element, or None."""
    if principal_spec.wildcard:
        return "any"
    best = None
    for kind, items in principal_spec.values:
        for item in items:
            found = _match_one(kind, item, principal)
            if found and (best is None or _STRENGTH[found] > _STRENGTH[best]):
                best = found
    return best


def _match_one(kind: str, value: str, principal) -> str | None:
    if kind == "AWS":
        return _match_aws(value, principal)
    if kind == "Service":
        if principal.kind == "service" and (value == "*" or value.lower() == (principal.service or "").lower()):
            return "direct"
        return None
    if kind == "Federated":
        if principal.kind in ("web-identity", "federated-user", "saml") and value in (
            principal.service, principal.arn
        ):
            return "direct"
        return None
    if kind == "CanonicalUser":
        # an account's canonical id (what S3 shows as owner) names that account's root
        if value == principal.user_id:
            return "direct"
        return "account" if principal.account and value == canonical_id(principal.account) else None
    return None


def _match_aws(value: str, principal) -> str | None:
    if value == "*":
        return "any"
    if principal.kind in ("anonymous", "service"):
        return None
    if _ACCOUNT_ID.fullmatch(value):
        return "account" if value == principal.account else None
    if value.endswith(":root") and value.startswith("arn:"):
        if value.split(":")[4] != principal.account:
            return None
        return "direct" if principal.kind == "root" else "account"
    if value == principal.arn:
        return "direct"
    if principal.role_arn and value == principal.role_arn:
        return "role"
    if _UNIQUE_ID.fullmatch(value) and principal.user_id:
        if value == principal.user_id:
            return "direct"
        if principal.user_id.split(":")[0] == value:
            return "role"
    return None
