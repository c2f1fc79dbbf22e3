"""The SQL of alarms and their history (``alarm_schema.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from overcast.storage.scope import partition_of

METRIC_ALARM, COMPOSITE_ALARM = "MetricAlarm", "CompositeAlarm"
_COLUMNS = ("account, region, name, kind, config, state_value, state_reason, state_reason_data, state_updated, "
            "state_transitioned, config_updated, actions_enabled")


@dataclass
class Alarm:
    """One alarm: its settings (``config``, as DescribeAlarms shows them) and its state."""
    account: str
    region: str
    name: str
    kind: str
    config: dict
    state_value: str
    state_reason: str
    state_reason_data: str | None
    state_updated: float
    state_transitioned: float
    config_updated: float
    actions_enabled: bool
    extra: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return alarm_arn(self.account, self.region, self.name)

    @property
    def scope(self) -> tuple[str, str]:
        return self.account, self.region


def alarm_arn(account: str, region: str, name: str) -> str:
    return f"arn:{partition_of(region)}:cloudwatch:{region}:{account}:alarm:{name}"


def _alarm(row) -> Alarm:
    return Alarm(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7], row[8], row[9],
                 row[10], bool(row[11]))


class AlarmStore:
    """Alarms of every scope in CloudWatch's database; each call commits before it returns."""

    def __init__(self, db):
        self.db = db

    def get(self, scope, name: str) -> Alarm | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM alarms WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        return _alarm(row) if row else None

    def of_scope(self, scope) -> list[Alarm]:
        """Every alarm of an account and region, by name."""
        rows = self.db.query(f"SELECT {_COLUMNS} FROM alarms WHERE account = ? AND region = ? ORDER BY name", scope)
        return [_alarm(row) for row in rows]

    def names(self, scope, kinds: list[str], names: list[str] | None, prefix: str | None,
              state: str | None) -> list[str]:
        """The names of the alarms matching DescribeAlarms' filters, in name order."""
        sql = f"SELECT name FROM alarms WHERE account = ? AND region = ? AND kind IN ({', '.join('?' for _ in kinds)})"
        args: list = [*scope, *kinds]
        if names is not None:
            sql += f" AND name IN ({', '.join('?' for _ in names)})"
            args.extend(names)
        if prefix is not None:
            sql += " AND substr(name, 1, ?) = ?"  # case-sensitive, unlike LIKE
            args.extend([len(prefix), prefix])
        if state is not None:
            sql += " AND state_value = ?"
            args.append(state)
        return [row[0] for row in self.db.query(sql + " ORDER BY name", args)]

    def named(self, scope, names: list[str]) -> list[Alarm]:
        """The alarms of ``names`` that exist, by name."""
        if not names:
            return []
        marks = ", ".join("?" for _ in names)
        rows = self.db.query(f"SELECT {_COLUMNS} FROM alarms WHERE account = ? AND region = ? AND name IN ({marks}) "
                             "ORDER BY name", (*scope, *names))
        return [_alarm(row) for row in rows]

    def composites(self, scope) -> list[Alarm]:
        """The composite alarms of an account and region (the parents a transition may move)."""
        rows = self.db.query(f"SELECT {_COLUMNS} FROM alarms WHERE account = ? AND region = ? AND kind = ? "
                             "ORDER BY name", (*scope, COMPOSITE_ALARM))
        return [_alarm(row) for row in rows]

    def every_row(self) -> list[tuple]:
        """Every alarm of every scope, undecoded (the evaluation's round decodes them one by
        one with ``alarm_of``, yielding to the event loop in between)."""
        return self.db.query(f"SELECT {_COLUMNS} FROM alarms")

    @staticmethod
    def alarm_of(row: tuple) -> Alarm:
        return _alarm(row)

    def scopes_with_composites(self) -> set[tuple[str, str]]:
        rows = self.db.query("SELECT DISTINCT account, region FROM alarms WHERE kind = ?", (COMPOSITE_ALARM,))
        return {(row[0], row[1]) for row in rows}

    def count(self) -> int:
        return int(self.db.query_one("SELECT COUNT(*) FROM alarms")[0])

    def save(self, alarm: Alarm) -> None:
        """Insert or replace the whole alarm (PutMetricAlarm, PutCompositeAlarm)."""
        self.db.execute(
            f"INSERT INTO alarms ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, name) DO UPDATE SET kind = excluded.kind, config = excluded.config, "
            "state_value = excluded.state_value, state_reason = excluded.state_reason, "
            "state_reason_data = excluded.state_reason_data, state_updated = excluded.state_updated, "
            "state_transitioned = excluded.state_transitioned, config_updated = excluded.config_updated, "
            "actions_enabled = excluded.actions_enabled",
            (alarm.account, alarm.region, alarm.name, alarm.kind, json.dumps(alarm.config), alarm.state_value,
             alarm.state_reason, alarm.state_reason_data, alarm.state_updated, alarm.state_transitioned,
             alarm.config_updated, int(alarm.actions_enabled)))

    def save_state(self, alarm: Alarm) -> None:
        self.db.execute(
            "UPDATE alarms SET state_value = ?, state_reason = ?, state_reason_data = ?, state_updated = ?, "
            "state_transitioned = ? WHERE account = ? AND region = ? AND name = ?",
            (alarm.state_value, alarm.state_reason, alarm.state_reason_data, alarm.state_updated,
             alarm.state_transitioned, alarm.account, alarm.region, alarm.name))

    def set_actions_enabled(self, scope, names: list[str], enabled: bool) -> None:
        with self.db.transaction():
            for name in names:
                self.db.execute("UPDATE alarms SET actions_enabled = ? WHERE account = ? AND region = ? AND name = ?",
                                (int(enabled), *scope, name))

    def delete(self, scope, names: list[str]) -> None:
        with self.db.transaction():
            for name in names:
                self.db.execute("DELETE FROM alarms WHERE account = ? AND region = ? AND name = ?", (*scope, name))

    # -- history ---------------------------------------------------------------------------

    def add_history(self, alarm: Alarm, timestamp: float, item_type: str, summary: str, data: dict) -> None:
        self.db.execute(
            "INSERT INTO alarm_history (seq, account, region, alarm_name, alarm_type, timestamp, item_type, summary,"
            " data) VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM alarm_history), ?, ?, ?, ?, ?, ?, ?, ?)",
            (alarm.account, alarm.region, alarm.name, alarm.kind, timestamp, item_type, summary,
             json.dumps(data, separators=(",", ":"))))

    def history(self, scope, name: str | None, item_type: str | None, start: float | None, end: float | None,
                alarm_types: list[str] | None, newest_first: bool) -> list[tuple]:
        """(seq, name, type, timestamp, item type, summary, data) rows matching the filters."""
        sql = ("SELECT seq, alarm_name, alarm_type, timestamp, item_type, summary, data FROM alarm_history "
               "WHERE account = ? AND region = ?")
        args: list = list(scope)
        if name is not None:
            sql += " AND alarm_name = ?"
            args.append(name)
        if item_type is not None:
            sql += " AND item_type = ?"
            args.append(item_type)
        if start is not None:
            sql += " AND timestamp >= ?"
            args.append(start)
        if end is not None:
            sql += " AND timestamp <= ?"
            args.append(end)
        if alarm_types:
            sql += f" AND alarm_type IN ({', '.join('?' for _ in alarm_types)})"
            args.extend(alarm_types)
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        return self.db.query(sql, args)

    # -- the evaluation's wake-up timer ----------------------------------------------------

    def schedule(self) -> tuple[int, float] | None:
        row = self.db.query_one("SELECT timer_id, due FROM alarm_schedule WHERE id = 1")
        return (int(row[0]), float(row[1])) if row else None

    def save_schedule(self, timer_id: int, due: float) -> None:
        self.db.execute("INSERT INTO alarm_schedule (id, timer_id, due) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE "
                        "SET timer_id = excluded.timer_id, due = excluded.due", (timer_id, due))
