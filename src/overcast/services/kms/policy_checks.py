"""Checks of a key policy KMS makes before it stores one (CreateKey, PutKeyPolicy,
ReplicateKey): a readable policy document, every statement with a principal, and the policy
lockout safety check — the caller must still be able to PutKeyPolicy under the new policy,
unless BypassPolicyLockoutSafetyCheck is true."""

from __future__ import annotations

from overcast.auth.authorization.principals import principal_kind
from overcast.auth.policy import AuthzRequest, Policy, PolicyDocumentError, Principal, parse_policy
from overcast.auth.policy.evaluate import principal_strength, statement_applies
from overcast.services.kms.errors import LimitExceededException, MalformedPolicyDocumentException

LOCKOUT = "The new key policy will not allow you to update the key policy in the future."
# AWS quota "Key policy document size": 32 KB; beyond it KMS answers LimitExceededException.
MAX_POLICY_BYTES = 32768


def parse_key_policy(text: str) -> Policy:
    """The policy document, or AWS's MalformedPolicyDocumentException."""
    try:
        policy = parse_policy(text, "resource", "key policy")
    except PolicyDocumentError as exc:
        raise MalformedPolicyDocumentException(exc.message) from None
    for statement in policy.statements:
        if statement.principal is None and statement.not_principal is None:
            raise MalformedPolicyDocumentException("Policy contains a statement with no principal.")
    return policy


def check_new_policy(ctx, text: str, bypass_lockout_check: bool) -> Policy:
    """Validate a policy about to be stored for a key of the caller's."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise LimitExceededException(f"The key policy exceeds the maximum size of {MAX_POLICY_BYTES} bytes.")
    policy = parse_key_policy(text)
    if not bypass_lockout_check and not _lets_caller_update(policy, ctx):
        raise MalformedPolicyDocumentException(LOCKOUT)
    return policy


def _lets_caller_update(policy: Policy, ctx) -> bool:
    """The caller (or, by delegation, its account root) is allowed kms:PutKeyPolicy and not denied."""
    arn = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
    callers = [Principal(arn, ctx.account, principal_kind(arn))]
    if not arn.endswith(":root"):
        root = f"arn:aws:iam::{ctx.account}:root"
        callers.append(Principal(root, ctx.account, "root"))
    allowed = False
    for principal in callers:
        request = AuthzRequest(principal, "kms:PutKeyPolicy", "*", absent_keys_favour_caller=True)
        for statement in policy.statements:
            if principal_strength(statement, principal) is None:
                continue
            if not statement_applies(statement, request, {}, False):
                continue
            if statement.effect == "Deny" and principal is callers[0]:
                return False
            if statement.effect == "Allow":
                allowed = True
    return allowed
