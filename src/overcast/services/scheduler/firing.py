"""When schedules run, on the cloud clock.

Each schedule row keeps its next run (``nominal``: the time the expression gives; ``due``: the
instant within the flexible window it fires at, picked at random as AWS does). A timer (in
memory; the rows are the durable truth and ``start`` arms them again after a restart) fires
it: the run is written down as an invocation (``invocations.py`` calls the target) and the next
run is planned in the same transaction. A run falls due once however long the server was down:
the next one is planned after the current time, not after the missed run (AWS does not replay
missed runs). A rate schedule runs at its StartDate, or at once when created without one, then
every period. at() schedules run once; with ActionAfterCompletion DELETE the schedule is then
deleted, as are recurring schedules past their EndDate.
"""

from __future__ import annotations

import json
import random

from overcast.services.events.schedule_expressions import parse_schedule
from overcast.storage.scope import Scope

FIRE = "scheduler.fire"
_INSTANT = 0.001  # seconds: "now" for planning, as opposed to strictly after now


def plan_run(spec: dict, *, after: float, start: float | None, end: float | None,
             created: float) -> tuple[float, float] | None:
    """(nominal, due) of the first run strictly after ``after``, or None when none is left."""
    schedule = parse_schedule(spec["ScheduleExpression"], service="scheduler")
    tz = spec.get("ScheduleExpressionTimezone") or "UTC"
    if schedule.kind == "at":  # a one-time schedule ignores StartDate and EndDate
        nominal = schedule.next_fire(after, tz)
    elif schedule.kind == "rate":  # runs fall a whole number of periods after the start
        nominal = schedule.next_fire(after, tz, start=start if start is not None else created)
    else:
        nominal = schedule.next_fire(max(after, start - 0.001) if start is not None else after, tz)
    if nominal is None or (end is not None and schedule.kind != "at" and nominal > end):
        return None
    window = spec["FlexibleTimeWindow"]
    due = nominal
    if window["Mode"] == "FLEXIBLE":  # somewhere in [nominal, nominal + window]
        due = nominal + random.uniform(0, window["MaximumWindowInMinutes"] * 60)
    return nominal, due


def _window_seconds(spec: dict) -> float:
    window = spec["FlexibleTimeWindow"]
    return window.get("MaximumWindowInMinutes", 0) * 60 if window["Mode"] == "FLEXIBLE" else 0


class FiringOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._armed: dict[tuple, int] = {}  # (account, region, group, name) -> timer id
        cloud.scheduler.on(FIRE, self._on_fire)

    def _arm(self, key: tuple, due: float, generation: int) -> None:
        old = self._armed.pop(key, None)
        if old is not None:
            self.cloud.scheduler.cancel(old)
        self._armed[key] = self.cloud.scheduler.schedule(
            due, FIRE, {"key": list(key), "generation": generation}, durable=False)

    def disarm(self, scope: Scope, group: str, name: str) -> None:
        timer = self._armed.pop((*scope, group, name), None)
        if timer is not None:
            self.cloud.scheduler.cancel(timer)

    def plan(self, scope: Scope, group: str, name: str) -> None:
        """Plan a schedule's next run after a change (none while it is DISABLED)."""
        row = self.db.query_one("SELECT spec, state, start_date, end_date, created, generation FROM schedules "
                                "WHERE account = ? AND region = ? AND group_name = ? AND name = ?",
                                (*scope, group, name))
        self.disarm(scope, group, name)
        if row is None:
            return
        spec_text, state, start, end, created, generation = row
        planned = None
        if state == "ENABLED":
            # a run due this very instant is planned, not skipped: a rate schedule without a
            # StartDate "starts invoking the target immediately" (Scheduler user guide), at creation
            planned = plan_run(json.loads(spec_text), after=self.clock.now() - _INSTANT, start=start, end=end,
                               created=created)
        nominal, due = planned if planned else (None, None)
        self.db.execute("UPDATE schedules SET nominal = ?, due = ? WHERE account = ? AND region = ? AND "
                        "group_name = ? AND name = ?", (nominal, due, *scope, group, name))
        if due is not None:
            self._arm((*scope, group, name), due, generation)

    def arm_all(self) -> None:
        """After a start: the timers of every planned run (those that fell due fire now, once)."""
        for account, region, group, name, due, generation in self.db.query(
                "SELECT account, region, group_name, name, due, generation FROM schedules WHERE due IS NOT NULL"):
            self._arm((account, region, group, name), due, generation)

    async def _on_fire(self, payload: dict) -> None:
        account, region, group, name = payload["key"]
        key = (account, region, group, name)
        self._armed.pop(key, None)
        row = self.db.query_one("SELECT spec, state, start_date, end_date, created, generation, nominal FROM schedules "
                                "WHERE account = ? AND region = ? AND group_name = ? AND name = ?", key)
        if row is None or row[5] != payload["generation"] or row[1] != "ENABLED" or row[6] is None:
            return  # deleted, changed or disabled since this timer was armed
        spec_text, _state, start, end, created, generation, nominal = row
        spec = json.loads(spec_text)
        now = self.clock.now()
        # a run fired late (the server was down) is followed by the next one after now
        after = nominal if now <= nominal + _window_seconds(spec) + 1 else now
        planned = plan_run(spec, after=after, start=start, end=end, created=created)
        delete = planned is None and spec.get("ActionAfterCompletion") == "DELETE"
        with self.db.transaction():
            invocation_id = self.record_invocation(Scope(account, region), group, name, spec["Target"], nominal, now)
            if delete:
                self.db.execute("DELETE FROM schedules WHERE account = ? AND region = ? AND group_name = ? AND "
                                "name = ?", key)
            else:
                self.db.execute("UPDATE schedules SET nominal = ?, due = ? WHERE account = ? AND region = ? AND "
                                "group_name = ? AND name = ?", (*(planned or (None, None)), *key))
        if planned is not None:
            self._arm(key, planned[1], generation)
        await self.invoke(invocation_id)
