"""EventBridge: PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget, and
``rule_targets`` (the contract's lookup dispatch reads a rule's targets through, cached per
rule and dropped on every change).

A target is stored as PutTargets took it (``targets_schema``), so ListTargetsByRule answers
every member as given. Limits (user guide, "Amazon EventBridge quotas"): 10 targets a request,
5 targets a rule.
"""

from __future__ import annotations

import base64
import functools
import json

from overcast.services.events import request_checks
from overcast.services.events.errors import LimitExceededException, ManagedRuleException, ValidationException
from overcast.services.events.map_constraints import map_problems
from overcast.services.events.models import DEFAULT_BUS, RuleRow
from overcast.services.events.target_checks import check_targets
from overcast.services.events.validation import check_input, events_model
from overcast.storage.scope import Scope

MAX_TARGETS_PER_REQUEST = 10  # PutTargets and RemoveTargets: "The maximum number of entries per request is 10"
MAX_TARGETS_PER_RULE = 5  # "Targets per rule: 5" (quotas)
DEFAULT_PAGE = 100  # ListTargetsByRule / ListRuleNamesByTarget answer at most 100 a page


def managed_rule_refused(rule: RuleRow):
    return ManagedRuleException(f"{rule.name} is a managed rule. Set 'force' parameter to true to override.")


@functools.lru_cache(maxsize=1)
def _targets_shape():
    return events_model().operation_model("PutTargets").input_shape.members["Targets"]


def check_put_targets(params: dict) -> None:
    """PutTargets' checks of its own parameters (before authorization in strict mode)."""
    check_input("PutTargets", params)
    targets = params["Targets"]
    _check_entries(targets, "targets")
    problems = map_problems(_targets_shape(), targets, "targets")
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise ValidationException(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))
    check_targets(targets, account=None)


def check_remove_targets(params: dict) -> None:
    check_input("RemoveTargets", params)
    _check_entries(params["Ids"], "ids")


def _check_entries(entries: list, member: str) -> None:
    # the model allows 100; the service takes 10
    if len(entries) > MAX_TARGETS_PER_REQUEST:
        raise ValidationException(f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
                                  f"Member must have length less than or equal to {MAX_TARGETS_PER_REQUEST}")


request_checks.CHECKS["PutTargets"] = check_put_targets
request_checks.CHECKS["RemoveTargets"] = check_remove_targets
request_checks.CHECKS["ListTargetsByRule"] = lambda params: check_input("ListTargetsByRule", params)
request_checks.CHECKS["ListRuleNamesByTarget"] = lambda params: check_input("ListRuleNamesByTarget", params)


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _page_offset(token: str | None) -> int:
    if token is None:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        if isinstance(offset, int) and offset >= 0:
            return offset
    except (ValueError, TypeError, KeyError):
        pass
    raise ValidationException("The NextToken provided is invalid.")


class TargetOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._targets_by_rule: dict[int, list[dict]] = {}
        self._targets_listening = False

    # ------------------------------------------------------------------ lookup (contract)
    def rule_targets(self, rule_id: int) -> list[dict]:
        """The targets of a rule in PutTargets' shape, in the order they were added (cached;
        dropped on every change of the rule's targets and when the rule goes)."""
        targets = self._targets_by_rule.get(rule_id)
        if targets is None:
            self._listen_for_rule_changes()
            rows = self.db.query("SELECT spec FROM targets WHERE rule_id = ? ORDER BY position", (rule_id,))
            targets = self._targets_by_rule[rule_id] = [json.loads(spec) for (spec,) in rows]
        return targets

    def store_targets(self, rule: RuleRow, targets: list[dict]) -> None:
        """Add or update targets of ``rule`` as given (in-process callers, which validated them:
        an archive's managed rule)."""
        with self.db.transaction():
            (last,) = self.db.query_one("SELECT COALESCE(MAX(position), 0) FROM targets WHERE rule_id = ?",
                                        (rule.rule_id,))
            for target in targets:
                spec = json.dumps(target, separators=(",", ":"))
                updated = self.db.execute("UPDATE targets SET arn = ?, spec = ? WHERE rule_id = ? AND target_id = ?",
                                          (target["Arn"], spec, rule.rule_id, target["Id"]))
                if not updated:
                    last += 1
                    self.db.execute("INSERT INTO targets (rule_id, target_id, arn, spec, position) "
                                    "VALUES (?, ?, ?, ?, ?)", (rule.rule_id, target["Id"], target["Arn"], spec, last))
        self._targets_by_rule.pop(rule.rule_id, None)

    def _listen_for_rule_changes(self) -> None:
        # registered on first use: the rules concern's listener list exists only once every
        # mixin's __init__ has run
        if not self._targets_listening:
            self.add_rule_listener(self._rule_changed_for_targets)
            self._targets_listening = True

    def _rule_changed_for_targets(self, scope, new, old) -> None:
        # a deleted rule's rows went with it (targets_schema's trigger); a managed rule's
        # service may have written its targets itself
        for rule in (new, old):
            if rule is not None:
                self._targets_by_rule.pop(rule.rule_id, None)

    # ------------------------------------------------------------------ operations
    def put_targets(self, ctx, params: dict) -> dict:
        check_put_targets(params)
        scope = Scope.of(ctx)
        targets = params["Targets"]
        check_targets(targets, account=scope.account)  # and the checks that need the caller's account
        rule = self.require_rule(scope, params.get("EventBusName"), params["Rule"])
        if rule.managed_by:
            raise managed_rule_refused(rule)
        existing = {target["Id"] for target in self.rule_targets(rule.rule_id)}
        if len(existing | {target["Id"] for target in targets}) > MAX_TARGETS_PER_RULE:
            raise LimitExceededException("The requested resource exceeds the maximum number allowed.")
        self.store_targets(rule, targets)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def remove_targets(self, ctx, params: dict) -> dict:
        check_remove_targets(params)
        rule = self.require_rule(Scope.of(ctx), params.get("EventBusName"), params["Rule"])
        if rule.managed_by and not params.get("Force"):
            raise managed_rule_refused(rule)
        ids = params["Ids"]
        # an Id the rule does not have is no failure: it is not a target afterwards either
        self.db.executemany("DELETE FROM targets WHERE rule_id = ? AND target_id = ?",
                            [(rule.rule_id, target_id) for target_id in ids])
        self._targets_by_rule.pop(rule.rule_id, None)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, ctx, params: dict) -> dict:
        check_input("ListTargetsByRule", params)
        offset = _page_offset(params.get("NextToken"))
        rule = self.require_rule(Scope.of(ctx), params.get("EventBusName"), params["Rule"])
        limit = params.get("Limit") or DEFAULT_PAGE
        targets = self.rule_targets(rule.rule_id)
        answer = {"Targets": targets[offset:offset + limit]}
        if offset + limit < len(targets):
            answer["NextToken"] = _page_token(offset + limit)
        return answer

    def list_rule_names_by_target(self, ctx, params: dict) -> dict:
        check_input("ListRuleNamesByTarget", params)
        offset = _page_offset(params.get("NextToken"))
        bus = self.require_bus(Scope.of(ctx), params.get("EventBusName") or DEFAULT_BUS)
        limit = params.get("Limit") or DEFAULT_PAGE
        names = [name for (name,) in self.db.query(
            "SELECT DISTINCT r.name FROM targets t JOIN rules r ON r.rule_id = t.rule_id "
            "WHERE t.arn = ? AND r.bus_id = ? ORDER BY r.name LIMIT ? OFFSET ?",
            (params["TargetArn"], bus.bus_id, limit + 1, offset))]
        answer = {"RuleNames": names[:limit]}
        if len(names) > limit:
            answer["NextToken"] = _page_token(offset + limit)
        return answer

    def reset(self) -> None:
        self._targets_by_rule.clear()
        super().reset()
