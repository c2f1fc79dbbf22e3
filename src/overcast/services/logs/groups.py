"""Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, ListLogGroups, and the
lookups every other concern uses (``group_row``, ``require_group``)."""

from __future__ import annotations

from overcast.services.logs.errors import (InvalidParameterException, ResourceAlreadyExistsException,
                                           ValidationException, group_not_found)
from overcast.services.logs.group_view import describe_group, metric_filter_counts
from overcast.services.logs.identifiers import split_group_arn
from overcast.services.logs.kms_keys import check_kms_key
from overcast.services.logs.models import GROUP_COLUMNS, GroupRow, group_arn
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.tags import check_tags
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

GROUP_EXISTS = "The specified log group already exists"
DELETION_PROTECTED = "Cannot delete log group with deletion protection enabled. Disable deletion protection first."
PREFIX_AND_PATTERN = "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
DELIVERY_RETENTION_DAYS = 1
DEFAULT_LIMIT = 50  # DescribeLogGroups and ListLogGroups: "the default is up to 50 log groups"


def next_id(db, counter: str, count: int = 1) -> int:
    """The first of ``count`` fresh ids from the ``counters`` row ``counter``."""
    (value,) = db.query_one("UPDATE counters SET value = value + ? WHERE name = ? RETURNING value", (count, counter))
    return int(value) - count + 1


