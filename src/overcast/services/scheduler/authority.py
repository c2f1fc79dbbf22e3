"""Scheduler's side of strict-mode authorization: a schedule group's tags are its
aws:ResourceTag/* keys (the only resource Scheduler tags)."""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority
from overcast.services.scheduler.arns import split_group_arn


class SchedulerAuthority(ResourceAuthority):
    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        found = split_group_arn(arn)
        if found is None:
            return {}
        return self.group_tags(*found)
