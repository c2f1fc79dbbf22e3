"""Rules (PutRule, DescribeRule, ListRules, Enable/DisableRule, DeleteRule) and the lookups
and hooks the other concerns use: ``rule_row``/``require_rule``/``rules_of_bus``,
``matching_rules`` (through the patterns' RuleIndex, cached per bus and dropped on every rule
change), ``add_rule_listener`` and the managed rules archives create."""

from __future__ import annotations

from overcast.services.events.arns import bus_name_of, rule_arn
from overcast.services.events.errors import rule_not_found
from overcast.services.events.models import DEFAULT_BUS, RULE_COLUMNS, BusRow, RuleRow
from overcast.storage.scope import Scope

_SELECT = f"SELECT {RULE_COLUMNS} FROM rules r JOIN event_buses b ON b.bus_id = r.bus_id"


class RuleOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._rule_listeners = []
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
