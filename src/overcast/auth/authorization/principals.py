"""Who is calling, as the policy engine sees it, and the caller's own policies.

- root keys: the account root, allowed everything in its own account (the engine knows the
  root: only a resource policy's explicit deny, or another account's resource, stops it);
- IAM users and role sessions: ``iam.principal_policies`` (user + groups, or the role, its
  boundary and tags) and, for sessions, the session policies passed to AssumeRole;
- anonymous callers: no identity policies at all (only a resource policy can allow them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from overcast.auth.policy import Policy, PolicyDocumentError, Principal, parse_policy

# grants nothing: what an unreadable session policy leaves of the session's permissions
_NOTHING_TEXT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"none:none","Resource":"none"}]}'
_ANONYMOUS_ARN = "*"


@dataclass
class Caller:
    """The principal and the policies that travel with it (not the resource's)."""

    principal: Principal
    identity: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None
    session: list[Policy] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        return self.principal.kind == "anonymous"


def anonymous_caller() -> Caller:
    return Caller(Principal(_ANONYMOUS_ARN, "", "anonymous"))


def principal_kind(principal_arn: str) -> str:
    """The engine's principal kind of an ARN GetCallerIdentity would answer."""
    if principal_arn.endswith(":root"):
        return "root"
    resource = principal_arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return "assumed-role"
    if resource.startswith("federated-user/"):
        return "federated-user"
    return "user"


def caller_for(credential, iam_provider) -> Caller:
    """The caller behind a resolved credential (``overcast.auth.credentials.Credential``)."""
    if credential is None:
        return anonymous_caller()
    kind = principal_kind(credential.principal_arn)
    principal = Principal(
        credential.principal_arn,
        credential.account,
        kind,
        user_id=credential.user_id,
        role_arn=credential.role_arn,
        username=credential.user_name if kind == "user" else None,
    )
    if kind == "root":
        return Caller(principal)
    found = iam_provider.principal_policies(credential) if iam_provider is not None else None
    caller = Caller(principal)
    if found is not None and getattr(found, "role_gone", False):
        # its role was deleted (or re-created: another unique id): resource policies naming
        # the role no longer match the session either
        principal.role_arn = None
    if found is not None:
        caller.identity = list(found.identity)
        caller.boundary = found.boundary
        principal.tags = dict(found.tags or {})
    for key, value in credential.session_tags:
        principal.tags.setdefault(key, value)
    for number, text in enumerate(credential.session_policies, 1):
        try:
            caller.session.append(parse_policy(text, "session", f"session policy {number}"))
        except PolicyDocumentError:
            # STS validated it when the session was made; an unreadable one grants nothing
            caller.session.append(parse_policy(_NOTHING_TEXT, "session", "session policy"))
    return caller
