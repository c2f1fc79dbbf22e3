"""The instance profile's role credentials IMDS hands out: minted by STS, rotated before expiry.

As on EC2, the session is named after the instance (``assumed-role/<role>/<instance-id>``)
and lasts six hours; a new one is minted once less than an hour is left (so an SDK that
refreshes some minutes before expiry always finds fresh ones), after a reset, or when the
profile's role changed.
"""

from __future__ import annotations

import time

from overcast.errors import AwsError

SESSION_SECONDS = 6 * 3600
ROTATE_BEFORE_SECONDS = 3600


def iso_z(epoch: float) -> str:
    """``2024-05-01T12:00:00Z``: how IMDS writes times (no fractions)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class RoleCredentials:
    """Per (instance, role): the current STS session and when it was minted."""

    def __init__(self, cloud):
        self.cloud = cloud
        self._sessions: dict[tuple[str, str], tuple[dict, float]] = {}

    def role_of(self, identity) -> object | None:
        """The profile's role record (IAM's RoleRecord), or None (no profile, no role, or no IAM)."""
        if not identity.profile_arn:
            return None
        try:
            roles = self.cloud.services.provider("iam").instance_profile_roles(identity.account, identity.profile_arn)
        except AwsError:
            return None
        return roles[0] if roles else None

    def last_updated(self, identity) -> float | None:
        """When the credentials of ``identity`` were last minted (None: never yet)."""
        times = [minted for (instance_id, _), (_, minted) in self._sessions.items()
                 if instance_id == identity.instance_id]
        return max(times) if times else None

    def for_role(self, identity, role) -> dict | None:
        """IMDS's ``iam/security-credentials/<role>`` document (None: no session can be had)."""
        key = (identity.instance_id, role.arn)
        now = self.cloud.clock.now()
        cached = self._sessions.get(key)
        if cached is not None:
            session, minted = cached
            live = self.cloud.credentials.lookup(session["AccessKeyId"]) is not None
            if not live or session["Expiration"] - now < ROTATE_BEFORE_SECONDS:
                cached = None
        if cached is None:
            try:
                session = self.cloud.services.provider("sts").issue_role_session(
                    role.arn, identity.instance_id, SESSION_SECONDS, source_principal="ec2.amazonaws.com"
                )
            except AwsError:  # the role went away meanwhile: nothing to hand out
                return None
            cached = (session, now)
            self._sessions[key] = cached
        session, minted = cached
        return {
            "Code": "Success",
            "LastUpdated": iso_z(minted),
            "Type": "AWS-HMAC",
            "AccessKeyId": session["AccessKeyId"],
            "SecretAccessKey": session["SecretAccessKey"],
            "Token": session["SessionToken"],
            "Expiration": iso_z(session["Expiration"]),
        }
