"""PutMetricAlarm, PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
DescribeAlarmHistory, DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions.

The runtime that evaluates the alarms and carries out their actions is ``alarm_engine.py``;
the checks are ``alarm_validation.py`` and ``composite_validation.py``.
"""

from __future__ import annotations

import json
from datetime import datetime

from overcast.services.cloudwatch.alarm_engine import (HIGH_RESOLUTION_TICK, TICK_KIND, AlarmEngine, alarm_period,
                                                       new_alarm)
from overcast.services.cloudwatch.alarm_errors import ValidationError
from overcast.services.cloudwatch.alarm_paging import page, page_size
from overcast.services.cloudwatch.alarm_request_checks import (check_alarm_names, check_describe_alarm_history,
                                                               check_describe_alarms,
                                                               check_describe_alarms_for_metric, check_set_alarm_state)
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, METRIC_ALARM, Alarm
from overcast.services.cloudwatch.alarm_suppression import SUPPRESSION_KIND
from overcast.services.cloudwatch.alarm_validation import check_metric_alarm
from overcast.services.cloudwatch.alarm_view import alarm_view
from overcast.services.cloudwatch.composite_validation import check_composite_alarm, children_of
from overcast.services.cloudwatch.errors import ResourceNotFound
from overcast.services.cloudwatch.tags import check_tags
from overcast.storage.scope import Scope



def _epoch(value) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


