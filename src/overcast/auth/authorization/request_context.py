"""The request context policies' conditions read: AWS's global condition keys for the caller
and the request (service keys come from the action tables and the services' own
``request_condition_keys``)."""

from __future__ import annotations

from overcast.auth.policy import Principal

# aws:PrincipalType per principal kind (IAM User Guide, global condition context keys)
_PRINCIPAL_TYPES = {"root": "Account", "user": "User", "assumed-role": "AssumedRole",
                    "federated-user": "FederatedUser", "web-identity": "AssumedRole", "anonymous": "Anonymous"}


def global_context(ctx, principal: Principal, now: float, request=None) -> dict:
    """aws:* keys known before the operation runs (the engine adds the tables' service keys)."""
    out: dict = {
        "aws:SourceIp": ctx.source_ip or "127.0.0.1",
        "aws:SecureTransport": "true" if _secure(ctx, request) else "false",
        "aws:CurrentTime": _iso(now),
        "aws:EpochTime": str(int(now)),
        "aws:RequestedRegion": ctx.region,
        "aws:PrincipalIsAWSService": "false",
        "aws:ViaAWSService": "false",
    }
    if principal.kind == "anonymous":
        return out
    # For a role session aws:PrincipalArn is the role's ARN, not the session's.
    out["aws:PrincipalArn"] = principal.role_arn if principal.kind == "assumed-role" and principal.role_arn \
        else principal.arn
    out["aws:PrincipalAccount"] = principal.account
    out["aws:PrincipalType"] = _PRINCIPAL_TYPES.get(principal.kind, "User")
    out["aws:userid"] = principal.user_id
    if principal.username:
        out["aws:username"] = principal.username
    for key, value in (principal.tags or {}).items():
        out[f"aws:PrincipalTag/{key}"] = value
    credential = ctx.credential
    if credential is not None:
        if credential.source_identity:
            out["aws:SourceIdentity"] = credential.source_identity
        if credential.session_token:
            out["aws:MultiFactorAuthPresent"] = "false"
    return out


def _secure(ctx, request) -> bool:
    if ctx.secure:
        return True
    if request is not None:
        return request.headers.get("x-forwarded-proto", "").lower() == "https"
    return False


def _iso(epoch: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
