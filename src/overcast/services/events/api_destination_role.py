"""Strict mode: EventBridge invokes an API destination with the target's role (``RoleArn``,
which PutTargets requires for it), so the role must exist, let ``events.amazonaws.com`` assume
it, and allow ``events:InvokeApiDestination`` on the destination (user guide, "Permissions
required for EventBridge to access targets using IAM roles"; "To use an API destination as a
target, you must provide an IAM role with the correct permissions"). The role's inline and
attached policies and its permissions boundary decide, as for any session of the role.

Open mode checks nothing, as every Overcast service acts in open mode.
"""

from __future__ import annotations

from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, evaluate, parse_policy
from overcast.auth.policy.model import Principal
from overcast.services.iam.principal_policies import parsed

EVENTS_SERVICE = "events.amazonaws.com"
ACTION = "events:InvokeApiDestination"
SESSION_NAME = "EventBridgeApiDestinations"  # the role session's name in a refusal's text


def _trusts_events(role) -> bool:
    try:
        trust = parse_policy(role.trust_policy, "trust", f"trust policy of {role.arn}")
    except PolicyDocumentError:
        return False
    principal = Principal(arn=EVENTS_SERVICE, account="", kind="service", service=EVENTS_SERVICE)
    request = AuthzRequest(principal, "sts:AssumeRole", role.arn, {}, role.account)
    return evaluate(request, PolicySet(resource=trust)).allowed


def role_refusal(provider, role_arn: str | None, destination_arn: str) -> str | None:
    """Why the target's role may not invoke the destination (strict mode), or None."""
    cloud = provider.cloud
    if not cloud.settings.strict:
        return None
    iam = cloud.services.provider("iam")
    role = iam.role_by_arn(role_arn) if role_arn else None
    if role is None or not _trusts_events(role):
        return f"{EVENTS_SERVICE} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    identity = []
    for _kind, source, document in iam.entity_policy_texts(role.account, "role", role.key):
        try:
            identity.append(parsed(document, "identity", source))
        except (PolicyDocumentError, ValueError):
            continue  # a stored document the engine no longer reads grants nothing
    boundary_text = iam.boundary_text(role.account, role.boundary_arn)
    try:
        boundary = parsed(boundary_text, "boundary", "boundary") if boundary_text else None
    except (PolicyDocumentError, ValueError):
        boundary = None
    session_arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{SESSION_NAME}"
    principal = Principal(arn=session_arn, account=role.account, kind="assumed-role",
                          user_id=f"{role.role_id}:{SESSION_NAME}", role_arn=role.arn, tags=dict(role.tags))
    request = AuthzRequest(principal, ACTION, destination_arn, {"aws:PrincipalArn": role.arn},
                           destination_arn.split(":")[4])
    if evaluate(request, PolicySet(identity=identity, boundary=boundary), now=cloud.clock.now()).allowed:
        return None
    return f"{session_arn} is not authorized to perform: {ACTION} on resource: {destination_arn}"
