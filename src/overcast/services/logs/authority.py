"""Logs' side of the authorization interface (``overcast.auth.authorization.authority``).

- ``authorization_values``: the group a ``logGroupIdentifier`` (a name or an ARN, of the
  caller's account or another) or a ``logGroupName`` names, as ``LogGroupArn`` for the action
  table's ``log-group-id`` resources (operations that take either); StartQuery's
  ``logGroupIdentifiers`` as ``LogGroupIdentifierArns``.
- ``resource_facts``: a log group's (or stream's) resource policy is what AWS evaluates for
  it: the account-scope policies of the account and region (the ones services such as
  Route 53 or EventBridge are granted through) and the group's own resource-scope policy,
  their statements taken together.
- ``resource_tags``: aws:ResourceTag/* of a log group, read from its tags.
Denials are the JSON protocol's ``AccessDeniedException`` (400), but for CreateLogGroup with
tags refused the tagging, which Logs words as its own (the message AWS answers since tagging on
create needs logs:TagResource too).
"""

from __future__ import annotations

import json

from overcast.auth.authorization.authority import ResourceAuthority, ResourceFacts
from overcast.services.logs.errors import AccessDeniedException
from overcast.services.logs.models import group_arn
from overcast.storage.scope import Scope


def _group_of(arn: str) -> tuple[Scope, str] | None:
    """(scope, group name) of a log group or log stream ARN."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        return None
    return Scope(parts[4], parts[3]), parts[6]


def _arn_of_identifier(ctx, identifier: str) -> str:
    """The ARN (without ``:*``) of the group a name or an ARN names."""
    if identifier.startswith("arn:"):
        return ":".join(identifier.split(":")[:7])
    return group_arn(Scope.of(ctx), identifier)


class LogsAuthority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        values = {}
        identifier = params.get("logGroupIdentifier") or params.get("logGroupName")
        if isinstance(identifier, str):
            values["LogGroupArn"] = _arn_of_identifier(ctx, identifier)
        identifiers = params.get("logGroupIdentifiers")
        if isinstance(identifiers, list):  # StartQuery: names or ARNs
            values["LogGroupIdentifierArns"] = [_arn_of_identifier(ctx, i) for i in identifiers if isinstance(i, str)]
        return values

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        found = _group_of(arn)
        if found is None:
            return None
        scope, name = found
        group_arn = ":".join(arn.split(":")[:7])
        rows = self.db.query("SELECT policy_document FROM resource_policies WHERE account = ? AND region = ? "
                             "AND resource_arn IN ('', ?)", (*scope, group_arn))
        statements = []
        for (document,) in rows:
            try:
                found_statements = json.loads(document).get("Statement") or []
            except (ValueError, AttributeError):
                continue
            statements += found_statements if isinstance(found_statements, list) else [found_statements]
        if not statements:
            return ResourceFacts(owner=scope.account)
        return ResourceFacts(owner=scope.account,
                             policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        found = _group_of(arn)
        if found is None:
            return {}
        group = self.group_row(*found)
        return self.tags_of(group.group_id) if group else {}

    def denial_error(self, ctx, denial):
        if ctx.operation == "CreateLogGroup" and denial.action == "logs:TagResource":
            return AccessDeniedException(f"User with accountId: {ctx.account} is not authorized to perform "
                                         "CreateLogGroup with Tags. An additional permission \"logs:TagResource\" "
                                         "is required.")
        return None
