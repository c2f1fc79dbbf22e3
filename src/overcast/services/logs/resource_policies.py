"""Resource policies: PutResourcePolicy, DeleteResourcePolicy, DescribeResourcePolicies.

An account-scope policy (no ``resourceArn``) is one of at most 10 per account and region
(a quota that cannot be changed); a resource-scope policy is attached to one log group. The
document's length is the model's (1 to 51,200 characters: the old 5,120 cap was raised).
"""

from __future__ import annotations

import json
import uuid

from overcast.services.logs.errors import (InvalidParameterException, LimitExceededException,
                                           ResourceNotFoundException)
from overcast.services.logs.identifiers import group_name_of
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.validation import check_input, raise_problems
from overcast.storage.scope import Scope

MAX_ACCOUNT_POLICIES = 10  # "Up to 10 CloudWatch Logs resource policies per Region per account"
DEFAULT_LIMIT = 50


def _missing(name: str) -> str:
    return f"Policy with name [{name}] does not exist."


class ResourcePolicyOperations:
    def _policy_target(self, ctx, arn: str | None) -> str:
        """'' for an account-scope policy, else the ARN of the (existing) log group."""
        if not arn:
            return ""
        scope = Scope.of(ctx)
        self.require_group(scope, group_name_of(scope, arn))
        return arn

    def put_resource_policy(self, ctx, params: dict) -> dict:
        check_input("PutResourcePolicy", params)
        problems = [f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
                    for name in ("policyName", "policyDocument") if params.get(name) is None]
        raise_problems(problems)  # required in practice, though the model leaves them optional
        name, document = params["policyName"], params["policyDocument"]
        try:
            json.loads(document)
        except ValueError:
            raise InvalidParameterException("Policy document is not valid JSON.") from None
        scope = Scope.of(ctx)
        target = self._policy_target(ctx, params.get("resourceArn"))
        now = int(self.clock.now() * 1000)
        revision = uuid.uuid4().hex
        with self.db.transaction():
            exists = self.db.query_one("SELECT 1 FROM resource_policies WHERE account = ? AND region = ? "
                                       "AND policy_name = ? AND resource_arn = ?", (*scope, name, target))
            if not exists and not target:
                (count,) = self.db.query_one("SELECT COUNT(*) FROM resource_policies WHERE account = ? "
                                             "AND region = ? AND resource_arn = ''", tuple(scope))
                if count >= MAX_ACCOUNT_POLICIES:
                    raise LimitExceededException("Resource limit exceeded.")
            self.db.execute("INSERT INTO resource_policies (account, region, policy_name, policy_document, "
                            "resource_arn, revision_id, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (account, region, policy_name, resource_arn) DO UPDATE SET "
                            "policy_document = excluded.policy_document, revision_id = excluded.revision_id, "
                            "updated_ms = excluded.updated_ms", (*scope, name, document, target, revision, now))
        policy = _view((name, document, target, revision, now))
        return {"resourcePolicy": policy, "revisionId": revision}

    def delete_resource_policy(self, ctx, params: dict) -> dict:
        check_input("DeleteResourcePolicy", params)
        name = params.get("policyName") or ""
        target = self._policy_target(ctx, params.get("resourceArn"))
        changed = self.db.execute("DELETE FROM resource_policies WHERE account = ? AND region = ? "
                                  "AND policy_name = ? AND resource_arn = ?", (*Scope.of(ctx), name, target))
        if not changed:
            raise ResourceNotFoundException(_missing(name))
        return {}

    def describe_resource_policies(self, ctx, params: dict) -> dict:
        check_input("DescribeResourcePolicies", params)
        scope = Scope.of(ctx)
        target = params.get("resourceArn") or ""
        if target:
            self._policy_target(ctx, target)
        elif params.get("policyScope") == "RESOURCE":
            target = None  # every resource-scope policy
        after = read_token("policies", params.get("nextToken"))
        limit = params.get("limit") or DEFAULT_LIMIT
        sql = ("SELECT policy_name, policy_document, resource_arn, revision_id, updated_ms FROM resource_policies "
               "WHERE account = ? AND region = ?")
        args: list = [*scope]
        if target is None:
            sql += " AND resource_arn <> ''"
        else:
            sql += " AND resource_arn = ?"
            args.append(target)
        if after is not None:
            sql += " AND (policy_name > ? OR (policy_name = ? AND resource_arn > ?))"
            args += [after[0], after[0], after[1]]
        rows = self.db.query(sql + " ORDER BY policy_name, resource_arn LIMIT ?", [*args, limit + 1])
        out = {"resourcePolicies": [_view(row) for row in rows[:limit]]}
        if len(rows) > limit:
            out["nextToken"] = make_token("policies", [rows[limit - 1][0], rows[limit - 1][2]])
        return out


def _view(row: tuple) -> dict:
    name, document, target, revision, updated = row
    out = {"policyName": name, "policyDocument": document, "lastUpdatedTime": updated,
           "policyScope": "RESOURCE" if target else "ACCOUNT", "revisionId": revision}
    if target:
        out["resourceArn"] = target
    return out