class AlarmOperations:
    """The alarm operations of the CloudWatch provider."""

    def __init__(self, cloud):
        super().__init__(cloud)
        self._alarm_engine: AlarmEngine | None = None
        cloud.scheduler.on(TICK_KIND, self._on_alarm_tick)
        cloud.scheduler.on(SUPPRESSION_KIND, self._on_suppression_end)

    @property
    def alarm_engine(self) -> AlarmEngine:
        if self._alarm_engine is None:
            self._alarm_engine = AlarmEngine(self)
        return self._alarm_engine

    async def _on_alarm_tick(self, payload: dict) -> None:
        await self.alarm_engine.on_tick(payload)

    async def _on_suppression_end(self, payload: dict) -> None:
        await self.alarm_engine.suppression.on_wake(payload)

    async def start(self) -> None:
        await super().start()
        self.alarm_engine.ensure_ticking()  # after a restart: the stored timer is pending again

    def resource_exists(self, scope, arn: str) -> bool:
        """Whether ``arn`` is an alarm of ``scope`` (TagResource and friends)."""
        if ":alarm:" not in arn:
            return False
        return self.alarm_engine.store.get(scope, arn.split(":alarm:", 1)[1]) is not None

    # -- creating --------------------------------------------------------------------------

    def put_metric_alarm(self, ctx, params: dict) -> dict:
        config = check_metric_alarm(params, ctx.region)
        self._save_alarm(ctx, METRIC_ALARM, config, params)
        self.alarm_engine.ensure_ticking(HIGH_RESOLUTION_TICK if alarm_period(config) < 60 else None)
        return {}

    async def put_composite_alarm(self, ctx, params: dict) -> dict:
        scope = Scope.of(ctx)
        config = check_composite_alarm(params, ctx.region, self.alarm_engine.store, scope)
        alarm = self._save_alarm(ctx, COMPOSITE_ALARM, config, params)
        # a composite alarm is evaluated when it is created or updated, then when a child changes
        await self.alarm_engine.evaluate_composite(alarm, self.clock.now())
        return {}

    def _save_alarm(self, ctx, kind: str, config: dict, params: dict) -> Alarm:
        scope = Scope.of(ctx)
        store = self.alarm_engine.store
        now = self.clock.now()
        name = config["AlarmName"]
        tags = check_tags(params.get("Tags"))  # checked before anything is stored
        existing = store.get(scope, name)
        if existing is not None and existing.kind != kind:
            raise ValidationError(f"An alarm with the name {name} already exists as a "
                                  f"{'composite' if existing.kind == COMPOSITE_ALARM else 'metric'} alarm.")
        enabled = params.get("ActionsEnabled")
        enabled = True if enabled is None else bool(enabled)
        if existing is None:
            alarm = new_alarm(scope, name, kind, config, now, enabled)
        else:
            alarm = existing
            alarm.config, alarm.config_updated, alarm.actions_enabled = config, now, enabled
        store.save(alarm)
        view = alarm_view(alarm)
        if existing is None:
            summary, data = f'Alarm "{name}" created', {"version": "1.0", "type": "Create",
                                                        "createdAlarm": _history_view(view)}
        else:
            summary, data = f'Alarm "{name}" updated', {"version": "1.0", "type": "Update",
                                                        "updatedAlarm": _history_view(view)}
        store.add_history(alarm, now, "ConfigurationUpdate", summary, data)
        if tags:
            self.put_tags(scope, alarm.arn, tags)
        return alarm

    # -- reading ---------------------------------------------------------------------------

    def describe_alarms(self, ctx, params: dict) -> dict:
        scope = Scope.of(ctx)
        store = self.alarm_engine.store
        names, prefix = params.get("AlarmNames"), params.get("AlarmNamePrefix")
        children_of_name, parents_of_name = params.get("ChildrenOfAlarmName"), params.get("ParentsOfAlarmName")
        check_describe_alarms(params)
        state, types = params.get("StateValue"), params.get("AlarmTypes")
        size = page_size(params, 50)
        fingerprint = json.dumps({k: v for k, v in params.items() if k not in ("NextToken", "MaxRecords")},
                                 sort_keys=True, default=str)
        action_prefix = params.get("ActionPrefix")
        if children_of_name is not None or parents_of_name is not None:
            selected = self._relatives(scope, children_of_name, parents_of_name)
            chunk, token = page(selected, params, size, fingerprint)
        elif action_prefix is None:
            # filtered and paged on names, only the page's alarms read whole (thousands of
            # alarms page cheaply); "If you omit this parameter, only metric alarms are
            # returned" (AlarmTypes)
            listed = store.names(scope, types or [METRIC_ALARM], list(dict.fromkeys(names or [])) or None, prefix,
                                 state)
            page_names, token = page(listed, params, size, fingerprint)
            chunk = store.named(scope, page_names)
        else:
            selected = [a for a in (store.named(scope, list(dict.fromkeys(names))) if names
                                    else store.of_scope(scope))
                        if a.kind in (types or [METRIC_ALARM])
                        and (prefix is None or a.name.startswith(prefix))
                        and (state is None or a.state_value == state)
                        and any(arn.startswith(action_prefix) for key in ("AlarmActions", "OKActions",
                                                                          "InsufficientDataActions")
                                for arn in a.config.get(key) or [])]
            chunk, token = page(selected, params, size, fingerprint)
        out = {"MetricAlarms": [alarm_view(a) for a in chunk if a.kind == METRIC_ALARM],
               "CompositeAlarms": [alarm_view(a) for a in chunk if a.kind == COMPOSITE_ALARM]}
        if token:
            out["NextToken"] = token
        return out

    def _relatives(self, scope, children_of_name: str | None, parents_of_name: str | None) -> list[Alarm]:
        """ChildrenOfAlarmName's children, or ParentsOfAlarmName's composite parents."""
        alarms = self.alarm_engine.store.of_scope(scope)
        if children_of_name is not None:
            parent = next((a for a in alarms if a.name == children_of_name and a.kind == COMPOSITE_ALARM), None)
            wanted = set(children_of(parent)) if parent is not None else set()
            return [a for a in alarms if a.name in wanted or a.arn in wanted]
        child = next((a for a in alarms if a.name == parents_of_name), None)
        return [a for a in alarms if child is not None and a.kind == COMPOSITE_ALARM
                and (child.name in children_of(a) or child.arn in children_of(a))]

    def describe_alarms_for_metric(self, ctx, params: dict) -> dict:
        check_describe_alarms_for_metric(params)
        name, namespace = params.get("MetricName"), params.get("Namespace")
        dimensions = sorted((d.get("Name"), d.get("Value")) for d in params.get("Dimensions") or [])
        selected = []
        for alarm in self.alarm_engine.store.of_scope(Scope.of(ctx)):
            config = alarm.config
            if alarm.kind != METRIC_ALARM or config.get("MetricName") != name or config.get("Namespace") != namespace:
                continue
            if sorted((d["Name"], d["Value"]) for d in config.get("Dimensions") or []) != dimensions:
                continue
            if any(params.get(key) is not None and params[key] != config.get(key)
                   for key in ("Statistic", "ExtendedStatistic", "Period", "Unit")):
                continue
            selected.append(alarm_view(alarm))
        return {"MetricAlarms": selected}

    def describe_alarm_history(self, ctx, params: dict) -> dict:
        check_describe_alarm_history(params)
        name, item_type, types = params.get("AlarmName"), params.get("HistoryItemType"), params.get("AlarmTypes")
        scan_by = params.get("ScanBy") or "TimestampDescending"
        start = _epoch(params["StartDate"]) if params.get("StartDate") is not None else None
        end = _epoch(params["EndDate"]) if params.get("EndDate") is not None else None
        size = page_size(params, 100)
        if name is None and not types:
            # "If an alarm name is not specified, the histories for either all metric alarms or
            # all composite alarms are returned" (metric alarms unless AlarmTypes says otherwise)
            types = [METRIC_ALARM]
        rows = self.alarm_engine.store.history(Scope.of(ctx), name, item_type, start, end, types,
                                               scan_by == "TimestampDescending")
        fingerprint = json.dumps({k: v for k, v in params.items() if k not in ("NextToken", "MaxRecords")},
                                 sort_keys=True, default=str)
        chunk, token = page(rows, params, size, fingerprint)
        out: dict = {"AlarmHistoryItems": [
            {"AlarmName": row[1], "AlarmType": row[2], "Timestamp": row[3], "HistoryItemType": row[4],
             "HistorySummary": row[5], "HistoryData": row[6]} for row in chunk]}
        if token:
            out["NextToken"] = token
        return out

    # -- changing --------------------------------------------------------------------------

    def delete_alarms(self, ctx, params: dict) -> dict:
        names = check_alarm_names(params)
        scope = Scope.of(ctx)
        store = self.alarm_engine.store
        alarms = {a.name: a for a in store.of_scope(scope)}
        doomed = [alarms[n] for n in dict.fromkeys(names) if n in alarms]
        if sum(1 for a in doomed if a.kind == COMPOSITE_ALARM) > 1:
            raise ValidationError("You can delete at most one composite alarm in one operation.")
        doomed_names = {a.name for a in doomed}
        for alarm in doomed:
            parents = [p.name for p in alarms.values() if p.kind == COMPOSITE_ALARM and p.name not in doomed_names
                       and (alarm.name in children_of(p) or alarm.arn in children_of(p))]
            if parents:
                raise ValidationError(f"Could not delete alarm {alarm.name} as it is referenced by composite "
                                      f"alarm(s) [{', '.join(parents)}].")
        # "If you specify any incorrect alarm names, the alarms you specify with correct names
        # are still deleted" (DeleteAlarms reference)
        store.delete(scope, [a.name for a in doomed])
        for alarm in doomed:
            self.forget_tags(scope, alarm.arn)
        return {}

    async def set_alarm_state(self, ctx, params: dict) -> dict:
        name, state, reason, data = check_set_alarm_state(params)
        alarm = self.alarm_engine.store.get(Scope.of(ctx), name)
        if alarm is None:
            raise ResourceNotFound(f"Alarm {name} not found")
        await self.alarm_engine.transition(alarm, state, reason, data, self.clock.now(), manual=True)
        return {}

    def enable_alarm_actions(self, ctx, params: dict) -> dict:
        return self._set_actions_enabled(ctx, params, True)

    def disable_alarm_actions(self, ctx, params: dict) -> dict:
        return self._set_actions_enabled(ctx, params, False)

    def _set_actions_enabled(self, ctx, params: dict, enabled: bool) -> dict:
        names = check_alarm_names(params)
        self.alarm_engine.store.set_actions_enabled(Scope.of(ctx), list(names), enabled)
        return {}


def _history_view(view: dict) -> dict:
    """An alarm as ConfigurationUpdate history items show it (settings, no state)."""
    shown = {k: v for k, v in view.items() if not k.startswith("State")}
    shown["AlarmConfigurationUpdatedTimestamp"] = _iso(view["AlarmConfigurationUpdatedTimestamp"])
    return shown


def _iso(timestamp: float) -> str:
    from overcast.services.cloudwatch.alarm_reasons import iso_millis

    return iso_millis(timestamp)

