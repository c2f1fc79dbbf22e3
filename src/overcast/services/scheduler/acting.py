"""Scheduler calls a target as the schedule's execution role (Target.RoleArn).

Strict mode does what AWS does: the role must exist and its trust policy must let the service
principal ``scheduler.amazonaws.com`` assume it; the call is then made with a session of the
role and authorized for it (``authorize=True``), so the role's policies decide. Sessions are
kept per role until shortly before they expire. Open mode calls as the role's session ARN
without a check (the role need not exist), as every other Overcast service acts in open mode.
"""

from __future__ import annotations

from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, evaluate, parse_policy
from overcast.auth.policy.model import Principal
from overcast.context import RequestContext
from overcast.errors import AwsError

SCHEDULER_SERVICE = "scheduler.amazonaws.com"
# the role session's name: AWS does not document the one Scheduler uses; one session per role here
SESSION_NAME = "EventBridgeScheduler"
SESSION_SECONDS = 3600
_RENEW_BEFORE = 300


class RoleRefused(Exception):
    """The role cannot be assumed by Scheduler (missing, or its trust policy says no)."""


def _trusts_scheduler(role) -> bool:
    try:
        trust = parse_policy(role.trust_policy, "trust", f"trust policy of {role.arn}")
    except PolicyDocumentError:
        return False
    principal = Principal(arn=SCHEDULER_SERVICE, account="", kind="service", service=SCHEDULER_SERVICE)
    request = AuthzRequest(principal, "sts:AssumeRole", role.arn, {}, role.arn.split(":")[4])
    return evaluate(request, PolicySet(resource=trust)).allowed


class RoleSessions:
    """The contexts Scheduler calls targets with, one session per role (strict mode)."""

    def __init__(self, provider):
        self.provider = provider
        self._sessions: dict[str, tuple[float, dict]] = {}

    def clear(self) -> None:
        self._sessions.clear()

    def _session(self, role_arn: str) -> dict:
        cloud = self.provider.cloud
        now = cloud.clock.now()
        cached = self._sessions.get(role_arn)
        if cached is not None and cached[0] - _RENEW_BEFORE > now:
            return cached[1]
        role = cloud.services.provider("iam").role_by_arn(role_arn)
        if role is None or not _trusts_scheduler(role):
            raise RoleRefused(f"{SCHEDULER_SERVICE} is not authorized to perform: sts:AssumeRole on resource: "
                              f"{role_arn}")
        try:
            session = cloud.services.provider("sts").issue_role_session(
                role_arn, SESSION_NAME, SESSION_SECONDS, source_principal=SCHEDULER_SERVICE)
        except AwsError as exc:
            raise RoleRefused(exc.message) from None
        self._sessions[role_arn] = (now + SESSION_SECONDS, session)
        return session

    def context(self, role_arn: str, region: str) -> RequestContext:
        """The context a target call is made with (raises RoleRefused in strict mode)."""
        cloud = self.provider.cloud
        account = role_arn.split(":")[4]
        if not cloud.settings.strict:
            role_name = role_arn.rsplit("/", 1)[-1]
            return RequestContext(account=account, region=region, service="scheduler",
                                  principal_arn=f"arn:aws:sts::{account}:assumed-role/{role_name}/{SESSION_NAME}",
                                  registry=cloud.services)
        session = self._session(role_arn)
        credential = cloud.credentials.lookup(session["AccessKeyId"])
        return RequestContext(account=account, region=region, service="scheduler", access_key=session["AccessKeyId"],
                              principal_arn=session["AssumedRoleArn"], user_id=session["AssumedRoleId"],
                              credential=credential, registry=cloud.services)