class GroupOperations:
    def group_row(self, scope: Scope, name: str) -> GroupRow | None:
        """The group ``name`` of ``scope``, or None."""
        row = self.db.query_one(f"SELECT {GROUP_COLUMNS} FROM log_groups WHERE account = ? AND region = ? "
                                "AND name = ?", (*scope, name))
        return GroupRow.from_row(row) if row else None

    def require_group(self, scope: Scope, name: str) -> GroupRow:
        """The group, or AWS's ResourceNotFoundException."""
        group = self.group_row(scope, name)
        if group is None:
            raise group_not_found()
        return group

    def insert_group(self, scope: Scope, name: str, kms_key_id: str | None = None, group_class: str = "STANDARD",
                     deletion_protection: bool = False, tags: dict | None = None) -> GroupRow:
        """A new group (the caller checked it does not exist), inside the caller's transaction."""
        group_id = next_id(self.db, "group")
        created = int(self.clock.now() * 1000)
        # "Log events in log groups in the Delivery class are kept in CloudWatch Logs for only one day"
        retention = DELIVERY_RETENTION_DAYS if group_class == "DELIVERY" else None
        self.db.execute("INSERT INTO log_groups (group_id, account, region, name, created_ms, retention_days, "
                        "kms_key_id, log_group_class, deletion_protection) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (group_id, *scope, name, created, retention, kms_key_id, group_class,
                         int(deletion_protection)))
        if tags:
            self.db.executemany("INSERT INTO log_group_tags (group_id, tag_key, tag_value) VALUES (?, ?, ?)",
                                [(group_id, k, v) for k, v in tags.items()])
        return GroupRow(group_id, scope.account, scope.region, name, created, retention, kms_key_id, group_class,
                        deletion_protection, None, 0)

    async def create_log_group(self, ctx, params: dict) -> dict:
        check_input("CreateLogGroup", params)
        scope = Scope.of(ctx)
        name = params["logGroupName"]
        check_tags(params.get("tags"))
        kms_key_id = params.get("kmsKeyId")
        if self.group_row(scope, name) is not None:
            raise ResourceAlreadyExistsException(GROUP_EXISTS)
        if kms_key_id is not None:
            await check_kms_key(ctx, kms_key_id, group_arn(scope, name), self.clock.now())
        with self.db.transaction():
            if self.group_row(scope, name) is not None:  # created while the key was checked
                raise ResourceAlreadyExistsException(GROUP_EXISTS)
            group = self.insert_group(scope, name, kms_key_id, params.get("logGroupClass") or "STANDARD",
                                      bool(params.get("deletionProtectionEnabled")), params.get("tags"))
        if group.retention_days is not None:
            self.ensure_retention_sweep()
        return {}

    def delete_log_group(self, ctx, params: dict) -> dict:
        check_input("DeleteLogGroup", params)
        group = self.require_group(Scope.of(ctx), params["logGroupName"])
        if group.deletion_protection:
            raise ValidationException(DELETION_PROTECTED)
        with self.db.transaction():
            self.db.execute("DELETE FROM log_events WHERE group_id = ?", (group.group_id,))
            self.db.execute("DELETE FROM log_streams WHERE group_id = ?", (group.group_id,))
            self.db.execute("DELETE FROM log_group_tags WHERE group_id = ?", (group.group_id,))
            # its metric and subscription filters go with it (a group made again under the same
            # name starts without them, as on AWS)
            self.db.execute("DELETE FROM metric_filters WHERE group_id = ?", (group.group_id,))
            self.db.execute("DELETE FROM subscription_filters WHERE group_id = ?", (group.group_id,))
            self.db.execute("DELETE FROM log_groups WHERE group_id = ?", (group.group_id,))
            # a resource-scope policy goes with its group
            self.db.execute("DELETE FROM resource_policies WHERE account = ? AND region = ? AND resource_arn = ?",
                            (group.account, group.region, group.log_group_arn))
        return {}

    def describe_log_groups(self, ctx, params: dict) -> dict:
        check_input("DescribeLogGroups", params)
        prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
        if prefix is not None and pattern is not None:
            raise InvalidParameterException(PREFIX_AND_PATTERN)
        names = params.get("logGroupIdentifiers")
        scope = Scope.of(ctx)
        groups = self._groups_page(scope, params, "describe",
                                   lambda g: _matches(g.name, prefix, pattern, names, scope))
        page, token = groups
        counts = metric_filter_counts(self.db, [g.group_id for g in page])
        if pattern is not None:
            # fewer fields, though more than the documented "only arn, creationTime, and
            # logGroupName": AWS's answer today also has logGroupArn, logGroupClass and
            # metricFilterCount (and no storedBytes or deletionProtectionEnabled)
            out = [{"logGroupName": g.name, "creationTime": g.created_ms, "arn": g.arn,
                    "logGroupArn": g.log_group_arn, "logGroupClass": g.log_group_class,
                    "metricFilterCount": counts.get(g.group_id, 0)} for g in page]
        else:
            out = [describe_group(g, counts.get(g.group_id, 0)) for g in page]
        return {"logGroups": out, **({"nextToken": token} if token else {})}

    def list_log_groups(self, ctx, params: dict) -> dict:
        check_input("ListLogGroups", params)
        pattern = params.get("logGroupNamePattern")
        alternatives = pattern.split("|") if pattern else None
        page, token = self._groups_page(Scope.of(ctx), params, "list",
                                        lambda g: alternatives is None or any(_list_match(g.name, a)
                                                                              for a in alternatives))
        out = [{"logGroupName": g.name, "logGroupArn": g.log_group_arn, "logGroupClass": g.log_group_class}
               for g in page]
        return {"logGroups": out, **({"nextToken": token} if token else {})}

    def _groups_page(self, scope: Scope, params: dict, kind: str, keep) -> tuple[list[GroupRow], str | None]:
        """One page of the scope's groups in name order that ``keep`` accepts."""
        after = read_token(kind, params.get("nextToken"))
        limit = params.get("limit") or DEFAULT_LIMIT
        group_class = params.get("logGroupClass")
        sql = f"SELECT {GROUP_COLUMNS} FROM log_groups WHERE account = ? AND region = ?"
        args: list = [*scope]
        if after is not None:
            sql += " AND name > ?"
            args.append(str(after))
        if group_class:
            sql += " AND log_group_class = ?"
            args.append(group_class)
        page: list[GroupRow] = []
        for row in self.db.query(sql + " ORDER BY name", args):
            group = GroupRow.from_row(row)
            if not keep(group):
                continue
            if len(page) == limit:
                return page, make_token(kind, page[-1].name)
            page.append(group)
        return page, None


def _matches(name: str, prefix, pattern, identifiers, scope: Scope) -> bool:
    if prefix is not None and not name.startswith(prefix):
        return False
    if pattern is not None and pattern not in name:  # "case-sensitive substring search"
        return False
    if identifiers is not None:
        wanted = set()
        for identifier in identifiers:
            parts = split_group_arn(identifier) if identifier.startswith("arn:") else None
            wanted.add(parts[2] if parts and (parts[1], parts[0]) == tuple(scope) else identifier)
        return name in wanted
    return True


def _list_match(name: str, alternative: str) -> bool:
    """ListLogGroups' pattern: alternatives joined by ``|``, each a case-sensitive substring,
    or a prefix when it starts with ``^``."""
    if alternative.startswith("^"):
        return name.startswith(alternative[1:])
    return alternative in name
