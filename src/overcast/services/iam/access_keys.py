"""Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
GetAccessKeyLastUsed.

A user's active keys are registered in ``cloud.credentials`` (so they sign requests as
``arn:aws:iam::<account>:user<path><name>``); an Inactive or deleted key is unregistered. Every
active key is registered again when the cloud starts. A user has at most 2 keys (IAM quota
AccessKeysPerUser). Keys created by the root user (no UserName, root caller) stand for the root.
"""

from __future__ import annotations

from overcast.services.iam import errors, ids

MAX_KEYS = 2

_KEY_COLUMNS = "access_key, account, user_key, secret, status, created, last_used, last_used_service, last_used_region"


class AccessKeyOperations:
    def _register_key(self, row) -> None:
        access_key, account, user_key, secret, status = row[:5]
        credentials = self.cloud.credentials
        if status != "Active":
            credentials.unregister(access_key)
            return
        if not user_key:  # the root user's own key
            credentials.register(access_key, secret, account)
            return
        user = self.find_user(account, user_key)
        if user is None:
            credentials.unregister(access_key)
            return
        credentials.register(access_key, secret, account, user.arn, user.user_id, user_name=user.name)

    def register_user_keys(self, account: str, user_key: str) -> None:
        for row in self.db.query(f"SELECT {_KEY_COLUMNS} FROM access_keys WHERE account = ? AND user_key = ?",
                                 (account, user_key)):
            self._register_key(row)

    def register_all_keys(self) -> None:
        """Make every stored active key resolve again (called at start)."""
        for row in self.db.query(f"SELECT {_KEY_COLUMNS} FROM access_keys"):
            self._register_key(row)

    def _key_owner(self, ctx, params) -> tuple[str, str]:
        """(user_key, user name) of the key's user: UserName, else the caller ('' = root)."""
        name = params.get("UserName") or self.caller_user_name(ctx)
        if name is None:
            return "", ""
        user = self.require_user(ctx.account, name)
        return user.key, user.name

    def _require_key(self, ctx, params, user_key: str):
        row = self.db.query_one(f"SELECT {_KEY_COLUMNS} FROM access_keys WHERE access_key = ? AND account = ? "
                                "AND user_key = ?", (params["AccessKeyId"], ctx.account, user_key))
        if row is None:
            raise errors.no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        return row

    def create_access_key(self, ctx, params):
        user_key, user_name = self._key_owner(ctx, params)
        count = self.db.query_one("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_key = ?",
                                  (ctx.account, user_key))[0]
        if count >= MAX_KEYS:
            raise errors.quota("AccessKeysPerUser", MAX_KEYS)
        key, secret, now = ids.access_key_id(), ids.secret_access_key(), self.clock.now()
        self.db.execute(f"INSERT INTO access_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
                        (key, ctx.account, user_key, secret, "Active", now))
        self._register_key((key, ctx.account, user_key, secret, "Active"))
        out = {"AccessKeyId": key, "SecretAccessKey": secret, "Status": "Active", "CreateDate": now}
        if user_name:
            out["UserName"] = user_name
        return {"AccessKey": out}

    def update_access_key(self, ctx, params):
        user_key, _ = self._key_owner(ctx, params)
        row = self._require_key(ctx, params, user_key)
        status = params["Status"]
        self.db.execute("UPDATE access_keys SET status = ? WHERE access_key = ?", (status, row[0]))
        self._register_key((row[0], row[1], row[2], row[3], status))
        return {}

    def delete_access_key(self, ctx, params):
        user_key, _ = self._key_owner(ctx, params)
        row = self._require_key(ctx, params, user_key)
        self.db.execute("DELETE FROM access_keys WHERE access_key = ?", (row[0],))
        self.cloud.credentials.unregister(row[0])
        return {}

    def list_access_keys(self, ctx, params):
        user_key, user_name = self._key_owner(ctx, params)
        rows = self.db.query(f"SELECT {_KEY_COLUMNS} FROM access_keys WHERE account = ? AND user_key = ? "
                             "ORDER BY created", (ctx.account, user_key))
        out = []
        for row in rows:
            item = {"AccessKeyId": row[0], "Status": row[4], "CreateDate": row[5]}
            if user_name:
                item["UserName"] = user_name
            out.append(item)
        return {"AccessKeyMetadata": out, "IsTruncated": False}

    def get_access_key_last_used(self, ctx, params):
        row = self.db.query_one(f"SELECT {_KEY_COLUMNS} FROM access_keys WHERE access_key = ? AND account = ?",
                                (params["AccessKeyId"], ctx.account))
        if row is None:
            raise errors.no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        last = {"ServiceName": row[7] or "N/A", "Region": row[8] or "N/A"}
        if row[6] is not None:
            last["LastUsedDate"] = row[6]
        out = {"AccessKeyLastUsed": last}
        if row[2]:
            user = self.find_user(ctx.account, row[2])
            if user is not None:
                out["UserName"] = user.name
        return out
