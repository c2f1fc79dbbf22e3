"""Managed policies attached to users, groups and roles: Attach/Detach/ListAttached
User|Group|RolePolicies, ListEntitiesForPolicy; and permissions boundaries
(Put/Delete User|RolePermissionsBoundary).

Quota: 10 managed policies attached per user, group or role (IAM's default).
"""

from __future__ import annotations

from overcast.services.iam import errors
from overcast.services.iam.listing import paginate, path_filter
from overcast.services.iam.policies import check_policy_arn

MAX_ATTACHED = 10
_QUOTA_NAME = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}
_ENTITY_FILTER = {"User": "user", "Group": "group", "Role": "role"}
ATTACH_OPERATIONS = ("AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy")


def check_arn_syntax(arn: str) -> None:
    """Attach*Policy refuses a PolicyArn that is not an ARN at all (``arn:partition:service:region:
    account:resource``) with IAM's ValidationError, whose message has two spaces after the colon."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise errors.validation("Invalid ARN:  Could not be parsed!")


class AttachmentOperations:
    def attached_arns(self, account: str, kind: str, key: str) -> list[str]:
        return [r[0] for r in self.db.query("SELECT policy_arn FROM attachments WHERE account = ? AND kind = ? "
                                            "AND entity_key = ? ORDER BY attached", (account, kind, key))]

    def _attach(self, ctx, kind: str, params: dict) -> dict:
        check_arn_syntax(params["PolicyArn"])  # a parameter check: before the entity is looked up
        entity = self.entity_for(ctx, kind, params, modify=True)
        policy = self.find_policy(ctx.account, params["PolicyArn"])
        if policy is None:
            check_policy_arn(params["PolicyArn"])
            raise errors.policy_not_attachable(params["PolicyArn"])
        attached = self.attached_arns(ctx.account, kind, entity.key)
        if policy["arn"] in attached:
            return {}
        if len(attached) >= MAX_ATTACHED:
            raise errors.quota(_QUOTA_NAME[kind], MAX_ATTACHED)
        self.db.execute("INSERT INTO attachments (account, kind, entity_key, policy_arn, attached) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (ctx.account, kind, entity.key, policy["arn"], self.clock.now()))
        return {}

    def _detach(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params, modify=True)
        arn = params["PolicyArn"]
        removed = self.db.execute("DELETE FROM attachments WHERE account = ? AND kind = ? AND entity_key = ? "
                                  "AND policy_arn = ?", (ctx.account, kind, entity.key, arn))
        if not removed:
            raise errors.no_such_entity(f"Policy {arn} was not found.")
        return {}

    def _list_attached(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params)
        wanted = path_filter(params)
        policies = [p for p in (self.find_policy(ctx.account, arn)
                                for arn in self.attached_arns(ctx.account, kind, entity.key))
                    if p is not None and wanted(p["path"])]
        page, more = paginate(policies, params, key=lambda p: p["name"].lower())
        return {"AttachedPolicies": [{"PolicyName": p["name"], "PolicyArn": p["arn"]} for p in page], **more}

    def attach_user_policy(self, ctx, params):
        return self._attach(ctx, "user", params)

    def detach_user_policy(self, ctx, params):
        return self._detach(ctx, "user", params)

    def list_attached_user_policies(self, ctx, params):
        return self._list_attached(ctx, "user", params)

    def attach_group_policy(self, ctx, params):
        return self._attach(ctx, "group", params)

    def detach_group_policy(self, ctx, params):
        return self._detach(ctx, "group", params)

    def list_attached_group_policies(self, ctx, params):
        return self._list_attached(ctx, "group", params)

    def attach_role_policy(self, ctx, params):
        return self._attach(ctx, "role", params)

    def detach_role_policy(self, ctx, params):
        return self._detach(ctx, "role", params)

    def list_attached_role_policies(self, ctx, params):
        return self._list_attached(ctx, "role", params)

    def list_entities_for_policy(self, ctx, params):
        policy = self.require_policy(ctx.account, params["PolicyArn"])
        only = _ENTITY_FILTER.get(params.get("EntityFilter") or "")
        usage = params.get("PolicyUsageFilter")
        wanted = path_filter(params)
        found = []  # (kind, entity)
        if usage != "PermissionsBoundary":
            for kind, key in self.db.query("SELECT kind, entity_key FROM attachments WHERE account = ? AND "
                                           "policy_arn = ?", (ctx.account, policy["arn"])):
                lookup = {"user": self.find_user, "group": self.find_group, "role": self.find_role}[kind]
                entity = lookup(ctx.account, key)
                if entity is not None:
                    found.append((kind, entity))
        if usage != "PermissionsPolicy":
            found += [("user", u) for u in self.all_users(ctx.account) if u.boundary_arn == policy["arn"]]
            found += [("role", r) for r in self.all_roles(ctx.account) if r.boundary_arn == policy["arn"]]
        found = [(k, e) for k, e in found if (only is None or k == only) and wanted(e.path)]
        page, more = paginate(found, params, key=lambda item: item[0] + "\0" + item[1].key)
        out = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
        for kind, entity in page:
            if kind == "user":
                out["PolicyUsers"].append({"UserName": entity.name, "UserId": entity.user_id})
            elif kind == "group":
                out["PolicyGroups"].append({"GroupName": entity.name, "GroupId": entity.group_id})
            else:
                out["PolicyRoles"].append({"RoleName": entity.name, "RoleId": entity.role_id})
        return {**out, **more}

    # -- permissions boundaries ------------------------------------------------------------------

    def _put_boundary(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params, modify=True)
        arn = params["PermissionsBoundary"]
        self.require_boundary_policy(ctx.account, arn)
        table = "users" if kind == "user" else "roles"
        self.db.execute(f"UPDATE {table} SET boundary_arn = ? WHERE account = ? AND name_key = ?",
                        (arn, ctx.account, entity.key))
        return {}

    def _delete_boundary(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params, modify=True)
        table = "users" if kind == "user" else "roles"
        self.db.execute(f"UPDATE {table} SET boundary_arn = NULL WHERE account = ? AND name_key = ?",
                        (ctx.account, entity.key))
        return {}

    def put_user_permissions_boundary(self, ctx, params):
        return self._put_boundary(ctx, "user", params)

    def delete_user_permissions_boundary(self, ctx, params):
        return self._delete_boundary(ctx, "user", params)

    def put_role_permissions_boundary(self, ctx, params):
        return self._put_boundary(ctx, "role", params)

    def delete_role_permissions_boundary(self, ctx, params):
        return self._delete_boundary(ctx, "role", params)
