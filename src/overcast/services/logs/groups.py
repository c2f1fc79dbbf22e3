"""Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, ListLogGroups, and the
lookups every other concern uses (``group_row``, ``require_group``)."""

from __future__ import annotations

from overcast.services.logs.errors import group_not_found
from overcast.services.logs.models import GROUP_COLUMNS, GroupRow
from overcast.storage.scope import Scope


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
