"""Groups: CreateGroup, GetGroup (with its users, paginated), UpdateGroup, DeleteGroup, ListGroups,
AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser.

Quotas: 300 groups per account, a user in at most 10 groups.
"""

from __future__ import annotations

from overcast.services.iam import errors, ids
from overcast.services.iam.listing import paginate, path_filter
from overcast.services.iam.records import GroupRecord

MAX_GROUPS = 300
MAX_GROUPS_PER_USER = 10


class GroupOperations:
    def groups_of_user(self, account: str, user_key: str) -> list[GroupRecord]:
        keys = [r[0] for r in self.db.query("SELECT group_key FROM group_members WHERE account = ? AND user_key = ?",
                                            (account, user_key))]
        return [g for g in (self.find_group(account, k) for k in keys) if g is not None]

    def users_of_group(self, group: GroupRecord) -> list:
        keys = [r[0] for r in self.db.query("SELECT user_key FROM group_members WHERE account = ? AND group_key = ?",
                                            (group.account, group.key))]
        return [u for u in (self.find_user(group.account, k) for k in keys) if u is not None]

    def create_group(self, ctx, params):
        name, path = params["GroupName"], params.get("Path") or "/"
        if self.find_group(ctx.account, name) is not None:
            raise errors.entity_exists(f"Group with name {name} already exists.")
        count = self.db.query_one("SELECT COUNT(*) FROM groups WHERE account = ?", (ctx.account,))[0]
        if count >= MAX_GROUPS:
            raise errors.quota("GroupsPerAccount", MAX_GROUPS)
        self.db.execute("INSERT INTO groups (account, name_key, name, group_id, path, created) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (ctx.account, name.lower(), name, ids.unique_id(ids.GROUP), path, self.clock.now()))
        return {"Group": self.find_group(ctx.account, name).shape()}

    def get_group(self, ctx, params):
        group = self.require_group(ctx.account, params["GroupName"])
        page, more = paginate(self.users_of_group(group), params, key=lambda u: u.key)
        users = []
        for user in page:
            shape = user.shape(tags=False)
            shape.pop("PermissionsBoundary", None)
            users.append(shape)
        return {"Group": group.shape(), "Users": users, **more}

    def list_groups(self, ctx, params):
        wanted = path_filter(params)
        page, more = paginate([g for g in self.all_groups(ctx.account) if wanted(g.path)], params, key=lambda g: g.key)
        return {"Groups": [g.shape() for g in page], **more}

    def list_groups_for_user(self, ctx, params):
        user = self.require_user(ctx.account, params["UserName"])
        page, more = paginate(self.groups_of_user(ctx.account, user.key), params, key=lambda g: g.key)
        return {"Groups": [g.shape() for g in page], **more}

    def update_group(self, ctx, params):
        group = self.require_group(ctx.account, params["GroupName"])
        new_name = params.get("NewGroupName") or group.name
        new_path = params.get("NewPath") or group.path
        new_key = new_name.lower()
        if new_key != group.key and self.find_group(ctx.account, new_name) is not None:
            raise errors.entity_exists(f"Group with name {new_name} already exists.")
        with self.db.transaction():
            self.db.execute("UPDATE groups SET name_key = ?, name = ?, path = ? WHERE account = ? AND name_key = ?",
                            (new_key, new_name, new_path, ctx.account, group.key))
            self.db.execute("UPDATE group_members SET group_key = ? WHERE account = ? AND group_key = ?",
                            (new_key, ctx.account, group.key))
            for table in ("attachments", "inline_policies"):
                self.db.execute(f"UPDATE {table} SET entity_key = ? WHERE account = ? AND kind = 'group' "
                                "AND entity_key = ?", (new_key, ctx.account, group.key))
        return {}

    def delete_group(self, ctx, params):
        group = self.require_group(ctx.account, params["GroupName"])
        account, key = ctx.account, group.key
        if self.db.query_one("SELECT 1 FROM group_members WHERE account = ? AND group_key = ?", (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must remove users from group first.")
        if self.db.query_one("SELECT 1 FROM inline_policies WHERE account = ? AND kind = 'group' AND entity_key = ?",
                             (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
        if self.db.query_one("SELECT 1 FROM attachments WHERE account = ? AND kind = 'group' AND entity_key = ?",
                             (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
        self.db.execute("DELETE FROM groups WHERE account = ? AND name_key = ?", (account, key))
        return {}

    def add_user_to_group(self, ctx, params):
        group = self.require_group(ctx.account, params["GroupName"])
        user = self.require_user(ctx.account, params["UserName"])
        if self.db.query_one("SELECT 1 FROM group_members WHERE account = ? AND group_key = ? AND user_key = ?",
                             (ctx.account, group.key, user.key)):
            return {}
        if len(self.groups_of_user(ctx.account, user.key)) >= MAX_GROUPS_PER_USER:
            raise errors.quota("GroupsPerUser", MAX_GROUPS_PER_USER)
        self.db.execute("INSERT INTO group_members (account, group_key, user_key, added) VALUES (?, ?, ?, ?)",
                        (ctx.account, group.key, user.key, self.clock.now()))
        return {}

    def remove_user_from_group(self, ctx, params):
        group = self.require_group(ctx.account, params["GroupName"])
        user = self.require_user(ctx.account, params["UserName"])
        removed = self.db.execute("DELETE FROM group_members WHERE account = ? AND group_key = ? AND user_key = ?",
                                  (ctx.account, group.key, user.key))
        if not removed:
            raise errors.no_such_entity(f"User {user.name} is not in group {group.name}.")
        return {}
