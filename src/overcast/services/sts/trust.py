"""Who is asking to assume a role, and whether the role's trust policy lets them.

AWS decides AssumeRole like any cross-principal request: the role's trust policy is the
resource policy, the caller's identity policies (plus boundary and session policies) the
identity side. Same account: either side may allow (a trust policy naming the user or role
itself is enough; one naming the account root needs the identity side to allow too);
another account: both must.

Open mode does not evaluate identity policies anywhere, so here the identity side allows
everything. The trust policy is still evaluated in both modes: it is part of the role, not of
the caller's permissions, and "can X assume this role" is exactly what users come to test (a
role trusting only ec2.amazonaws.com cannot be assumed by a user, in open mode as on AWS).
"""

from __future__ import annotations

import logging

from overcast.context import RequestContext
from overcast.services.sts.errors import AccessDenied, MalformedPolicyDocument
from overcast.services.sts.identity import caller_kind

log = logging.getLogger("overcast.sts")

_ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
_PRINCIPAL_TYPES = {
    "root": "Account",
    "user": "User",
    "assumed-role": "AssumedRole",
    "federated-user": "FederatedUser",
}


def caller_principal(ctx: RequestContext, iam=None):
    """The engine's ``Principal`` for the signer of ``ctx`` (unknown keys: the account's root)."""
    from overcast.auth.policy import Principal

    kind = caller_kind(ctx)
    arn = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
    if kind == "session":  # GetSessionToken credentials act as the user or root they came from
        kind = "root" if arn.endswith(":root") else "user"
    credential = ctx.credential
    tags: dict[str, str] = {}
    if iam is not None and credential is not None and kind in ("user", "assumed-role"):
        try:
            tags = dict(iam.principal_policies(credential).tags)
        except Exception:  # noqa: BLE001 - a principal IAM no longer knows has no tags
            log.debug("no IAM record behind %s", arn, exc_info=True)
    for key, value in getattr(credential, "session_tags", ()) or ():
        tags[key] = value
    return Principal(
        arn=arn,
        account=ctx.account,
        kind=kind,
        user_id=ctx.user_id or ctx.account,
        role_arn=getattr(credential, "role_arn", None),
        tags=tags,
        username=getattr(credential, "user_name", None) if kind == "user" else None,
    )


def request_context(ctx: RequestContext, principal, extra: dict) -> dict:
    """Global condition keys of an STS request, plus the operation's own (``sts:ExternalId``...)."""
    context = {
        "aws:PrincipalArn": principal.role_arn if principal.kind == "assumed-role" and principal.role_arn
        else principal.arn,
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalType": _PRINCIPAL_TYPES.get(principal.kind, "Account"),
        "aws:userid": principal.user_id,
        "aws:SecureTransport": "true" if ctx.secure else "false",
        "aws:RequestedRegion": ctx.region,
    }
    if ctx.source_ip:
        context["aws:SourceIp"] = ctx.source_ip
    if principal.username:
        context["aws:username"] = principal.username
    for key, value in principal.tags.items():
        context[f"aws:PrincipalTag/{key}"] = value
    context.update({k: v for k, v in extra.items() if v is not None})
    return context


def identity_side(ctx: RequestContext, iam, strict: bool):
    """(identity policies, boundary, session policies) of the caller, as the engine wants them."""
    from overcast.auth.policy import PolicyDocumentError, parse_policy

    allow_all = [parse_policy(_ALLOW_ALL, "identity", "open mode")]
    credential = ctx.credential
    if not strict or credential is None or credential.is_root or iam is None:
        return allow_all, None, []
    found = iam.principal_policies(credential)
    sessions = []
    for index, text in enumerate(credential.session_policies):
        try:
            sessions.append(parse_policy(text, "session", f"session policy {index + 1}"))
        except PolicyDocumentError:  # validated when the session was made
            log.warning("unreadable session policy on %s", credential.access_key)
    return list(found.identity), found.boundary, sessions


def check_trust(ctx: RequestContext, iam, role, action: str, context_keys: dict, strict: bool) -> None:
    """Raise ``AccessDenied`` unless the caller may perform ``action`` on ``role``.

    A role differs from other resources: its trust policy must allow the caller in every case
    (in the same account too, an identity policy alone never lets anyone assume a role). So
    there are two questions. Does the trust policy let this principal in (directly, or
    through its account)? Asked by evaluating it as if across accounts with an identity side
    that allows everything. Then, in strict mode, does the whole evaluation (identity,
    boundary, session policies and trust together, same-account rules included) allow it?
    """
    from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, evaluate, parse_policy

    principal = caller_principal(ctx, iam)
    try:
        trust = parse_policy(role.trust_policy, "trust", f"trust policy of {role.arn}")
    except PolicyDocumentError as exc:  # IAM validated it; an old data dir might still hold one
        raise MalformedPolicyDocument(message=exc.message) from None
    role_account = role.account or role.arn.split(":")[4]
    context = request_context(ctx, principal, context_keys)
    for key, value in (getattr(role, "tags", None) or {}).items():
        context[f"aws:ResourceTag/{key}"] = value  # the role's tags (ABAC on sts:AssumeRole)
    trust_only = AuthzRequest(
        principal=principal,
        action=action,
        resource=role.arn,
        context=context,
        # Any account but the caller's: the engine then needs the trust policy itself to allow.
        resource_account=role_account if role_account != principal.account else "trust-policy",
    )
    allow_all = [parse_policy(_ALLOW_ALL, "identity", "open mode")]
    if not evaluate(trust_only, PolicySet(identity=allow_all, resource=trust)).allowed:
        raise denied(principal.arn, action, role.arn)
    if not strict:
        return
    identity, boundary, sessions = identity_side(ctx, iam, strict)
    request = AuthzRequest(
        principal=principal, action=action, resource=role.arn, context=context, resource_account=role_account
    )
    decision = evaluate(request, PolicySet(identity=identity, resource=trust, boundary=boundary, session=sessions))
    if not decision.allowed:
        raise denied(principal.arn, action, role.arn)


def denied(caller_arn: str, action: str, role_arn: str) -> AccessDenied:
    return AccessDenied(message=f"User: {caller_arn} is not authorized to perform: {action} on resource: {role_arn}")
