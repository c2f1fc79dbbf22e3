"""Groups: Create/Get/Update/Delete/GetGroups. A group is a named filter expression (checked
with the query side's parser when it is there), with its insights settings and tags. The name
``default`` (any case) is X-Ray's own and cannot be created; a missing group is
InvalidRequestException "Group not found", as X-Ray answers."""

from __future__ import annotations

import base64
import json
import uuid

from overcast.errors import AwsError
from overcast.services.xray.arns import group_arn
from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.tagging import checked_tags
from overcast.services.xray.validation import check_input

_PAGE = 100


def check_filter_expression(expression: str) -> None:
    """Refuse a filter expression the query side's parser rejects (its own error when it
    raises one of ours; InvalidRequestException otherwise)."""
    try:
        from overcast.services.xray.filters import parse_filter
    except ImportError:  # the query side's parser is not there yet: accept and store
        return
    try:
        parse_filter(expression)
    except AwsError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is the caller's bad input
        raise InvalidRequest(message=f"Invalid filter expression: {exc}") from None


def _new_group_id() -> str:
    return base64.b32encode(uuid.uuid4().bytes + uuid.uuid4().bytes[:8]).decode().rstrip("=")


class GroupStore:
    def __init__(self, db):
        self.db = db

    def all(self, account: str, region: str) -> list[dict]:
        rows = self.db.query("SELECT body FROM groups WHERE account = ? AND region = ? ORDER BY name",
                             (account, region))
        return [json.loads(r[0]) for r in rows]

    def by_name(self, account: str, region: str, name: str) -> dict | None:
        row = self.db.query_one("SELECT body FROM groups WHERE account = ? AND region = ? AND name = ?",
                                (account, region, name))
        return json.loads(row[0]) if row else None

    def by_arn(self, account: str, region: str, arn: str) -> dict | None:
        row = self.db.query_one("SELECT body FROM groups WHERE account = ? AND region = ? AND arn = ?",
                                (account, region, arn))
        return json.loads(row[0]) if row else None

    def save(self, account: str, region: str, group: dict) -> None:
        self.db.execute(
            "INSERT INTO groups (account, region, name, arn, body) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, name) DO UPDATE SET arn = excluded.arn, body = excluded.body",
            (account, region, group["GroupName"], group["GroupARN"], json.dumps(group)))

    def delete(self, account: str, region: str, name: str) -> None:
        self.db.execute("DELETE FROM groups WHERE account = ? AND region = ? AND name = ?",
                        (account, region, name))


def _insights(config: dict | None, current: dict | None = None) -> dict:
    out = dict(current or {"InsightsEnabled": False, "NotificationsEnabled": False})
    for key in ("InsightsEnabled", "NotificationsEnabled"):
        if config and key in config:
            out[key] = bool(config[key])
    if out["NotificationsEnabled"] and not out["InsightsEnabled"]:
        raise InvalidRequest(message="Notifications can only be enabled when insights are enabled")
    return out


class GroupOperations:
    def _group(self, ctx, params: dict) -> dict:
        name, arn = params.get("GroupName"), params.get("GroupARN")
        if not name and not arn:
            raise InvalidRequest(message="Either GroupName or GroupARN must be provided")
        store = self.groups_store
        group = store.by_arn(ctx.account, ctx.region, arn) if arn else store.by_name(ctx.account, ctx.region, name)
        if group is None or (name and arn and group["GroupName"] != name):
            raise InvalidRequest(message="Group not found")
        return group

    def create_group(self, ctx, params: dict) -> dict:
        check_input("CreateGroup", params)
        name = params["GroupName"]
        tags = checked_tags(params.get("Tags"))
        expression = params.get("FilterExpression")
        if expression is not None:
            check_filter_expression(expression)
        insights = _insights(params.get("InsightsConfiguration"))
        if name.lower() == "default":  # X-Ray's own group of all traces
            raise InvalidRequest(message="The default group name is reserved")
        if self.groups_store.by_name(ctx.account, ctx.region, name) is not None:
            raise InvalidRequest(message="Group already exists")
        group = {"GroupName": name, "GroupARN": group_arn(ctx.region, ctx.account, name, _new_group_id())}
        if expression is not None:
            group["FilterExpression"] = expression
        group["InsightsConfiguration"] = insights
        with self.db.transaction():
            self.groups_store.save(ctx.account, ctx.region, group)
            self.groups_changed()
            if tags:
                self.tags.put(group["GroupARN"], tags)
        return {"Group": group}

    def get_group(self, ctx, params: dict) -> dict:
        check_input("GetGroup", params)
        return {"Group": self._group(ctx, params)}

    def update_group(self, ctx, params: dict) -> dict:
        check_input("UpdateGroup", params)
        expression = params.get("FilterExpression")
        if expression is not None:
            check_filter_expression(expression)
        group = dict(self._group(ctx, params))
        if expression is not None:
            group["FilterExpression"] = expression
        group["InsightsConfiguration"] = _insights(params.get("InsightsConfiguration"),
                                                   group.get("InsightsConfiguration"))
        self.groups_store.save(ctx.account, ctx.region, group)
        self.groups_changed()
        return {"Group": group}

    def delete_group(self, ctx, params: dict) -> dict:
        check_input("DeleteGroup", params)
        group = self._group(ctx, params)
        with self.db.transaction():
            self.groups_store.delete(ctx.account, ctx.region, group["GroupName"])
            self.forget_group_insights(ctx.account, ctx.region, group["GroupARN"])
            self.groups_changed()
            self.tags.drop(group["GroupARN"])
        return {}

    def get_groups(self, ctx, params: dict) -> dict:
        check_input("GetGroups", params)
        groups = self.groups_store.all(ctx.account, ctx.region)
        token = params.get("NextToken")
        start = 0
        if token:
            try:
                start = int(token)
            except ValueError:
                raise InvalidRequest(message="Invalid NextToken") from None
        page = groups[start:start + _PAGE]
        out = {"Groups": page}
        if start + _PAGE < len(groups):
            out["NextToken"] = str(start + _PAGE)
        return out
