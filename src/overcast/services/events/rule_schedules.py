"""EventBridge: rules with a ScheduleExpression fire on the cloud clock.

Each enabled scheduled rule has a ``rule_schedules`` row (its next run, in events' own
database) and a runtime timer that wakes it then. A run puts AWS's "Scheduled Event" envelope
(source ``aws.events``, detail-type ``Scheduled Event``, resources ``[rule ARN]``, detail
``{}``) into delivery for THAT rule's targets only (``accept_events(..., rules=[rule])``), and
computes the next run from the cloud clock, in the same transaction.

Runs and missed periods: while the server runs, every run falls due in turn, also when a test
moves the clock (``POST /_overcast/clock`` fires each timer at its own time: advancing 15
minutes runs a ``rate(5 minutes)`` rule three times, as AWS would have over those minutes).
A run that fell due while the server was down happens ONCE at start, and the next one is
computed from then: AWS runs a schedule at most once per period and never sends the missed
periods as a burst. Rate schedules count from the rule's creation ("a rate expression starts
when you create the scheduled event rule"): runs fall at creation + k * period; changing the
expression or re-enabling a disabled rule starts the count again from that moment.

Only the default bus takes a ScheduleExpression: PutRule refuses it on a custom bus (rules.py),
so every scheduled rule is on its account and region's default bus.

Disabled and deleted rules do not run: core's rule listener (``add_rule_listener``) tells this
module of every change, and a stale timer finds its row gone or moved and does nothing.
"""

from __future__ import annotations

import logging

from overcast.services.events.models import RULE_COLUMNS, RuleRow
from overcast.services.events.schedule_expressions import ScheduleExpressionError, parse_schedule
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.events.schedules")

TIMER_KIND = "events.rule_schedule"
SCHEDULED_SOURCE = "aws.events"
SCHEDULED_DETAIL_TYPE = "Scheduled Event"

_RULE_BY_ID = f"SELECT {RULE_COLUMNS} FROM rules r JOIN event_buses b ON b.bus_id = r.bus_id WHERE r.rule_id = ?"
_SCHEDULED_RULES = (f"SELECT {RULE_COLUMNS} FROM rules r JOIN event_buses b ON b.bus_id = r.bus_id "
                    "WHERE r.schedule_expression IS NOT NULL AND r.schedule_expression != ''")


class RuleScheduleOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._schedule_timers: dict[int, int] = {}  # rule_id -> the pending timer's id
        cloud.scheduler.on(TIMER_KIND, self._on_schedule_timer)
        self.add_rule_listener(self._on_rule_change)

    async def start(self) -> None:
        try:  # first: another concern's start failing must not leave the schedules unarmed
            self._rearm_all()
        finally:
            await super().start()

    def reset(self) -> None:
        self._schedule_timers.clear()  # the scheduler drops the timers, storage the rows
        super().reset()

    # ------------------------------------------------------------------ rule changes
    def _on_rule_change(self, scope: Scope, new: RuleRow | None, old: RuleRow | None) -> None:
        if new is None or not new.schedule_expression or not new.enabled:
            rule_id = (old or new).rule_id
            # a rule that never had a schedule has nothing to undo (no write for pattern rules)
            if (old is not None and old.schedule_expression) or rule_id in self._schedule_timers:
                self._disarm(rule_id)
            return
        restarted = old is None or not old.enabled or old.schedule_expression != new.schedule_expression
        if restarted or self._schedule_row(new.rule_id) is None:
            self._arm(new, anchor=self.clock.now())

    def _arm(self, rule: RuleRow, anchor: float) -> None:
        """(Re)start ``rule``'s schedule counting from ``anchor``: store its next run, set a timer."""
        try:
            schedule = parse_schedule(rule.schedule_expression, service="events")
        except ScheduleExpressionError:
            log.warning("rule %s has a schedule expression EventBridge refuses: %r", rule.arn,
                        rule.schedule_expression)
            self._disarm(rule.rule_id)
            return
        due = schedule.next_fire(self.clock.now(), start=anchor)
        with self.db.transaction():
            self.db.execute("INSERT OR REPLACE INTO rule_schedules (rule_id, expression, anchor, next_fire) "
                            "VALUES (?, ?, ?, ?)", (rule.rule_id, rule.schedule_expression, anchor, due))
        self._set_timer(rule.rule_id, due)

    def _disarm(self, rule_id: int) -> None:
        self._cancel_timer(rule_id)
        with self.db.transaction():
            self.db.execute("DELETE FROM rule_schedules WHERE rule_id = ?", (rule_id,))

    def _rearm_all(self) -> None:
        """At start: a timer for every stored next run (overdue ones fire once, now), and a row
        for any scheduled rule that lacks one (the server stopped between the two writes)."""
        rows = {rule_id: (expression, anchor, due) for rule_id, expression, anchor, due
                in self.db.query("SELECT rule_id, expression, anchor, next_fire FROM rule_schedules")}
        for rule in (RuleRow.from_row(row) for row in self.db.query(_SCHEDULED_RULES)):
            stored = rows.pop(rule.rule_id, None)
            if not rule.enabled:
                if stored is not None:
                    self._disarm(rule.rule_id)
            elif stored is None or stored[0] != rule.schedule_expression:
                self._arm(rule, anchor=rule.created if stored is None and rule.created else self.clock.now())
            else:
                self._set_timer(rule.rule_id, stored[2])
        for rule_id in rows:  # rules deleted without their row
            self._disarm(rule_id)

    # ------------------------------------------------------------------ timers
    def _set_timer(self, rule_id: int, due: float | None) -> None:
        self._cancel_timer(rule_id)
        if due is not None:
            # In memory: the row is the truth and start() re-arms from it.
            self._schedule_timers[rule_id] = self.cloud.scheduler.schedule(
                due, TIMER_KIND, {"rule_id": rule_id, "due": due}, durable=False)

    def _cancel_timer(self, rule_id: int) -> None:
        timer_id = self._schedule_timers.pop(rule_id, None)
        if timer_id is not None:
            self.cloud.scheduler.cancel(timer_id)

    def _schedule_row(self, rule_id: int):
        return self.db.query_one("SELECT expression, anchor, next_fire FROM rule_schedules WHERE rule_id = ?",
                                 (rule_id,))

    def _on_schedule_timer(self, payload: dict) -> None:
        rule_id = payload.get("rule_id")
        stored = self._schedule_row(rule_id)
        if stored is None or stored[2] != payload.get("due"):
            return  # a timer of a schedule since changed, disabled or deleted
        row = self.db.query_one(_RULE_BY_ID, (rule_id,))
        rule = RuleRow.from_row(row) if row else None
        if rule is None or not rule.enabled or rule.schedule_expression != stored[0]:
            self._disarm(rule_id)
            return
        self._run_schedule(rule, anchor=stored[1])

    def _run_schedule(self, rule: RuleRow, anchor: float) -> None:
        """One run: the Scheduled Event to the rule's targets, and the next run, together."""
        now = self.clock.now()
        due = parse_schedule(rule.schedule_expression, service="events").next_fire(now, start=anchor)
        scope = rule.scope
        bus = self.bus_row(scope, rule.bus_name)
        event = self.build_envelope(scope, source=SCHEDULED_SOURCE, detail_type=SCHEDULED_DETAIL_TYPE,
                                    detail={}, resources=[rule.arn], time=now)
        try:
            with self.db.transaction():
                if bus is not None:
                    self.accept_events(scope, bus, [event], rules=[rule])
                self._store_next_fire(rule.rule_id, due)
        except Exception:  # noqa: BLE001 - this run is lost, the schedule must go on
            log.exception("the scheduled run of %s failed", rule.arn)
            self._store_next_fire(rule.rule_id, due)
        self._set_timer(rule.rule_id, due)

    def _store_next_fire(self, rule_id: int, due: float | None) -> None:
        with self.db.transaction():
            self.db.execute("UPDATE rule_schedules SET next_fire = ? WHERE rule_id = ?", (due, rule_id))
