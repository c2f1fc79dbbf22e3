"""Composite alarms' action suppression (ActionsSuppressor, WaitPeriod, ExtensionPeriod).

When a composite alarm goes into ALARM, its actions are held:

- while its suppressor alarm is in ALARM (ActionsSuppressedBy ``Alarm``);
- for up to ActionsSuppressorWaitPeriod seconds when the suppressor is not in ALARM, waiting
  for it to get there (``WaitPeriod``): if it does, the actions stay held, otherwise they run
  when the wait ends;
- for ActionsSuppressorExtensionPeriod seconds after the suppressor leaves ALARM
  (``ExtensionPeriod``); the actions run then if the composite alarm is still in ALARM.

The ends of the waits are durable timers (``cloudwatch.suppression_end``) on the cloud clock.
Only the actions of the ALARM state are held (OK and INSUFFICIENT_DATA actions run as usual).
"""

from __future__ import annotations

from overcast.services.cloudwatch.alarm_evaluation import ALARM
from overcast.services.cloudwatch.alarm_store import COMPOSITE_ALARM, Alarm

SUPPRESSION_KIND = "cloudwatch.suppression_end"
_REASONS = {
    "Alarm": "Alarm is in ALARM state",
    "WaitPeriod": "Actions suppressed by WaitPeriod",
    "ExtensionPeriod": "Actions suppressed by ExtensionPeriod",
}


def suppressor_name(alarm: Alarm) -> str | None:
    suppressor = alarm.config.get("ActionsSuppressor") if alarm.kind == COMPOSITE_ALARM else None
    return suppressor.rsplit(":alarm:", 1)[-1] if suppressor else None


def mark(alarm: Alarm, by: str | None) -> None:
    """Set (or clear) the ActionsSuppressedBy / ActionsSuppressedReason DescribeAlarms shows."""
    if by is None:
        alarm.config.pop("ActionsSuppressedBy", None)
        alarm.config.pop("ActionsSuppressedReason", None)
    else:
        alarm.config["ActionsSuppressedBy"] = by
        alarm.config["ActionsSuppressedReason"] = _REASONS[by]


class Suppression:
    """The suppression rules of one AlarmEngine."""

    def __init__(self, engine):
        self.engine = engine

    @property
    def store(self):
        return self.engine.store

    def holds(self, alarm: Alarm, old_state: str, now: float) -> bool:
        """Whether the actions of ``alarm``'s new ALARM state are held (and why, recorded)."""
        name = suppressor_name(alarm)
        if name is None or alarm.state_value != ALARM:
            if alarm.config.get("ActionsSuppressedBy"):
                mark(alarm, None)
                self.store.save(alarm)
            return False
        suppressor = self.store.get(alarm.scope, name)
        alarm.config["_old_state"] = old_state  # for the notification sent when the hold ends
        if suppressor is not None and suppressor.state_value == ALARM:
            mark(alarm, "Alarm")
        else:
            mark(alarm, "WaitPeriod")
            self._wake(alarm, now + float(alarm.config.get("ActionsSuppressorWaitPeriod") or 0), old_state)
        self.store.save(alarm)
        return True

    def _wake(self, alarm: Alarm, due: float, old_state: str) -> None:
        self.engine.provider.cloud.scheduler.schedule(due, SUPPRESSION_KIND, {
            "account": alarm.account, "region": alarm.region, "name": alarm.name,
            "transitioned": alarm.state_transitioned, "old_state": old_state})

    async def suppressor_changed(self, suppressor: Alarm, old_state: str, now: float) -> None:
        """The suppressor of some composite alarms moved: those waiting for it hold their
        actions now (it went into ALARM), or start their extension (it left ALARM)."""
        for alarm in self.store.composites(suppressor.scope):
            if suppressor_name(alarm) != suppressor.name or alarm.state_value != ALARM:
                continue
            by = alarm.config.get("ActionsSuppressedBy")
            if suppressor.state_value == ALARM and by == "WaitPeriod":
                mark(alarm, "Alarm")
                self.store.save(alarm)
            elif old_state == ALARM and by == "Alarm":
                mark(alarm, "ExtensionPeriod")
                self.store.save(alarm)
                self._wake(alarm, now + float(alarm.config.get("ActionsSuppressorExtensionPeriod") or 0),
                           alarm.config.get("_old_state", "OK"))

    async def on_wake(self, payload: dict) -> None:
        """A wait or an extension ended: the held actions run unless the suppressor is (again)
        in ALARM or the composite alarm has moved since."""
        alarm = self.store.get((payload["account"], payload["region"]), payload["name"])
        if alarm is None or alarm.state_value != ALARM or alarm.state_transitioned != payload["transitioned"]:
            return
        by = alarm.config.get("ActionsSuppressedBy")
        if by not in ("WaitPeriod", "ExtensionPeriod"):
            return
        suppressor = self.store.get(alarm.scope, suppressor_name(alarm) or "")
        if suppressor is not None and suppressor.state_value == ALARM:
            mark(alarm, "Alarm")
            self.store.save(alarm)
            return
        mark(alarm, None)
        self.store.save(alarm)
        if alarm.actions_enabled:
            await self.engine.run_actions(alarm, payload.get("old_state", "OK"))
