"""AssumeRole, and role sessions for the instance metadata endpoint (``issue_role_session``)."""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.errors import AwsError, ValidationError
from overcast.services.sts.identity import caller_kind
from overcast.services.sts.session_policies import (check_inherited_transitive, packed_policy_size,
                                                    session_policy_texts, session_tags)
from overcast.services.sts.trust import check_trust, denied
from overcast.services.sts.validation import validate

# AssumeRole: one hour unless asked otherwise; at most the role's MaxSessionDuration (up to
# 12 hours); a role assumed with a role session's credentials (role chaining) at most one hour.
DEFAULT_ROLE_DURATION = 3600
ROLE_CHAINING_MAX = 3600


def assumed_role_arn(role, session_name: str) -> str:
    """``arn:aws:sts::<acct>:assumed-role/<role name>/<session>`` (the role's path is not in it)."""
    account = role.arn.split(":")[4]
    return f"arn:aws:sts::{account}:assumed-role/{role.name}/{session_name}"


def check_duration(role, duration: int, chained: bool) -> None:
    if chained and duration > ROLE_CHAINING_MAX:
        raise ValidationError(
            message="The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            status=400,
        )
    if duration > role.max_session_duration:
        raise ValidationError(
            message="The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", status=400
        )


class RoleOperations:
    def _iam(self):
        try:
            return self.cloud.services.provider("iam")
        except AwsError:  # IAM not available: no role exists
            return None

    def _role(self, role_arn: str):
        iam = self._iam()
        return iam.role_by_arn(role_arn) if iam is not None else None

    async def assume_role(self, ctx: RequestContext, params: dict) -> dict:
        """Credentials for a session of the role, if its trust policy lets the caller in."""
        validate("AssumeRole", params)
        role_arn = params["RoleArn"]
        session_name = params["RoleSessionName"]
        caller_arn = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
        chained = caller_kind(ctx) == "assumed-role"
        tags = session_tags(params)  # the tags are checked before the role is looked up
        transitive = list(params.get("TransitiveTagKeys") or [])
        parent = self.sessions.get(ctx.access_key) if chained else None
        if parent is not None and parent.transitive_tags():
            # Transitive tags of the calling session pass on, and stay transitive (AWS: chaining
            # roles with session tags); a tag passed now may not reuse an inherited key.
            inherited = parent.transitive_tags()
            check_inherited_transitive(tags, inherited)
            tags = inherited + tags
            transitive = list(dict.fromkeys([k for k, _ in inherited] + transitive))
        role = self._role(role_arn)
        if role is None:  # as AWS: the same AccessDenied as a refused trust, no NoSuchEntity leak
            raise denied(caller_arn, "sts:AssumeRole", role_arn)
        duration = params.get("DurationSeconds") or DEFAULT_ROLE_DURATION
        check_duration(role, duration, chained)
        inherited_identity = getattr(ctx.credential, "source_identity", None)
        source_identity = params.get("SourceIdentity")
        if inherited_identity and source_identity and source_identity != inherited_identity:
            # A source identity, once set, stays for every chained session (AWS docs).
            raise AwsError(
                "AccessDenied", "Source identity cannot be changed once set in a role chaining session.", 403
            )
        source_identity = source_identity or inherited_identity
        context_keys = {
            "sts:ExternalId": params.get("ExternalId"),
            "sts:RoleSessionName": session_name,
            "sts:SourceIdentity": params.get("SourceIdentity"),
            "aws:TagKeys": [key for key, _ in tags] or None,
            **{f"aws:RequestTag/{key}": value for key, value in tags},
        }
        iam, strict = self._iam(), bool(getattr(self.cloud.settings, "strict", False))
        if strict and caller_arn.endswith(":root"):
            # AWS refuses root credentials outright; open mode lets the built-in root keys
            # (test/test) assume roles, the way local clouds are used
            raise AwsError("AccessDenied", "Roles may not be assumed by root accounts.", 403)
        check_trust(ctx, iam, role, "sts:AssumeRole", context_keys, strict)
        if tags:  # passing session tags needs sts:TagSession in the trust policy too
            check_trust(ctx, iam, role, "sts:TagSession", context_keys, strict)
        if params.get("SourceIdentity"):
            check_trust(ctx, iam, role, "sts:SetSourceIdentity", context_keys, strict)
        policies = await session_policy_texts(ctx, params)
        packed = packed_policy_size(policies, tags)
        session = self._role_session(
            role, session_name, duration, policies, tags, source_identity, caller_arn, region=ctx.region,
            transitive_tag_keys=tuple(transitive),
        )
        result = {
            "Credentials": session.credentials(),
            "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.principal_arn},
        }
        if packed is not None:
            result["PackedPolicySize"] = packed
        if source_identity:
            result["SourceIdentity"] = source_identity
        return result

    def _role_session(self, role, session_name, duration, policies=(), tags=(), source_identity=None,
                      source_arn=None, kind="assumed-role", region="us-east-1", transitive_tag_keys=()):
        iam = self._iam()
        if iam is not None and hasattr(iam, "note_role_used"):
            iam.note_role_used(role.arn, region)  # GetRole's RoleLastUsed
        return self.sessions.issue(
            account=role.arn.split(":")[4],
            principal_arn=assumed_role_arn(role, session_name),
            user_id=f"{role.role_id}:{session_name}",
            kind=kind,
            duration_seconds=duration,
            role_arn=role.arn,
            session_policies=tuple(policies),
            session_tags=tuple(tags),
            source_identity=source_identity,
            source_arn=source_arn,
            transitive_tag_keys=transitive_tag_keys,
        )

    def issue_role_session(
        self, role_arn: str, session_name: str, duration_seconds: int, *, source_principal: str | None = None
    ) -> dict:
        """A session of ``role_arn`` for a trusted service (the metadata endpoint, for an
        instance profile's role): no trust check, registered and kept like any other session.

        Raises ``AwsError`` (AccessDenied) when the role does not exist.
        """
        role = self._role(role_arn)
        if role is None:
            raise denied(source_principal or "ec2.amazonaws.com", "sts:AssumeRole", role_arn)
        session = self._role_session(role, session_name, duration_seconds, source_arn=source_principal)
        return {
            **session.credentials(),
            "AssumedRoleArn": session.principal_arn,
            "AssumedRoleId": session.user_id,
        }
