"""Schedule groups: Create/Get/Delete/ListScheduleGroups. Every account and region has the
``default`` group, which cannot be deleted; deleting another group deletes its schedules
(AWS answers DELETING while it works through them; here that work is done before the call
returns, so the group is simply gone)."""

from __future__ import annotations

from overcast.services.scheduler.arns import DEFAULT_GROUP, group_arn
from overcast.services.scheduler.errors import (
    ConflictException, ServiceQuotaExceededException, group_not_found,
)
from overcast.services.scheduler.paging import page
from overcast.services.scheduler.validation import check_input
from overcast.storage.scope import Scope

MAX_GROUPS = 500  # "You can create up to 500 schedule groups" (Scheduler quotas)
DEFAULT_NOT_DELETABLE = "The default schedule group cannot be deleted."


class GroupOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._default_groups: set[Scope] = set()  # scopes whose default group row exists

    def ensure_default_group(self, scope: Scope) -> None:
        """The ``default`` group's row, created on the first use of a scope."""
        if scope in self._default_groups:
            return
        now = self.clock.now()
        self.db.execute("INSERT INTO schedule_groups (account, region, name, created, modified) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT DO NOTHING", (*scope, DEFAULT_GROUP, now, now))
        self._default_groups.add(scope)

    def group_row(self, scope: Scope, name: str):
        """(name, created, modified) of a group, or None."""
        self.ensure_default_group(scope)
        return self.db.query_one("SELECT name, created, modified FROM schedule_groups WHERE account = ? AND "
                                 "region = ? AND name = ?", (*scope, name))

    def require_group(self, scope: Scope, name: str):
        row = self.group_row(scope, name)
        if row is None:
            raise group_not_found(name)
        return row

    def _group_view(self, scope: Scope, row) -> dict:
        name, created, modified = row
        return {"Arn": group_arn(scope, name), "Name": name, "State": "ACTIVE", "CreationDate": created,
                "LastModificationDate": modified}

    def create_schedule_group(self, ctx, params: dict) -> dict:
        check_input("CreateScheduleGroup", params)
        scope, name = Scope.of(ctx), params["Name"]
        tags = self.tag_dict(params.get("Tags") or [])
        if self.group_row(scope, name) is not None:
            token = params.get("ClientToken")
            if token and self.db.query_one("SELECT 1 FROM schedule_groups WHERE account = ? AND region = ? AND "
                                           "name = ? AND client_token = ?", (*scope, name, token)):
                return {"ScheduleGroupArn": group_arn(scope, name)}  # the same request again: idempotent
            raise ConflictException(f"Schedule group {name} already exists.")
        count = self.db.query_one("SELECT COUNT(*) FROM schedule_groups WHERE account = ? AND region = ?", scope)[0]
        if count >= MAX_GROUPS:
            raise ServiceQuotaExceededException("Maximum number of schedule groups reached.")
        now = self.clock.now()
        with self.db.transaction():
            self.db.execute("INSERT INTO schedule_groups (account, region, name, created, modified, client_token) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (*scope, name, now, now, params.get("ClientToken")))
            self.db.executemany("INSERT INTO group_tags (account, region, group_name, tag_key, tag_value) "
                                "VALUES (?, ?, ?, ?, ?)", [(*scope, name, k, v) for k, v in tags.items()])
        return {"ScheduleGroupArn": group_arn(scope, name)}

    def get_schedule_group(self, ctx, params: dict) -> dict:
        check_input("GetScheduleGroup", params)
        scope = Scope.of(ctx)
        return self._group_view(scope, self.require_group(scope, params["Name"]))

    def list_schedule_groups(self, ctx, params: dict) -> dict:
        check_input("ListScheduleGroups", params)
        scope = Scope.of(ctx)
        self.ensure_default_group(scope)
        prefix = params.get("NamePrefix") or ""
        rows = self.db.query("SELECT name, created, modified FROM schedule_groups WHERE account = ? AND region = ? "
                             "AND substr(name, 1, ?) = ? ORDER BY name", (*scope, len(prefix), prefix))
        rows, token = page(rows, lambda row: row[0], params)
        result = {"ScheduleGroups": [self._group_view(scope, row) for row in rows]}
        if token:
            result["NextToken"] = token
        return result

    def delete_schedule_group(self, ctx, params: dict) -> dict:
        check_input("DeleteScheduleGroup", params)
        scope, name = Scope.of(ctx), params["Name"]
        if name == DEFAULT_GROUP:
            # ConflictException: "Updating or deleting the resource can cause an inconsistent state"
            raise ConflictException(DEFAULT_NOT_DELETABLE)
        self.require_group(scope, name)
        doomed = [row[0] for row in self.db.query(
            "SELECT name FROM schedules WHERE account = ? AND region = ? AND group_name = ?", (*scope, name))]
        with self.db.transaction():
            self.db.execute("DELETE FROM schedules WHERE account = ? AND region = ? AND group_name = ?", (*scope, name))
            self.db.execute("DELETE FROM group_tags WHERE account = ? AND region = ? AND group_name = ?",
                            (*scope, name))
            self.db.execute("DELETE FROM schedule_groups WHERE account = ? AND region = ? AND name = ?",
                            (*scope, name))
        for schedule in doomed:
            self.disarm(scope, name, schedule)
        return {}
