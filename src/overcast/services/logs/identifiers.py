"""Log group identifiers: several operations take ``logGroupIdentifier`` (a name or an ARN,
with or without the trailing ``:*``) beside or instead of ``logGroupName``."""

from __future__ import annotations

import re

from overcast.services.logs.errors import InvalidParameterException, ValidationException, group_not_found
from overcast.storage.scope import Scope

EITHER_NAME_OR_ID = "Should provider either name or id, but not both"
# DescribeLogStreams given both, as AWS answered it (ValidationException); the other operations
# taking both members keep EITHER_NAME_OR_ID until an answer of theirs is known
NAME_AND_ARN = "LogGroup name and LogGroup ARN are mutually exclusive parameters."
_GROUP_ARN = re.compile(r"arn:[^:]+:logs:([^:]*):([^:]*):log-group:([^:]+)(?::\*)?")


def split_group_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of a log group ARN, or None."""
    match = _GROUP_ARN.fullmatch(arn)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def group_name_of(scope: Scope, identifier: str) -> str:
    """The group name an identifier names in ``scope``: an ARN of another account or region
    names no group the caller can see (Logs answers that the group does not exist)."""
    if not identifier.startswith("arn:"):
        return identifier
    parts = split_group_arn(identifier)
    if parts is None or (parts[1], parts[0]) != tuple(scope):
        raise group_not_found()
    return parts[2]


def reject_name_and_arn(params: dict) -> None:
    if params.get("logGroupName") is not None and params.get("logGroupIdentifier") is not None:
        raise ValidationException(NAME_AND_ARN)


def name_or_identifier(scope: Scope, params: dict, required: bool = True) -> str | None:
    """The group of an operation taking ``logGroupName`` or ``logGroupIdentifier`` (one, not
    both), as Logs words a request with both or neither."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if (name is not None and identifier is not None) or (name is None and identifier is None and required):
        # AWS's wording, typo included, for both and for neither
        raise InvalidParameterException(EITHER_NAME_OR_ID)
    if identifier is not None:
        return group_name_of(scope, identifier)
    return name
