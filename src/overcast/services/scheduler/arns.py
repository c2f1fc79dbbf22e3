"""Scheduler's ARNs: ``arn:<partition>:scheduler:<region>:<account>:schedule-group/<group>``
and ``...:schedule/<group>/<name>``."""

from __future__ import annotations

import re

from overcast.storage.scope import Scope

DEFAULT_GROUP = "default"

_GROUP_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:scheduler:([a-z0-9-]+):(\d{12}):schedule-group/([0-9a-zA-Z._-]+)")


def group_arn(scope: Scope, name: str) -> str:
    return f"arn:{scope.partition}:scheduler:{scope.region}:{scope.account}:schedule-group/{name}"


def schedule_arn(scope: Scope, group: str, name: str) -> str:
    return f"arn:{scope.partition}:scheduler:{scope.region}:{scope.account}:schedule/{group}/{name}"


def split_group_arn(arn: str) -> tuple[Scope, str] | None:
    """(scope, group name) of a schedule group ARN, or None."""
    found = _GROUP_ARN.fullmatch(arn or "")
    if found is None:
        return None
    return Scope(found.group(2), found.group(1)), found.group(3)
