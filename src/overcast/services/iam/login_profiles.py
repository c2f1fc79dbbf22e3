"""Console passwords and the account alias: Create/Get/Update/DeleteLoginProfile,
Create/Delete/ListAccountAliases.

Passwords are kept only as salted PBKDF2 hashes (nothing signs in with them locally, but a user
with a login profile cannot be deleted before it, as in IAM). An account has at most one alias,
and an alias names one account across the whole cloud.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from overcast.services.iam import errors

MAX_ALIASES = 1  # AccountAliasesPerAccount


def password_hash(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 100_000)
    return f"pbkdf2-sha256${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` (a ``password_hash``) was made from."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, digest_hex = rest.partition("$")
    if scheme != "pbkdf2-sha256" or not salt_hex or not digest_hex:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt_hex), 100_000)
    return hmac.compare_digest(digest.hex(), digest_hex)


class LoginProfileOperations:
    def _login_row(self, account: str, user_key: str):
        return self.db.query_one("SELECT reset_required, created FROM login_profiles WHERE account = ? AND "
                                 "user_key = ?", (account, user_key))

    def _login_shape(self, user, row) -> dict:
        return {"UserName": user.name, "CreateDate": row[1], "PasswordResetRequired": bool(row[0])}

    def create_login_profile(self, ctx, params):
        user = self.require_user(ctx.account, params.get("UserName") or self.caller_user_name(ctx) or "")
        if self._login_row(ctx.account, user.key) is not None:
            raise errors.entity_exists(f"Login Profile for user {user.name} already exists.")
        password = params.get("Password")
        if not password:
            raise errors.validation("Password must be specified when creating a login profile.")
        self.check_password(ctx.account, password)
        self.db.execute("INSERT INTO login_profiles (account, user_key, password_hash, reset_required, created) "
                        "VALUES (?, ?, ?, ?, ?)", (ctx.account, user.key, password_hash(password),
                                                   int(bool(params.get("PasswordResetRequired"))), self.clock.now()))
        return {"LoginProfile": self._login_shape(user, self._login_row(ctx.account, user.key))}

    def _require_login(self, ctx, params):
        user = self.require_user(ctx.account, params.get("UserName") or self.caller_user_name(ctx) or "")
        row = self._login_row(ctx.account, user.key)
        if row is None:
            raise errors.no_such_entity(f"Login Profile for User {user.name} cannot be found.")
        return user, row

    def get_login_profile(self, ctx, params):
        user, row = self._require_login(ctx, params)
        return {"LoginProfile": self._login_shape(user, row)}

    def update_login_profile(self, ctx, params):
        user, row = self._require_login(ctx, params)
        if params.get("Password"):
            self.check_password(ctx.account, params["Password"])
            self.db.execute("UPDATE login_profiles SET password_hash = ? WHERE account = ? AND user_key = ?",
                            (password_hash(params["Password"]), ctx.account, user.key))
        if params.get("PasswordResetRequired") is not None:
            self.db.execute("UPDATE login_profiles SET reset_required = ? WHERE account = ? AND user_key = ?",
                            (int(params["PasswordResetRequired"]), ctx.account, user.key))
        return {}

    def delete_login_profile(self, ctx, params):
        user, _ = self._require_login(ctx, params)
        self.db.execute("DELETE FROM login_profiles WHERE account = ? AND user_key = ?", (ctx.account, user.key))
        return {}

    # -- account alias ---------------------------------------------------------------------

    def create_account_alias(self, ctx, params):
        alias = params["AccountAlias"]
        row = self.db.query_one("SELECT account FROM account_aliases WHERE alias = ?", (alias,))
        if row is not None:
            if row[0] == ctx.account:
                return {}
            raise errors.entity_exists(f"The account alias {alias} already exists.")
        if self.db.query_one("SELECT 1 FROM account_aliases WHERE account = ?", (ctx.account,)):
            raise errors.quota("AccountAliasesPerAccount", MAX_ALIASES)
        self.db.execute("INSERT INTO account_aliases (account, alias) VALUES (?, ?)", (ctx.account, alias))
        return {}

    def delete_account_alias(self, ctx, params):
        alias = params["AccountAlias"]
        removed = self.db.execute("DELETE FROM account_aliases WHERE account = ? AND alias = ?", (ctx.account, alias))
        if not removed:
            raise errors.no_such_entity(f"The account alias {alias} cannot be found.")
        return {}

    def list_account_aliases(self, ctx, params):
        rows = self.db.query("SELECT alias FROM account_aliases WHERE account = ?", (ctx.account,))
        return {"AccountAliases": [r[0] for r in rows], "IsTruncated": False}
