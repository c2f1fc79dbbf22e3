"""Rules (PutRule, DescribeRule, ListRules, Enable/DisableRule, DeleteRule) and the lookups
and hooks the other concerns use: ``rule_row``/``require_rule``/``rules_of_bus``,
``matching_rules`` (through the patterns' RuleIndex, cached per bus and dropped on every rule
change), ``add_rule_listener`` and the managed rules archives create."""

from __future__ import annotations

from overcast.services.events.arns import bus_name_of, rule_arn
from overcast.services.events.errors import (InvalidEventPatternException, LimitExceededException,
                                             ManagedRuleException, ValidationException, managed_unchangeable,
                                             rule_not_found)
from overcast.services.events.models import DEFAULT_BUS, RULE_COLUMNS, BusRow, RuleRow
from overcast.services.events.paging import page, read_token
from overcast.services.events.tags import check_tags
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope

MAX_RULES_PER_BUS = 300  # "Rules: 300 per event bus" (EventBridge quotas)
LIMIT_EXCEEDED = "The requested resource exceeds the maximum number allowed."
NEEDS_PATTERN_OR_SCHEDULE = "Parameter(s) EventPattern or ScheduleExpression must be specified."
SCHEDULE_ON_CUSTOM_BUS = "ScheduleExpression is supported only on the default event bus."
HAS_TARGETS = "Rule can't be deleted since it has targets."


def managed(name: str) -> Exception:
    """DeleteRule's refusal of a managed rule without Force (AWS's text)."""
    return ManagedRuleException(f"{name} is a managed rule. Set 'force' parameter to true to override.")


def check_event_pattern(text: str) -> None:
    """InvalidEventPatternException with the patterns' text for a pattern AWS refuses."""
    from overcast.services.events.event_patterns import InvalidEventPattern, compile_event_pattern

    try:
        compile_event_pattern(text)
    except InvalidEventPattern as error:
        raise InvalidEventPatternException(str(error)) from None


def check_put_rule(params: dict) -> None:
    """PutRule's own checks of its parameters, in AWS's order (before authorization in strict
    mode): the model's constraints, a pattern or a schedule, the pattern, the schedule (only on
    a default bus, whether or not the named bus exists)."""
    check_input("PutRule", params)
    if not params.get("EventPattern") and not params.get("ScheduleExpression"):
        raise ValidationException(NEEDS_PATTERN_OR_SCHEDULE)
    if params.get("EventPattern"):
        check_event_pattern(params["EventPattern"])
    if params.get("ScheduleExpression"):
        from overcast.services.events.schedule_expressions import ScheduleExpressionError, parse_schedule

        try:
            parse_schedule(params["ScheduleExpression"])
        except ScheduleExpressionError as error:
            raise ValidationException(str(error)) from None
        if bus_name_of(params.get("EventBusName") or DEFAULT_BUS)[1] != DEFAULT_BUS:
            raise ValidationException(SCHEDULE_ON_CUSTOM_BUS)
    check_tags(params.get("Tags"))


def rule_view(rule: RuleRow, *, describe: bool = False) -> dict:
    """DescribeRule's answer (ListRules' items lack CreatedBy)."""
    out = {"Name": rule.name, "Arn": rule.arn}
    for key, value in (("EventPattern", rule.event_pattern), ("ScheduleExpression", rule.schedule_expression)):
        if value:
            out[key] = value
    out["State"] = rule.state
    for key, value in (("Description", rule.description), ("RoleArn", rule.role_arn),
                       ("ManagedBy", rule.managed_by)):
        if value is not None:
            out[key] = value
    out["EventBusName"] = rule.bus_name
    if describe:
        out["CreatedBy"] = rule.created_by
    return out

_SELECT = f"SELECT {RULE_COLUMNS} FROM rules r JOIN event_buses b ON b.bus_id = r.bus_id"


