"""The error a denied request gets, in the words of the service that denies it.

A service with wording of its own answers ``ResourceAuthority.denial_error`` (S3: who was
refused what only for its own account's callers; SQS: the action in lower case); the others
get their protocol's:

- query and rest-xml services: ``AccessDenied`` (403) "User: <arn> is not authorized to
  perform: <action> on resource: <arn> because no identity-based policy allows the <action>
  action";
- JSON services: ``AccessDeniedException`` (rest-json 403, JSON 1.0/1.1 400);
- EC2: ``UnauthorizedOperation`` with the decision encoded (DecodeAuthorizationMessage).
"""

from __future__ import annotations

from overcast.auth.authorization.authority import Denial
from overcast.auth.authorization.messages import decision_details
from overcast.errors import AwsError

_POLICY_TYPES = {
    "identity": "an identity-based policy",
    "resource": "a resource-based policy",
    "boundary": "a permissions boundary",
    "session": "a session policy",
}
_NO_POLICY = {
    "identity": "no identity-based policy",
    "resource": "no resource-based policy",
    "boundary": "no permissions boundary",
    "session": "no session policy",
}


def reason_text(action: str, decision) -> str:
    """AWS's clause naming why: "with an explicit deny in ..." / "because no ... allows the ... action"."""
    if decision.reason == "explicit_deny":
        return f"with an explicit deny in {_POLICY_TYPES.get(decision.denied_by or 'identity', 'a policy')}"
    return f"because {_NO_POLICY.get(decision.denied_by or 'identity', 'no identity-based policy')} allows the {action} action"


def denial_message(principal, action: str, resource: str, reason: str) -> str:
    """"User: <arn> is not authorized to perform: <action>[ on resource: <arn>] <reason>"; an
    action without a resource type (iam:ListAccountAliases, sts:GetSessionToken) names none."""
    on = "" if resource == "*" else f" on resource: {resource}"
    return f"User: {principal.arn} is not authorized to perform: {action}{on} {reason}"


def access_denied(ctx, authority, principal, action: str, resource: str, decision, resource_account: str | None,
                  messages=None, context: dict | None = None) -> AwsError:
    """The error for a denial of ``action`` on ``resource`` (``authority``: the request's
    service provider; ``messages``: the cloud's ``AuthorizationMessages``, for EC2-style
    services)."""
    if authority is not None:
        error = authority.denial_error(ctx, Denial(principal, action, resource, reason_text(action, decision),
                                                   resource_account, decision))
        if error is not None:
            return error
    if ctx.protocol == "ec2":
        encoded = messages.encode(_details(principal, action, resource, decision, context)) if messages else ""
        return AwsError("UnauthorizedOperation", "You are not authorized to perform this operation. "
                        f"Encoded authorization failure message: {encoded}", 403)
    message = denial_message(principal, action, resource, reason_text(action, decision))
    if ctx.protocol in ("query", "rest-xml"):
        return AwsError("AccessDenied", message, 403)
    if ctx.protocol == "rest-json":
        return AwsError("AccessDeniedException", message, 403)
    return AwsError("AccessDeniedException", message, 400)


def _details(principal, action: str, resource: str, decision, context: dict | None) -> dict:
    """What DecodeAuthorizationMessage shows: the decision, matched statements and context."""
    return decision_details(
        allowed=decision.allowed,
        explicit_deny=decision.reason == "explicit_deny",
        principal_id=principal.user_id,
        principal_arn=principal.arn,
        action=action,
        resource=resource,
        conditions=context or {},
        matched=list(decision.matched or []),
        principal_name=principal.username,
    )
