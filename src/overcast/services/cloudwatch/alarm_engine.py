"""The alarms' runtime: every alarm evaluated each period on the cloud clock, transitions
recorded in the history, actions carried out, composite alarms following their children.

One durable timer (``cloudwatch.alarm_tick``) wakes the evaluation at each minute boundary of
the cloud clock (every 10 seconds while an alarm has a sub-minute period), so
``POST /_overcast/clock`` drives it and a restart resumes it (the timer is stored; its id is
kept in ``alarm_schedule``). An alarm is evaluated at the ticks that fall on its period's grid
(every minute for periods of a minute or more, as CloudWatch does), over its evaluation range
of whole periods ending at the last complete one. The round yields to the event loop every few
milliseconds, so a thousand alarms do not hold up the requests being answered meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from overcast.services.cloudwatch.alarm_actions import ActionFailed, ActionPending, run_action
from overcast.services.cloudwatch.alarm_events import previous_state, publish_state_change
from overcast.services.cloudwatch.alarm_evaluation import (ALARM, INSUFFICIENT_DATA, OK, Criteria, Datapoint, decide,
                                                           evaluation_range_periods, low_sample_minimum)
from overcast.services.cloudwatch.alarm_lambda import invocation_event
from overcast.services.cloudwatch.alarm_messages import notification, subject
from overcast.services.cloudwatch.alarm_reasons import ReasonContext, iso_millis, state_reason, state_reason_data
from overcast.services.cloudwatch.alarm_rule import evaluate_rule, parse_rule
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, METRIC_ALARM, Alarm, AlarmStore, alarm_arn
from overcast.services.cloudwatch.alarm_suppression import Suppression

log = logging.getLogger("overcast.cloudwatch.alarms")

TICK_KIND = "cloudwatch.alarm_tick"
MINUTE = 60
HIGH_RESOLUTION_TICK = 10
YIELD_AFTER = 0.002  # seconds of evaluation between two yields: requests wait at most one slice (p99 < 10 ms, benchmarks/README.md)
ACTION_LISTS = {ALARM: "AlarmActions", OK: "OKActions", INSUFFICIENT_DATA: "InsufficientDataActions"}
MAX_CASCADE = 20  # composite alarms of composite alarms: evaluation stops at a cycle or this depth


def alarm_period(config: dict) -> int:
    return int(config.get("Period") or config.get("_period") or MINUTE)


def dimensions_dict(config: dict) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in config.get("Dimensions") or []}


class AlarmEngine:
    """Evaluation, transitions and actions of every alarm of one CloudWatch provider."""

    def __init__(self, provider):
        self.provider = provider
        self.store = AlarmStore(provider.db)
        self._composite_scopes: set | None = None  # during a round: the scopes that have composites
        self.suppression = Suppression(self)

    @property
    def clock(self):
        return self.provider.cloud.clock

    # -- the schedule ----------------------------------------------------------------------

    def ensure_ticking(self, interval: int | None = None) -> None:
        """Make sure the evaluation timer is pending (after a put, at start); a sub-minute alarm
        (``interval`` 10) moves a tick further away than that closer. Each tick then works out
        the interval the alarms it finds need."""
        scheduler = self.provider.cloud.scheduler
        now = self.clock.now()
        interval = interval or MINUTE
        saved = self.store.schedule()
        if saved is not None and scheduler.pending(saved[0]):
            if saved[1] - now <= interval:
                return
            scheduler.cancel(saved[0])
        if not self.store.count():
            return
        due = (now // interval + 1) * interval
        self._schedule(due)

    def _schedule(self, due: float) -> None:
        timer_id = self.provider.cloud.scheduler.schedule(due, TICK_KIND, {"due": due})
        self.store.save_schedule(timer_id, due)

    async def on_tick(self, payload: dict) -> None:
        due = float(payload.get("due") or self.clock.now())
        rows = self.store.every_row()  # decoded one by one below, between the yields
        if not rows:
            return
        self._composite_scopes = self.store.scopes_with_composites()
        shortest = MINUTE
        changes: list[tuple[Alarm, tuple[str, str, str]]] = []
        slice_start = time.perf_counter()
        for row in rows:
            alarm = self.store.alarm_of(row)
            if alarm.kind == METRIC_ALARM:
                period = alarm_period(alarm.config)
                shortest = min(shortest, period)
                if due % min(period, MINUTE) == 0:
                    try:
                        change = self.decide_metric_alarm(alarm, due)
                    except Exception:  # noqa: BLE001 - one broken alarm must not stop the others
                        log.exception("evaluating alarm %s failed", alarm.arn)
                        change = None
                    if change is not None:
                        changes.append((alarm, change))
            if time.perf_counter() - slice_start > YIELD_AFTER:
                await self._apply(changes, due)
                changes = []
                await asyncio.sleep(0)
                slice_start = time.perf_counter()
        await self._apply(changes, due)
        self._composite_scopes = None
        interval = HIGH_RESOLUTION_TICK if shortest < MINUTE else MINUTE
        following = (due // interval + 1) * interval
        scheduler = self.provider.cloud.scheduler
        saved = self.store.schedule()
        upcoming = saved is not None and saved[1] > due and scheduler.pending(saved[0])
        # a re-run of this tick after a crash, or a put of a 10 s alarm meanwhile, already
        # scheduled a tick no later than this one would
        if upcoming and saved[1] <= following:
            return
        if upcoming:
            scheduler.cancel(saved[0])
        self._schedule(following)

    async def _apply(self, changes: list, now: float) -> None:
        """Record a slice's transitions in one transaction, then carry out their actions."""
        if not changes:
            return
        with self.store.db.transaction():
            olds = [self._record(alarm, *change, now) for alarm, change in changes]
        slice_start = time.perf_counter()
        for (alarm, _), old_state in zip(changes, olds):
            try:
                await self._follow_up(alarm, old_state, now)
            except Exception:  # noqa: BLE001
                log.exception("the actions of alarm %s failed", alarm.arn)
            if time.perf_counter() - slice_start > YIELD_AFTER:
                await asyncio.sleep(0)
                slice_start = time.perf_counter()

    # -- metric alarms ---------------------------------------------------------------------

    async def evaluate_metric_alarm(self, alarm: Alarm, now: float) -> None:
        change = self.decide_metric_alarm(alarm, now)
        if change is not None:
            await self.transition(alarm, *change, now)

    def decide_metric_alarm(self, alarm: Alarm, now: float) -> tuple[str, str, str] | None:
        """(new state, reason, reason data) when the alarm's evaluation at ``now`` moves it."""
        config = alarm.config
        period = alarm_period(config)
        n = config["EvaluationPeriods"]
        periods = evaluation_range_periods(n)
        end = (now // period) * period
        start = end - periods * period
        points = self._points(alarm, start, end, period)
        statistic = config.get("Statistic") or config.get("ExtendedStatistic")
        low = low_sample_minimum(statistic) if config.get("EvaluateLowSampleCountPercentile") == "ignore" else None
        treatment = config.get("TreatMissingData", "missing")
        if config.get("Namespace") == "AWS/DynamoDB":
            # "Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore missing
            # data even if you choose a different option" (PutMetricAlarm, TreatMissingData)
            treatment = "ignore"
        criteria = Criteria(n, config.get("DatapointsToAlarm") or n, config["ComparisonOperator"],
                            config.get("Threshold"), treatment, low)
        decision = decide(points, criteria)
        if decision.state is None or decision.state == alarm.state_value:
            return None
        context = ReasonContext(criteria, config.get("DatapointsToAlarm") is not None, alarm.state_value, now, period,
                                statistic, config.get("Unit"))
        return decision.state, state_reason(decision, context), state_reason_data(decision, context)

    def _points(self, alarm: Alarm, start: float, end: float, period: int) -> list[Datapoint]:
        config = alarm.config
        grid = [start + i * period for i in range(int((end - start) // period))]
        if config.get("Metrics"):
            return self._math_points(alarm, start, end, grid)
        from overcast.services.cloudwatch.statistics import statistic_value

        statistic = config.get("Statistic") or config.get("ExtendedStatistic")
        aggregates = self.provider.metric_store.aggregates(
            alarm.scope, config["Namespace"], config["MetricName"], dimensions_dict(config), start, end, period,
            config.get("Unit"), need_distribution="ExtendedStatistic" in config)
        by_time = {}
        for aggregate in aggregates:
            by_time.setdefault(aggregate.timestamp, aggregate)
        points = []
        for stamp in grid:
            aggregate = by_time.get(stamp)
            value = statistic_value(aggregate, statistic) if aggregate is not None else None
            points.append(Datapoint(stamp, value, aggregate.sample_count if aggregate is not None else None))
        return points

    def _math_points(self, alarm: Alarm, start: float, end: float, grid: list[float]) -> list[Datapoint]:
        from overcast.services.cloudwatch.metric_queries import run_queries

        config = alarm.config
        band_id = config.get("ThresholdMetricId")
        queries = []
        for query in config["Metrics"]:
            query = dict(query)
            query["ReturnData"] = query["Id"] == band_id or (query.get("ReturnData", True) and query["Id"] != band_id)
            queries.append(query)
        results = run_queries(self.provider, alarm.scope, queries, start, end, scan_by="TimestampAscending")
        values = next((r for r in results if r.id != band_id), None)
        band = [r for r in results if r.id == band_id]
        series = dict(zip(values.timestamps, values.values)) if values is not None else {}
        lower = dict(zip(band[0].timestamps, band[0].values)) if band else {}
        upper = dict(zip(band[-1].timestamps, band[-1].values)) if band else {}
        points = []
        for stamp in grid:
            value = series.get(stamp)
            if band_id is not None and (stamp not in lower or stamp not in upper):
                value = None  # no band for that period: it cannot be compared
            points.append(Datapoint(stamp, value, None, lower.get(stamp), upper.get(stamp)))
        return points

    # -- composite alarms ------------------------------------------------------------------

    async def evaluate_composite(self, alarm: Alarm, now: float, trigger: Alarm | None = None, depth: int = 0) -> None:
        parsed = parse_rule(alarm.config["AlarmRule"])
        tree = parsed.tree
        # only the children are read (a reference is a name or an ARN of this scope)
        candidates = set(parsed.children) | {r.rsplit(":alarm:", 1)[-1] for r in parsed.children}
        scope_alarms = {a.name: a for a in self.store.named(alarm.scope, sorted(candidates))}
        by_arn = {a.arn: a for a in scope_alarms.values()}

        def state_of(reference: str) -> str | None:
            child = by_arn.get(reference) or scope_alarms.get(reference)
            return child.state_value if child is not None else None

        new_state = ALARM if evaluate_rule(tree, state_of) else OK
        if new_state == alarm.state_value:
            return
        children = [c for c in (by_arn.get(r) or scope_alarms.get(r) for r in parsed.children) if c is not None]
        triggering = [trigger] if trigger is not None else children[:1]
        if triggering:
            first = triggering[0]
            reason = f"{first.arn} transitioned to {first.state_value} at {_spelled_date(first.state_updated)}"
        else:
            reason = f"The alarm rule evaluates to {'TRUE' if new_state == ALARM else 'FALSE'}"
        data = {"triggeringAlarms": [{"arn": c.arn, "state": {"value": c.state_value,
                                                              "timestamp": iso_millis(c.state_updated)}}
                                     for c in triggering]}
        await self.transition(alarm, new_state, reason, json.dumps(data, separators=(",", ":")), now,
                              triggering=[{"Arn": c.arn, "State": {"Value": c.state_value,
                                                                   "Timestamp": iso_millis(c.state_updated)}}
                                          for c in triggering], depth=depth)

    async def _update_parents(self, child: Alarm, old_state: str, now: float, depth: int) -> None:
        scopes = self._composite_scopes
        if scopes is not None and child.scope not in scopes:
            return  # no composite alarm in that account and region (known for this round)
        if depth >= MAX_CASCADE:
            log.warning("composite alarm evaluation stopped at depth %d (a cycle?) after %s", depth, child.arn)
            return
        await self.suppression.suppressor_changed(child, old_state, now)
        for parent in self.store.composites(child.scope):
            children = parse_rule(parent.config["AlarmRule"]).children
            if child.name in children or child.arn in children:
                await self.evaluate_composite(parent, now, trigger=child, depth=depth + 1)

    # -- transitions -----------------------------------------------------------------------

    async def transition(self, alarm: Alarm, new_state: str, reason: str, reason_data: str | None, now: float,
                         triggering: list[dict] | None = None, depth: int = 0, manual: bool = False) -> None:
        """Move ``alarm`` to ``new_state`` (recorded, with history), then carry out its actions
        and let the composite alarms that watch it follow."""
        old_state = self._record(alarm, new_state, reason, reason_data, now)
        await self._follow_up(alarm, old_state, now, triggering, depth)

    def _record(self, alarm: Alarm, new_state: str, reason: str, reason_data: str | None, now: float) -> str:
        """The new state and its history item, written; returns the old state."""
        old = (alarm.state_value, alarm.state_reason, alarm.state_reason_data)
        alarm.extra["previous_state"] = previous_state(alarm)  # for the state change event
        alarm.state_value, alarm.state_reason, alarm.state_reason_data = new_state, reason, reason_data
        alarm.state_updated = now
        if new_state != old[0]:
            alarm.state_transitioned = now
        self.store.save_state(alarm)
        self.store.add_history(alarm, now, "StateUpdate", f"Alarm updated from {old[0]} to {new_state}", {
            "version": "1.0",
            "oldState": _state_json(*old),
            "newState": _state_json(new_state, reason, reason_data),
        })
        return old[0]

    async def _follow_up(self, alarm: Alarm, old_state: str, now: float, triggering: list[dict] | None = None,
                         depth: int = 0) -> None:
        """After a recorded change: the actions (when the state changed), then the parents."""
        if alarm.state_value == old_state:
            return
        held = alarm.kind == COMPOSITE_ALARM and self.suppression.holds(alarm, old_state, now)
        publish_state_change(self.provider.cloud, alarm, alarm.extra.pop("previous_state", {"value": old_state}))
        if alarm.actions_enabled and not held:
            await self.run_actions(alarm, old_state, triggering)
        await self._update_parents(alarm, old_state, now, depth)

    async def run_actions(self, alarm: Alarm, old_state: str, triggering: list[dict] | None = None) -> None:
        actions = alarm.config.get(ACTION_LISTS[alarm.state_value]) or []
        if not actions:
            return
        message = notification(alarm, old_state, triggering)
        title = subject(alarm, alarm.state_value)
        event = invocation_event(alarm, old_state)
        for arn in actions:
            stamp = self.clock.now()
            try:
                details = await run_action(self.provider, alarm, arn, message, title, event)
            except ActionPending as pending:
                self.store.add_history(alarm, stamp, "Action", f"Action {arn} is pending: {pending}",
                                       {"actionState": "Pending",
                                        "stateUpdateTimestamp": int(alarm.state_updated * 1000)})
                continue
            except ActionFailed as failure:
                self.store.add_history(alarm, stamp, "Action", f"Failed to execute action {arn}. Received error: "
                                       f"\"{failure}\"", {"actionState": "Failed",
                                                         "stateUpdateTimestamp": int(alarm.state_updated * 1000),
                                                         "error": str(failure)})
                continue
            self.store.add_history(alarm, stamp, "Action", f"Successfully executed action {arn}",
                                   {"actionState": "Succeeded", "stateUpdateTimestamp": int(alarm.state_updated * 1000),
                                    **details})


def _state_json(value: str, reason: str, reason_data: str | None) -> dict:
    out: dict = {"stateValue": value, "stateReason": reason}
    if reason_data:
        try:
            out["stateReasonData"] = json.loads(reason_data)
        except ValueError:
            pass
    return out


def _spelled_date(timestamp: float) -> str:
    """"Friday 22 July, 2022 15:57:45 UTC" (composite alarms' reasons)."""
    return time.strftime("%A %d %B, %Y %H:%M:%S UTC", time.gmtime(timestamp))


def new_alarm(scope, name: str, kind: str, config: dict, now: float, actions_enabled: bool) -> Alarm:
    """A new alarm: INSUFFICIENT_DATA, "Unchecked: Initial alarm creation"."""
    from overcast.services.cloudwatch.alarm_reasons import INITIAL_REASON

    return Alarm(scope[0], scope[1], name, kind, config, INSUFFICIENT_DATA, INITIAL_REASON, None, now, now, now,
                 actions_enabled)


__all__ = ["AlarmEngine", "TICK_KIND", "new_alarm", "alarm_arn", "dimensions_dict"]
