"""The decision, following the IAM User Guide's "Policy evaluation logic" pages:

1. An explicit Deny in any applicable policy (identity, resource, boundary, session) decides.
2. Same account: a resource policy that names the caller itself (user, session, "*") allows
   on its own; one that names the role behind a session allows only within the session's
   permissions boundary and session policy; one that names the account (id or ``:root``) only
   delegates to the account's identity policies. Otherwise identity policies must allow, and
   the boundary and session policies, when present, must allow too (intersection).
3. Cross-account: the caller's side (identity ∩ boundary ∩ session) AND the resource policy
   (naming the caller, its role or its account) must both allow.

The account root is not limited by identity policies: in its own account it may do anything
not explicitly denied, and across accounts it counts as allowed on its own side.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from overcast.auth.policy import principals as principal_rules
from overcast.auth.policy.conditions import conditions_match
from overcast.auth.policy.document import Policy, Statement
from overcast.auth.policy.matching import action_matches, resource_matches
from overcast.auth.policy.model import AuthzRequest, Decision, MatchedStatement, PolicySet

# Callers with no identity policies of their own: a service, an anonymous caller, a federated
# identity asking to assume a role (AssumeRoleWithWebIdentity / WithSAML). Only the resource
# (trust) policy can let them in.
_RESOURCE_POLICY_ONLY = ("service", "anonymous", "web-identity", "saml")
_PRINCIPAL_TYPES = {
    "root": "Account", "user": "User", "assumed-role": "AssumedRole",
    "federated-user": "FederatedUser", "anonymous": "Anonymous",
}


def request_context(request: AuthzRequest, now: float | None = None) -> dict:
    """The request context with lower-cased keys, completed with the time keys and the
    principal keys the caller did not supply."""
    context = {str(key).lower(): value for key, value in (request.context or {}).items()}
    moment = time.time() if now is None else now
    principal = request.principal
    defaults = {
        "aws:currenttime": datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:epochtime": str(int(moment)),
    }
    if principal.kind not in _RESOURCE_POLICY_ONLY:
        defaults["aws:principalaccount"] = principal.account
        defaults["aws:principalarn"] = principal.role_arn or principal.arn
        if principal.user_id:
            defaults["aws:userid"] = principal.user_id
        if principal.username:
            defaults["aws:username"] = principal.username
        for key, value in (principal.tags or {}).items():
            defaults[f"aws:principaltag/{key}".lower()] = value
    if principal.kind in _PRINCIPAL_TYPES:
        defaults["aws:principaltype"] = _PRINCIPAL_TYPES[principal.kind]
    if principal.kind == "service" and principal.service:
        defaults["aws:principalservicename"] = principal.service
    for key, value in defaults.items():
        context.setdefault(key, value)
    return context


def statement_applies(statement: Statement, request: AuthzRequest, context: dict,
                      variables: bool) -> bool:
    """Action, resource and conditions match (principals are the caller's business)."""
    if statement.actions is not None:
        if not any(action_matches(pattern, request.action) for pattern in statement.actions):
            return False
    elif statement.not_actions is not None:
        if any(action_matches(pattern, request.action) for pattern in statement.not_actions):
            return False
    if statement.resources is not None:
        if not any(resource_matches(p, request.resource, context, variables) for p in statement.resources):
            return False
    elif statement.not_resources is not None:
        if any(resource_matches(p, request.resource, context, variables) for p in statement.not_resources):
            return False
    absent_as = (statement.effect == "Allow") if request.absent_keys_favour_caller else None
    return conditions_match(statement.conditions, context, variables, absent_as)


def principal_strength(statement: Statement, principal) -> str | None:
    """How a resource/trust statement names the caller: any | direct | role | account | None.

    NotPrincipal applies to everyone it does not name directly (naming a role does not
    exclude its sessions; list the session ARN too, as the NotPrincipal page says)."""
    if statement.principal is not None:
        return principal_rules.match(statement.principal, principal)
    if statement.not_principal is not None:
        excluded = principal_rules.match(statement.not_principal, principal)
        return None if excluded in ("any", "direct") else "any"
    return "any"  # identity-style statement in a resource slot: applies to the caller


class _Scan:
    """Matching statements of one policy type."""

    def __init__(self):
        self.allow = False
        self.deny = False
        self.allow_strength: str | None = None


_ORDER = {"any": 4, "direct": 3, "role": 2, "account": 1}


def _scan(policies: list[Policy], policy_type: str, request: AuthzRequest, context: dict,
          matched: list[MatchedStatement], with_principal: bool = False) -> _Scan:
    scan = _Scan()
    for policy in policies:
        for statement in policy.statements:
            strength = None
            if with_principal:
                strength = principal_strength(statement, request.principal)
                if strength is None:
                    continue
            if not statement_applies(statement, request, context, policy.variables_enabled):
                continue
            matched.append(MatchedStatement(policy.source, statement.sid, statement.effect, policy_type))
            if statement.effect == "Deny":
                scan.deny = True
            else:
                scan.allow = True
                if strength and (scan.allow_strength is None
                                 or _ORDER[strength] > _ORDER[scan.allow_strength]):
                    scan.allow_strength = strength
    return scan


def evaluate(request: AuthzRequest, policies: PolicySet, *, now: float | None = None) -> Decision:
    """Decide ``request`` under ``policies``.

    ``denied_by`` on an implicit deny names the policy type that failed to allow: "identity"
    (no identity-based policy allows), "boundary", "session", or "resource" (cross-account, or
    a service/anonymous/federated caller, with no resource-based policy allowing)."""
    context = request_context(request, now)
    principal = request.principal
    matched: list[MatchedStatement] = []
    identity = _scan(policies.identity, "identity", request, context, matched)
    resource = _scan([policies.resource] if policies.resource else [], "resource", request, context,
                     matched, with_principal=True)
    boundary = _scan([policies.boundary] if policies.boundary else [], "boundary", request, context,
                     matched)
    session = _scan(policies.session, "session", request, context, matched)

    for scan, policy_type in ((identity, "identity"), (resource, "resource"),
                              (boundary, "boundary"), (session, "session")):
        if scan.deny:
            return Decision(False, "explicit_deny", matched, policy_type)

    def allowed() -> Decision:
        return Decision(True, "allowed", matched, None)

    def implicit(policy_type: str) -> Decision:
        return Decision(False, "implicit_deny", matched, policy_type)

    is_root = principal.kind == "root"
    identity_ok = is_root or identity.allow
    boundary_ok = is_root or policies.boundary is None or boundary.allow
    session_ok = is_root or not policies.session or session.allow
    caller_side = None
    if not identity_ok:
        caller_side = "identity"
    elif not boundary_ok:
        caller_side = "boundary"
    elif not session_ok:
        caller_side = "session"

    if principal.kind in _RESOURCE_POLICY_ONLY:
        return allowed() if resource.allow_strength in ("any", "direct") else implicit("resource")

    same_account = request.resource_account in (None, principal.account)
    strength = resource.allow_strength
    if same_account:
        if strength in ("any", "direct"):
            return allowed()
        if strength == "role" and boundary_ok and session_ok:
            return allowed()
        return allowed() if caller_side is None else implicit(caller_side)
    if caller_side is not None:
        return implicit(caller_side)
    return allowed() if strength is not None else implicit("resource")
