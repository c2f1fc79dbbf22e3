"""Schedules: Create/Get/Update/Delete/ListSchedules.

A schedule lives in a group (``default`` when none is named). UpdateSchedule replaces the whole
schedule, as AWS does: a member left out goes back to its default. After every change the next
run is planned again (``firing.py``). ClientToken makes CreateSchedule idempotent: the same
token for an existing schedule answers its ARN again.
"""

from __future__ import annotations

import json

from overcast.services.events.schedule_expressions import ScheduleExpressionError, parse_schedule, time_zone
from overcast.services.scheduler.arns import DEFAULT_GROUP, schedule_arn
from overcast.services.scheduler.errors import ConflictException, ValidationException, schedule_not_found
from overcast.services.scheduler.paging import page
from overcast.services.scheduler.target_calls import check_target
from overcast.services.scheduler.validation import check_input
from overcast.storage.scope import Scope

# What GetSchedule answers for a target without a retry policy (RetryPolicy's documented
# defaults: 24 hours, 185 retries).
DEFAULT_RETRY_POLICY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
START_GRACE = 300  # "The StartDate you specify cannot be earlier than 5 minutes ago."
_SPEC_MEMBERS = ("ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "Target", "Description",
                 "KmsKeyArn", "ActionAfterCompletion")
_COLUMNS = "group_name, name, spec, state, start_date, end_date, created, modified, client_token"


def _epoch(value) -> float | None:
    return None if value is None else value.timestamp()