class RuleOperations:
    def __init__(self, cloud):
        # before super(): mixins later in the MRO register their listeners in their __init__
        self._rule_listeners = []
        super().__init__(cloud)
        self._rule_indexes: dict[int, object] = {}  # bus_id -> RuleIndex of its enabled rules

    # ------------------------------------------------------------------ lookups (contract)
    def rule_row(self, scope: Scope, bus_name: str | None, rule_name: str) -> RuleRow | None:
        arn_scope, name = bus_name_of(bus_name or DEFAULT_BUS)
        scope = arn_scope or scope
        row = self.db.query_one(f"{_SELECT} WHERE b.account = ? AND b.region = ? AND b.name = ? AND r.name = ?",
                                (*scope, name, rule_name))
        return RuleRow.from_row(row) if row else None

    def require_rule(self, scope: Scope, bus_name: str | None, rule_name: str) -> RuleRow:
        rule = self.rule_row(scope, bus_name, rule_name)
        if rule is None:
            raise rule_not_found(rule_name, bus_name_of(bus_name or DEFAULT_BUS)[1])
        return rule

    def rules_of_bus(self, bus_id: int) -> list[RuleRow]:
        return [RuleRow.from_row(row) for row in self.db.query(f"{_SELECT} WHERE r.bus_id = ? ORDER BY r.name",
                                                                (bus_id,))]

    def matching_rules(self, bus: BusRow, event: dict) -> list[RuleRow]:
        """The enabled rules of ``bus`` whose event pattern matches ``event``."""
        index = self._rule_indexes.get(bus.bus_id)
        if index is None:
            index = self._rule_indexes[bus.bus_id] = self._build_index(bus.bus_id)
        return index.match(event)

    def _build_index(self, bus_id: int):
        from overcast.services.events.event_patterns import RuleIndex, compile_event_pattern

        entries = []
        for rule in self.rules_of_bus(bus_id):
            if rule.enabled and rule.event_pattern:
                entries.append((rule, compile_event_pattern(rule.event_pattern)))
        return RuleIndex(entries)

    def add_rule_listener(self, fn) -> None:
        """``fn(scope, new: RuleRow | None, old: RuleRow | None)`` after every committed rule
        create/update/enable/disable/delete."""
        self._rule_listeners.append(fn)

    def _rule_changed(self, scope: Scope, new: RuleRow | None, old: RuleRow | None) -> None:
        for rule in (new, old):
            if rule is not None:
                self._rule_indexes.pop(rule.bus_id, None)
        for fn in self._rule_listeners:
            fn(scope, new, old)

    # ------------------------------------------------------------------ operations
    def put_rule(self, ctx, params: dict) -> dict:
        check_put_rule(params)
        scope = Scope.of(ctx)
        bus = self.require_bus(scope, params.get("EventBusName"))
        name = params["Name"]
        old = self.rule_row(bus.scope, bus.arn, name)
        if old is not None and old.managed_by:
            raise managed_unchangeable(name)
        fields = (params.get("EventPattern") or None, params.get("ScheduleExpression") or None,
                  params.get("State") or "ENABLED", params.get("Description"), params.get("RoleArn"))
        with self.db.transaction():
            if old is None:
                (count,) = self.db.query_one("SELECT COUNT(*) FROM rules WHERE bus_id = ?", (bus.bus_id,))
                if count >= MAX_RULES_PER_BUS:
                    raise LimitExceededException(LIMIT_EXCEEDED)
                arn = rule_arn(bus.scope, bus.name, name)
                self.db.execute("INSERT INTO rules (bus_id, account, region, name, arn, event_pattern, "
                                "schedule_expression, state, description, role_arn, created_by, created) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (bus.bus_id, *bus.scope, name, arn, *fields, scope.account, self.clock.now()))
                self.write_tags(arn, params.get("Tags"))  # tags are only taken when the rule is created
            else:
                self.db.execute("UPDATE rules SET event_pattern = ?, schedule_expression = ?, state = ?, "
                                "description = ?, role_arn = ? WHERE rule_id = ?", (*fields, old.rule_id))
        new = self.rule_row(bus.scope, bus.arn, name)
        self._rule_changed(bus.scope, new, old)
        return {"RuleArn": new.arn}

    def describe_rule(self, ctx, params: dict) -> dict:
        check_input("DescribeRule", params)
        scope = Scope.of(ctx)
        bus = self.require_bus(scope, params.get("EventBusName"))
        return rule_view(self.require_rule(bus.scope, bus.arn, params["Name"]), describe=True)

    def list_rules(self, ctx, params: dict) -> dict:
        check_input("ListRules", params)
        bus = self.require_bus(Scope.of(ctx), params.get("EventBusName"))
        after = read_token(params.get("NextToken")) or ""
        prefix = params.get("NamePrefix") or ""
        rows = self.db.query(f"{_SELECT} WHERE r.bus_id = ? AND substr(r.name, 1, ?) = ? AND r.name > ? "
                             "ORDER BY r.name", (bus.bus_id, len(prefix), prefix, after))
        rules, token = page([RuleRow.from_row(r) for r in rows], params.get("Limit"), lambda r: r.name)
        out = {"Rules": [rule_view(r) for r in rules]}
        if token:
            out["NextToken"] = token
        return out

    def enable_rule(self, ctx, params: dict) -> dict:
        return self._set_state(ctx, "EnableRule", params, "ENABLED")

    def disable_rule(self, ctx, params: dict) -> dict:
        return self._set_state(ctx, "DisableRule", params, "DISABLED")

    def _set_state(self, ctx, operation: str, params: dict, state: str) -> dict:
        check_input(operation, params)
        bus = self.require_bus(Scope.of(ctx), params.get("EventBusName"))
        old = self.require_rule(bus.scope, bus.arn, params["Name"])
        if old.managed_by:
            raise managed_unchangeable(old.name)
        self.db.execute("UPDATE rules SET state = ? WHERE rule_id = ?", (state, old.rule_id))
        self._rule_changed(bus.scope, self.rule_row(bus.scope, bus.arn, old.name), old)
        return {}

    def delete_rule(self, ctx, params: dict) -> dict:
        check_input("DeleteRule", params)
        bus = self.require_bus(Scope.of(ctx), params.get("EventBusName"))
        old = self.rule_row(bus.scope, bus.arn, params["Name"])
        if old is None:  # deleting a rule that is not there succeeds, as on AWS
            return {}
        if old.managed_by and not params.get("Force"):
            raise managed(old.name)
        if self.db.query_one("SELECT 1 FROM targets WHERE rule_id = ? LIMIT 1", (old.rule_id,)):
            raise ValidationException(HAS_TARGETS)
        with self.db.transaction():
            self.db.execute("DELETE FROM rules WHERE rule_id = ?", (old.rule_id,))
            self.drop_tags(old.arn)
        self._rule_changed(bus.scope, None, old)
        return {}

    # ------------------------------------------------------------------ managed rules (contract)
    def put_managed_rule(self, scope: Scope, bus: BusRow, name: str, pattern: str, managed_by: str) -> RuleRow:
        old = self.rule_row(scope, bus.arn, name)
        now = self.clock.now()
        with self.db.transaction():
            if old is None:
                self.db.execute("INSERT INTO rules (bus_id, account, region, name, arn, event_pattern, state, "
                                "managed_by, created_by, created) VALUES (?, ?, ?, ?, ?, ?, 'ENABLED', ?, ?, ?)",
                                (bus.bus_id, *scope, name, rule_arn(scope, bus.name, name), pattern, managed_by,
                                 scope.account, now))
            else:
                self.db.execute("UPDATE rules SET event_pattern = ?, managed_by = ? WHERE rule_id = ?",
                                (pattern, managed_by, old.rule_id))
        new = self.rule_row(scope, bus.arn, name)
        self._rule_changed(scope, new, old)
        return new

    def delete_managed_rule(self, scope: Scope, bus: BusRow, name: str) -> None:
        old = self.rule_row(scope, bus.arn, name)
        if old is None:
            return
        self.db.execute("DELETE FROM rules WHERE rule_id = ?", (old.rule_id,))
        self._rule_changed(scope, None, old)

    def reset(self) -> None:
        self._rule_indexes.clear()
        super().reset()
