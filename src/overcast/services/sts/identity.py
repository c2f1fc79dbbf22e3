"""GetCallerIdentity, GetAccessKeyInfo, GetSessionToken and GetFederationToken."""

from __future__ import annotations

from overcast.auth.credentials import account_for_key
from overcast.context import RequestContext
from overcast.services.sts.errors import AccessDenied
from overcast.services.sts.keys import account_of_key_id
from overcast.services.sts.session_policies import packed_policy_size, session_policy_texts, session_tags
from overcast.services.sts.validation import validate

# GetSessionToken / GetFederationToken: 900..129,600 seconds, 43,200 by default; sessions of
# the account's root are limited to one hour (longer requests get one hour, no error).
DEFAULT_TOKEN_DURATION = 43200
ROOT_MAX_DURATION = 3600


def caller_kind(ctx: RequestContext) -> str:
    """``root`` | ``user`` | ``assumed-role`` | ``federated-user`` | ``session`` (GetSessionToken)."""
    credential = ctx.credential
    arn = ctx.principal_arn or ""
    if credential is not None and credential.session_token is not None:
        if ":assumed-role/" in arn:
            return "assumed-role"
        if ":federated-user/" in arn:
            return "federated-user"
        return "session"
    if arn.endswith(":root") or not arn:
        return "root"
    return "user"


class IdentityOperations:
    def get_caller_identity(self, ctx: RequestContext, params: dict) -> dict:
        """Who signed the request: account, ARN and user id of the caller."""
        return {"UserId": ctx.user_id, "Account": ctx.account, "Arn": ctx.principal_arn}

    def get_access_key_info(self, ctx: RequestContext, params: dict) -> dict:
        """The account an access key id belongs to (any key id: Overcast's, AWS-format or local)."""
        key_id = params.get("AccessKeyId", "")
        validate("GetAccessKeyInfo", params)
        known = self.cloud.credentials.lookup(key_id)
        if known is not None:
            return {"Account": known.account}
        return {"Account": account_of_key_id(key_id) or account_for_key(key_id)}

    def get_session_token(self, ctx: RequestContext, params: dict) -> dict:
        """Temporary credentials for the calling IAM user or root (same identity, same permissions)."""
        validate("GetSessionToken", params)
        kind = caller_kind(ctx)
        if kind not in ("root", "user"):
            raise AccessDenied(message="Cannot call GetSessionToken with session credentials")
        duration = params.get("DurationSeconds") or DEFAULT_TOKEN_DURATION
        if kind == "root":
            duration = min(duration, ROOT_MAX_DURATION)
        credential = ctx.credential
        session = self.sessions.issue(
            account=ctx.account,
            principal_arn=ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root",
            user_id=ctx.user_id or ctx.account,
            kind="session-token",
            duration_seconds=duration,
            user_name=getattr(credential, "user_name", None),
            source_arn=ctx.principal_arn,
        )
        return {"Credentials": session.credentials()}

    async def get_federation_token(self, ctx: RequestContext, params: dict) -> dict:
        """Credentials for a federated user named by the caller (an IAM user or root).

        The federated user's permissions are the intersection of the caller's and the session
        policies passed here (none passed: no permissions), as AWS documents.
        """
        validate("GetFederationToken", params)
        kind = caller_kind(ctx)
        if kind not in ("root", "user"):
            raise AccessDenied(message="Cannot call GetFederationToken with session credentials")
        policies = await session_policy_texts(ctx, params)
        tags = session_tags(params)
        packed = packed_policy_size(policies, tags)
        duration = params.get("DurationSeconds") or DEFAULT_TOKEN_DURATION
        if kind == "root":
            duration = min(duration, ROOT_MAX_DURATION)
        name = params["Name"]
        arn = f"arn:aws:sts::{ctx.account}:federated-user/{name}"
        federated_id = f"{ctx.account}:{name}"
        session = self.sessions.issue(
            account=ctx.account,
            principal_arn=arn,
            user_id=federated_id,
            kind="federated-user",
            duration_seconds=duration,
            session_policies=tuple(policies),
            session_tags=tuple(tags),
            user_name=getattr(ctx.credential, "user_name", None),
            source_arn=ctx.principal_arn,
        )
        result = {"Credentials": session.credentials(), "FederatedUser": {"FederatedUserId": federated_id, "Arn": arn}}
        if packed is not None:
            result["PackedPolicySize"] = packed
        return result