class ScheduleOperations:
    # -- checks ------------------------------------------------------------------------------

    def _check_schedule(self, params: dict) -> None:
        """The checks CreateSchedule and UpdateSchedule make after the model's constraints."""
        try:
            expression = parse_schedule(params["ScheduleExpression"], service="scheduler")
            time_zone(params.get("ScheduleExpressionTimezone"))
        except ScheduleExpressionError as exc:
            raise ValidationException(str(exc)) from None
        window = params["FlexibleTimeWindow"]
        if window["Mode"] == "FLEXIBLE" and window.get("MaximumWindowInMinutes") is None:
            raise ValidationException("MaximumWindowInMinutes is required when Mode is FLEXIBLE.")
        if window["Mode"] == "OFF" and window.get("MaximumWindowInMinutes") is not None:
            raise ValidationException("MaximumWindowInMinutes can only be specified when Mode is FLEXIBLE.")
        now = self.clock.now()
        start, end = _epoch(params.get("StartDate")), _epoch(params.get("EndDate"))
        # a one-time schedule ignores its StartDate and EndDate: only recurring ones check them
        if start is not None and expression.kind != "at" and start < now - START_GRACE:
            raise ValidationException("The StartDate you specify cannot be earlier than 5 minutes ago.")
        if end is not None and expression.kind != "at" and end <= now:
            raise ValidationException("The EndDate you specify cannot be earlier than the current time.")
        if start is not None and end is not None and end <= start:
            raise ValidationException("The EndDate you specify must be after the StartDate.")
        check_target(params["Target"])

    # -- rows --------------------------------------------------------------------------------

    def schedule_row(self, scope: Scope, group: str, name: str):
        return self.db.query_one(f"SELECT {_COLUMNS} FROM schedules WHERE account = ? AND region = ? AND "
                                 "group_name = ? AND name = ?", (*scope, group, name))

    def _row_values(self, params: dict) -> tuple:
        spec = {member: params[member] for member in _SPEC_MEMBERS if params.get(member) is not None}
        return (json.dumps(spec), params.get("State") or "ENABLED", _epoch(params.get("StartDate")),
                _epoch(params.get("EndDate")))

    def _view(self, scope: Scope, row) -> dict:
        group, name, spec_text, state, start, end, created, modified, _token = row
        spec = json.loads(spec_text)
        target = dict(spec["Target"])
        target.setdefault("RetryPolicy", dict(DEFAULT_RETRY_POLICY))
        view = {"Arn": schedule_arn(scope, group, name), "GroupName": group, "Name": name, "State": state,
                "ScheduleExpression": spec["ScheduleExpression"],
                "ScheduleExpressionTimezone": spec.get("ScheduleExpressionTimezone") or "UTC",
                "FlexibleTimeWindow": spec["FlexibleTimeWindow"], "Target": target,
                "ActionAfterCompletion": spec.get("ActionAfterCompletion") or "NONE",
                "CreationDate": created, "LastModificationDate": modified}
        for member in ("Description", "KmsKeyArn"):
            if spec.get(member) is not None:
                view[member] = spec[member]
        if start is not None:
            view["StartDate"] = start
        if end is not None:
            view["EndDate"] = end
        return view

    # -- operations --------------------------------------------------------------------------

    def create_schedule(self, ctx, params: dict) -> dict:
        check_input("CreateSchedule", params)
        self._check_schedule(params)
        scope, name = Scope.of(ctx), params["Name"]
        group = params.get("GroupName") or DEFAULT_GROUP
        self.require_group(scope, group)
        existing = self.schedule_row(scope, group, name)
        if existing is not None:
            token = params.get("ClientToken")
            if token and existing[8] == token:  # the same request again: idempotent
                return {"ScheduleArn": schedule_arn(scope, group, name)}
            raise ConflictException(f"Schedule {name} already exists.")
        now = self.clock.now()
        with self.db.transaction():  # the row and its next run together: a crash loses neither
            self.db.execute(f"INSERT INTO schedules (account, region, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?)", (*scope, group, name, *self._row_values(params), now, now, params.get("ClientToken")))
            self.plan(scope, group, name)
        return {"ScheduleArn": schedule_arn(scope, group, name)}

    def get_schedule(self, ctx, params: dict) -> dict:
        check_input("GetSchedule", params)
        scope, name = Scope.of(ctx), params["Name"]
        group = params.get("GroupName") or DEFAULT_GROUP
        self.require_group(scope, group)
        row = self.schedule_row(scope, group, name)
        if row is None:
            raise schedule_not_found(name)
        return self._view(scope, row)

    def update_schedule(self, ctx, params: dict) -> dict:
        check_input("UpdateSchedule", params)
        self._check_schedule(params)
        scope, name = Scope.of(ctx), params["Name"]
        group = params.get("GroupName") or DEFAULT_GROUP
        self.require_group(scope, group)
        if self.schedule_row(scope, group, name) is None:
            raise schedule_not_found(name)
        with self.db.transaction():
            self.db.execute("UPDATE schedules SET spec = ?, state = ?, start_date = ?, end_date = ?, modified = ?, "
                            "generation = generation + 1 WHERE account = ? AND region = ? AND group_name = ? AND "
                            "name = ?", (*self._row_values(params), self.clock.now(), *scope, group, name))
            self.plan(scope, group, name)
        return {"ScheduleArn": schedule_arn(scope, group, name)}

    def delete_schedule(self, ctx, params: dict) -> dict:
        check_input("DeleteSchedule", params)
        scope, name = Scope.of(ctx), params["Name"]
        group = params.get("GroupName") or DEFAULT_GROUP
        self.require_group(scope, group)
        if not self.db.execute("DELETE FROM schedules WHERE account = ? AND region = ? AND group_name = ? AND "
                               "name = ?", (*scope, group, name)):
            raise schedule_not_found(name)
        self.disarm(scope, group, name)
        return {}

    def list_schedules(self, ctx, params: dict) -> dict:
        check_input("ListSchedules", params)
        scope = Scope.of(ctx)
        sql = f"SELECT {_COLUMNS} FROM schedules WHERE account = ? AND region = ?"
        args: list = [*scope]
        if params.get("GroupName"):
            self.require_group(scope, params["GroupName"])
            sql += " AND group_name = ?"
            args.append(params["GroupName"])
        if params.get("NamePrefix"):
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(params["NamePrefix"]), params["NamePrefix"]]
        if params.get("State"):
            sql += " AND state = ?"
            args.append(params["State"])
        rows = self.db.query(sql + " ORDER BY group_name, name", args)
        # \x01 sorts before every character a name may hold, so the token order is ORDER BY's
        rows, token = page(rows, lambda row: f"{row[0]}\x01{row[1]}", params)
        summaries = []
        for row in rows:
            group, name, spec_text, state, _start, _end, created, modified, _token = row
            summaries.append({"Arn": schedule_arn(scope, group, name), "GroupName": group, "Name": name,
                              "State": state, "CreationDate": created, "LastModificationDate": modified,
                              "Target": {"Arn": json.loads(spec_text)["Target"]["Arn"]}})
        result = {"Schedules": summaries}
        if token:
            result["NextToken"] = token
        return result
