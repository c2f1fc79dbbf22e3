"""Users: CreateUser, GetUser (no name = the caller), UpdateUser, DeleteUser, ListUsers."""

from __future__ import annotations

import json

from overcast.services.iam import errors, ids
from overcast.services.iam.listing import paginate, path_filter
from overcast.services.iam.tags import tags_from_params

MAX_USERS = 5_000  # IAM quota UsersPerAccount

_USER_KINDS = ("user",)


class UserOperations:
    def caller_user_name(self, ctx) -> str | None:
        """The IAM user behind the request's credentials; None for the root user.

        Other callers (assumed roles, federated users) must name the user: ValidationError.
        """
        credential = ctx.credential
        if credential is not None and credential.user_name and not credential.session_token:
            return credential.user_name
        if credential is None or credential.is_root:
            return None
        raise errors.validation("Must specify userName when calling with non-User credentials")

    def create_user(self, ctx, params):
        name, path = params["UserName"], params.get("Path") or "/"
        tags = tags_from_params(params)
        boundary = params.get("PermissionsBoundary")
        if boundary:
            self.require_boundary_policy(ctx.account, boundary)
        if self.find_user(ctx.account, name) is not None:
            raise errors.entity_exists(f"User with name {name} already exists.")
        count = self.db.query_one("SELECT COUNT(*) FROM users WHERE account = ?", (ctx.account,))[0]
        if count >= MAX_USERS:
            raise errors.quota("UsersPerAccount", MAX_USERS)
        self.db.execute(
            "INSERT INTO users (account, name_key, name, user_id, path, created, boundary_arn, tags) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ctx.account, name.lower(), name, ids.unique_id(ids.USER), path, self.clock.now(), boundary,
             json.dumps(tags)))
        return {"User": self.find_user(ctx.account, name).shape()}

    def get_user(self, ctx, params):
        name = params.get("UserName") or self.caller_user_name(ctx)
        if name is None:  # the root user: its account id and root ARN, as IAM answers
            return {"User": {"UserId": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root",
                             "CreateDate": self.account_created(ctx.account)}}
        return {"User": self.require_user(ctx.account, name).shape()}

    def account_created(self, account: str) -> float:
        row = self.db.query_one("SELECT MIN(created) FROM users WHERE account = ?", (account,))
        return row[0] if row and row[0] is not None else self.cloud.started_at

    def list_users(self, ctx, params):
        wanted = path_filter(params)
        users = [u for u in self.all_users(ctx.account) if wanted(u.path)]
        page, more = paginate(users, params, key=lambda u: u.key)
        shapes = []
        for user in page:
            shape = user.shape(tags=False)
            shape.pop("PermissionsBoundary", None)
            shapes.append(shape)
        return {"Users": shapes, **more}

    def update_user(self, ctx, params):
        user = self.require_user(ctx.account, params["UserName"])
        new_name = params.get("NewUserName") or user.name
        new_path = params.get("NewPath") or user.path
        new_key = new_name.lower()
        if new_key != user.key and self.find_user(ctx.account, new_name) is not None:
            raise errors.entity_exists(f"User with name {new_name} already exists.")
        with self.db.transaction():
            self.db.execute("UPDATE users SET name_key = ?, name = ?, path = ? WHERE account = ? AND name_key = ?",
                            (new_key, new_name, new_path, ctx.account, user.key))
            self.db.execute("UPDATE group_members SET user_key = ? WHERE account = ? AND user_key = ?",
                            (new_key, ctx.account, user.key))
            for table in ("access_keys", "login_profiles", "service_credentials"):
                self.db.execute(f"UPDATE {table} SET user_key = ? WHERE account = ? AND user_key = ?",
                                (new_key, ctx.account, user.key))
            for table in ("attachments", "inline_policies"):
                self.db.execute(f"UPDATE {table} SET entity_key = ? WHERE account = ? AND kind = 'user' "
                                "AND entity_key = ?", (new_key, ctx.account, user.key))
        self.register_user_keys(ctx.account, new_key)  # the keys now stand for the renamed user's ARN
        return {}

    def delete_user(self, ctx, params):
        user = self.require_user(ctx.account, params["UserName"])
        account, key = ctx.account, user.key
        if self.db.query_one("SELECT 1 FROM access_keys WHERE account = ? AND user_key = ?", (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must delete access keys first.")
        if self.db.query_one("SELECT 1 FROM login_profiles WHERE account = ? AND user_key = ?", (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must delete login profile first.")
        if self.user_has_service_credentials(account, key):
            raise errors.delete_conflict("Cannot delete entity, must remove referenced objects first.")
        if self.db.query_one("SELECT 1 FROM inline_policies WHERE account = ? AND kind = 'user' AND entity_key = ?",
                             (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
        if self.db.query_one("SELECT 1 FROM attachments WHERE account = ? AND kind = 'user' AND entity_key = ?",
                             (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
        if self.db.query_one("SELECT 1 FROM group_members WHERE account = ? AND user_key = ?", (account, key)):
            raise errors.delete_conflict("Cannot delete entity, must remove users from group first.")
        with self.db.transaction():
            self.db.execute("DELETE FROM users WHERE account = ? AND name_key = ?", (account, key))
            self.forget_principal(user.arn, user.user_id)
        return {}
