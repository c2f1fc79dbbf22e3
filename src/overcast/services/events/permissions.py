"""A bus's resource policy: PutPermission (one statement per StatementId letting an account,
or everyone in an organization, put events on the bus; or a whole Policy document) and
RemovePermission (one statement, or all of them). DescribeEventBus shows the policy; strict
mode evaluates it for cross-account PutEvents (``authority.py``)."""

from __future__ import annotations

import json

from overcast.services.events.errors import (PolicyLengthExceededException, ResourceNotFoundException,
                                             ValidationException)
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope, partition_of

MAX_POLICY_BYTES = 10240  # "The permission policy on the event bus cannot exceed 10 KB in size."


def check_put_permission(params: dict) -> None:
    """PutPermission's own checks of its parameters (before authorization in strict mode)."""
    check_input("PutPermission", params)
    if params.get("Policy") is not None:
        if any(params.get(k) is not None for k in ("Action", "Principal", "StatementId", "Condition")):
            raise ValidationException("Parameter Policy cannot be specified along with StatementId, Action, "
                                      "Principal or Condition.")
        _parse_policy(params["Policy"])
        return
    for name in ("Action", "Principal", "StatementId"):
        if not params.get(name):
            raise ValidationException(f"Parameter {name} must be specified.")
    if params["Action"] != "events:PutEvents":
        raise ValidationException("Provided value in parameter 'action' is not supported.")
    condition = params.get("Condition")
    if condition is not None:
        if condition.get("Type") != "StringEquals":
            raise ValidationException("Provided value in parameter 'condition.type' is not supported.")
        if condition.get("Key") != "aws:PrincipalOrgID":
            raise ValidationException("Provided value in parameter 'condition.key' is not supported.")


def _parse_policy(text: str) -> dict:
    try:
        policy = json.loads(text)
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), (list, dict)):
        raise ValidationException("Policy is not valid.")
    return policy


def _statements(policy: str | None) -> list[dict]:
    if not policy:
        return []
    found = json.loads(policy).get("Statement") or []
    return found if isinstance(found, list) else [found]


def _statement(params: dict, bus_arn: str, region: str) -> dict:
    principal = params["Principal"]
    statement = {"Sid": params["StatementId"], "Effect": "Allow",
                 "Principal": "*" if principal == "*" else {"AWS": f"arn:{partition_of(region)}:iam::{principal}:root"},
                 "Action": "events:PutEvents", "Resource": bus_arn}
    condition = params.get("Condition")
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    return statement


class PermissionOperations:
    def _save_policy(self, bus, policy: str | None) -> None:
        if policy is not None and len(policy.encode()) > MAX_POLICY_BYTES:
            raise PolicyLengthExceededException("Policy length exceeds the maximum allowed size of 10240 bytes.")
        self.db.execute("UPDATE event_buses SET policy = ?, modified = ? WHERE bus_id = ?",
                        (policy, self.clock.now(), bus.bus_id))
        self.bus_changed()

    def put_permission(self, ctx, params: dict) -> dict:
        check_put_permission(params)
        bus = self.require_bus(Scope.of(ctx), params.get("EventBusName"))
        if params.get("Policy") is not None:
            self._save_policy(bus, json.dumps(_parse_policy(params["Policy"]), separators=(",", ":")))
            return {}
        statements = [s for s in _statements(bus.policy) if s.get("Sid") != params["StatementId"]]
        statements.append(_statement(params, bus.arn, bus.region))
        self._save_policy(bus, json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":")))
        return {}

    def remove_permission(self, ctx, params: dict) -> dict:
        check_input("RemovePermission", params)
        bus = self.require_bus(Scope.of(ctx), params.get("EventBusName"))
        if params.get("RemoveAllPermissions"):
            self._save_policy(bus, None)
            return {}
        if not params.get("StatementId"):
            raise ValidationException("Parameter StatementId must be specified.")
        statements = _statements(bus.policy)
        if not statements:
            raise ResourceNotFoundException("EventBus does not have a policy.")
        kept = [s for s in statements if s.get("Sid") != params["StatementId"]]
        if len(kept) == len(statements):
            raise ResourceNotFoundException("Statement with the provided id does not exist.")
        policy = json.loads(bus.policy)
        policy["Statement"] = kept
        self._save_policy(bus, json.dumps(policy, separators=(",", ":")) if kept else None)
        return {}
