"""The request context policies' conditions read: AWS's global condition keys for the caller
and the request, plus the S3 keys that come from the request's headers and query."""

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


def s3_context(ctx, request, bucket_owner: str | None) -> dict:
    """S3 keys read from the request itself: how it was signed and, for the owner, s3:ResourceAccount."""
    out: dict = {}
    if request is not None:
        headers = request.headers
        query = request.query_string or ""
        if ctx.operation == "PostObject":
            out["s3:authType"] = "POST"
        elif "x-amz-signature=" in query.lower():
            out["s3:authType"] = "REST-QUERY-STRING"
        elif "authorization" in headers:
            out["s3:authType"] = "REST-HEADER"
        auth = headers.get("authorization", "")
        if auth.startswith("AWS4-") or "x-amz-algorithm=" in query.lower():
            out["s3:signatureversion"] = "AWS4-HMAC-SHA256"
        elif auth.startswith("AWS ") or "signature=" in query.lower():
            out["s3:signatureversion"] = "AWS"
        sha = headers.get("x-amz-content-sha256")
        if sha:
            out["s3:x-amz-content-sha256"] = sha
    if bucket_owner:
        out["s3:ResourceAccount"] = bucket_owner
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
