"""Inline policies of users, groups and roles: Put/Get/Delete/List User|Group|RolePolicy.

Each entity's inline policies share one size quota, counted without whitespace: user 2,048,
group 5,120, role 10,240 characters (``documents.INLINE_SIZE``).
"""

from __future__ import annotations

from overcast.services.iam import documents, errors, ids
from overcast.services.iam.listing import paginate

_NAME_MEMBER = {"user": "UserName", "group": "GroupName", "role": "RoleName"}


class InlinePolicyOperations:
    def entity_for(self, ctx, kind: str, params: dict, *, modify: bool = False):
        """The user, group or role a request names (a service-linked role cannot be modified)."""
        name = params[_NAME_MEMBER[kind]]
        if kind == "user":
            return self.require_user(ctx.account, name)
        if kind == "group":
            return self.require_group(ctx.account, name)
        role = self.require_role(ctx.account, name)
        if modify and role.service_linked:
            raise errors.unmodifiable(f"Cannot perform the operation on the protected role '{role.name}' - "
                                      "this role is only modifiable by AWS")
        return role

    def inline_documents(self, account: str, kind: str, key: str) -> list[tuple[str, str]]:
        """[(policy name, document)] of an entity's inline policies."""
        return self.db.query("SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? "
                             "AND entity_key = ? ORDER BY name", (account, kind, key))

    def _put_inline(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params, modify=True)
        name, document = params["PolicyName"], params["PolicyDocument"]
        documents.parse(document, "identity")
        others = [doc for n, doc in self.inline_documents(ctx.account, kind, entity.key) if n != name]
        limit = documents.INLINE_SIZE[kind]
        if sum(documents.policy_size(d) for d in others) + documents.policy_size(document) > limit:
            raise errors.limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {entity.name}")
        self.db.execute("INSERT INTO inline_policies (account, kind, entity_key, name, document) "
                        "VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (account, kind, entity_key, name) DO UPDATE SET document = excluded.document",
                        (ctx.account, kind, entity.key, name, document))
        return {}

    def _inline_not_found(self, kind: str, name: str):
        return errors.no_such_entity(f"The {kind} policy with name {name} cannot be found.")

    def _get_inline(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params)
        name = params["PolicyName"]
        row = self.db.query_one("SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? "
                                "AND entity_key = ? AND name = ?", (ctx.account, kind, entity.key, name))
        if row is None:
            raise self._inline_not_found(kind, name)
        return {_NAME_MEMBER[kind]: entity.name, "PolicyName": row[0], "PolicyDocument": ids.encode_document(row[1])}

    def _delete_inline(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params, modify=True)
        removed = self.db.execute("DELETE FROM inline_policies WHERE account = ? AND kind = ? AND entity_key = ? "
                                  "AND name = ?", (ctx.account, kind, entity.key, params["PolicyName"]))
        if not removed:
            raise self._inline_not_found(kind, params["PolicyName"])
        return {}

    def _list_inline(self, ctx, kind: str, params: dict) -> dict:
        entity = self.entity_for(ctx, kind, params)
        names = [n for n, _ in self.inline_documents(ctx.account, kind, entity.key)]
        page, more = paginate(names, params, key=lambda n: n)
        return {"PolicyNames": page, **more}

    def put_user_policy(self, ctx, params):
        return self._put_inline(ctx, "user", params)

    def get_user_policy(self, ctx, params):
        return self._get_inline(ctx, "user", params)

    def delete_user_policy(self, ctx, params):
        return self._delete_inline(ctx, "user", params)

    def list_user_policies(self, ctx, params):
        return self._list_inline(ctx, "user", params)

    def put_group_policy(self, ctx, params):
        return self._put_inline(ctx, "group", params)

    def get_group_policy(self, ctx, params):
        return self._get_inline(ctx, "group", params)

    def delete_group_policy(self, ctx, params):
        return self._delete_inline(ctx, "group", params)

    def list_group_policies(self, ctx, params):
        return self._list_inline(ctx, "group", params)

    def put_role_policy(self, ctx, params):
        return self._put_inline(ctx, "role", params)

    def get_role_policy(self, ctx, params):
        return self._get_inline(ctx, "role", params)

    def delete_role_policy(self, ctx, params):
        return self._delete_inline(ctx, "role", params)

    def list_role_policies(self, ctx, params):
        return self._list_inline(ctx, "role", params)
