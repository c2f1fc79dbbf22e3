"""The error a denied request gets, in the words of the service that denies it.

- S3: ``AccessDenied`` (403). For a caller of the bucket owner's own account S3 says who was
  refused what, on which resource and why (the resource ARN in double quotes); for another
  account's caller or an anonymous one only "Access Denied".
- Query services (IAM, STS) and SQS (its JSON protocol carries the query code
  ``AccessDenied`` in ``x-amzn-query-error``): ``AccessDenied`` (403) "User: <arn> is not
  authorized to perform: <action> on resource: <arn> because no identity-based policy allows
  the <action> action" (SQS writes the action in lower case).
- Other JSON services: ``AccessDeniedException``.
- EC2: ``UnauthorizedOperation`` with the decision encoded by STS (DecodeAuthorizationMessage).
"""

from __future__ import annotations

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


def access_denied(ctx, principal, action: str, resource: str, decision, resource_account: str | None,
                  encode=None, context: dict | None = None) -> AwsError:
    """The error for a denial of ``action`` on ``resource`` (``encode``: STS's message encoder,
    used for EC2-style services)."""
    if ctx.service == "s3":
        same_account = principal.kind != "anonymous" and resource_account in (None, principal.account)
        if not same_account:
            return AwsError("AccessDenied", "Access Denied", 403)
        message = (f'User: {principal.arn} is not authorized to perform: {action} on resource: "{resource}" '
                   f"{reason_text(action, decision)}")
        return AwsError("AccessDenied", message, 403)
    if ctx.protocol == "ec2":
        encoded = encode(_details(principal, action, resource, decision, context)) if encode else ""
        return AwsError("UnauthorizedOperation", "You are not authorized to perform this operation. "
                        f"Encoded authorization failure message: {encoded}", 403)
    shown = action.lower() if ctx.service == "sqs" else action
    # an action without a resource type (iam:ListAccountAliases, sts:GetSessionToken) names none
    on = "" if resource == "*" else f" on resource: {resource}"
    message = f"User: {principal.arn} is not authorized to perform: {shown}{on} {reason_text(shown, decision)}"
    if ctx.protocol in ("query", "rest-xml", "ec2") or ctx.service == "sqs":
        return AwsError("AccessDenied", message, 403)
    if ctx.protocol == "rest-json":
        return AwsError("AccessDeniedException", message, 403)
    return AwsError("AccessDeniedException", message, 400)


def _details(principal, action: str, resource: str, decision, context: dict | None) -> dict:
    """What DecodeAuthorizationMessage shows: the decision, matched statements and context."""
    from overcast.services.sts.authorization_messages import decision_details

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
