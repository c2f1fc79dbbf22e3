"""Policy documents IAM accepts: parsed by the policy engine, sized as IAM counts them.

IAM's size quotas count characters without whitespace
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
user inline policies 2,048 in total, role inline 10,240, group inline 5,120, managed policy 6,144,
role trust policy 2,048 (the default quota, raisable to 4,096).
"""

from __future__ import annotations

from overcast.services.iam.errors import malformed_policy, quota

MANAGED_POLICY_SIZE = 6_144
TRUST_POLICY_SIZE = 2_048
INLINE_SIZE = {"user": 2_048, "role": 10_240, "group": 5_120}


def policy_size(text: str) -> int:
    """Characters of ``text`` that are not whitespace (how IAM sizes a document)."""
    return sum(1 for ch in text if not ch.isspace())


def parse(text: str, kind: str, source: str = ""):
    """The engine's ``Policy`` for ``text``; ``MalformedPolicyDocument`` with AWS's message if bad.

    kind: identity (inline permissions policies), managed (managed policy versions),
    trust (AssumeRolePolicyDocument), boundary, resource.
    """
    from overcast.auth.policy import PolicyDocumentError, parse_policy

    try:
        return parse_policy(text, kind, source)
    except PolicyDocumentError as error:
        raise malformed_policy(error.message) from None


def check_managed(text: str) -> None:
    """A managed policy document (kind "managed": IAM also requires Version 2012-10-17 there)."""
    parse(text, "managed")
    if policy_size(text) > MANAGED_POLICY_SIZE:
        raise quota("PolicySize", MANAGED_POLICY_SIZE)


def check_trust(text: str) -> None:
    parse(text, "trust")
    if policy_size(text) > TRUST_POLICY_SIZE:
        raise quota("ACLSizePerRole", TRUST_POLICY_SIZE)
