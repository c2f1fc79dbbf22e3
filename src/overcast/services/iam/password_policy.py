"""The account password policy: Get/Update/DeleteAccountPasswordPolicy, and the check
CreateLoginProfile and UpdateLoginProfile apply (``PasswordPolicyViolation``).

UpdateAccountPasswordPolicy is not a partial update: a setting left out goes back to its
default (minimum length 6, nothing required, users may not change their password, passwords
never expire, reuse allowed). With no policy set, Overcast checks nothing.
"""

from __future__ import annotations

import json

from overcast.services.iam import errors

SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")  # the symbols the policy counts


class PasswordPolicyOperations:
    def password_settings(self, account: str) -> dict | None:
        row = self.db.query_one("SELECT settings FROM password_policies WHERE account = ?", (account,))
        return json.loads(row[0]) if row else None

    def check_password(self, account: str, password: str) -> None:
        settings = self.password_settings(account)
        if settings is None:
            return
        ok = len(password) >= settings["MinimumPasswordLength"]
        ok = ok and (not settings["RequireSymbols"] or any(ch in SYMBOLS for ch in password))
        ok = ok and (not settings["RequireNumbers"] or any("0" <= ch <= "9" for ch in password))
        ok = ok and (not settings["RequireUppercaseCharacters"] or any("A" <= ch <= "Z" for ch in password))
        ok = ok and (not settings["RequireLowercaseCharacters"] or any("a" <= ch <= "z" for ch in password))
        if not ok:
            raise errors.AwsError("PasswordPolicyViolation",
                                  "Password does not conform to the account password policy.")

    def update_account_password_policy(self, ctx, params):
        settings = {
            "MinimumPasswordLength": params.get("MinimumPasswordLength") or 6,
            "RequireSymbols": bool(params.get("RequireSymbols")),
            "RequireNumbers": bool(params.get("RequireNumbers")),
            "RequireUppercaseCharacters": bool(params.get("RequireUppercaseCharacters")),
            "RequireLowercaseCharacters": bool(params.get("RequireLowercaseCharacters")),
            "AllowUsersToChangePassword": bool(params.get("AllowUsersToChangePassword")),
            "MaxPasswordAge": params.get("MaxPasswordAge") or 0,
            "PasswordReusePrevention": params.get("PasswordReusePrevention") or 0,
            "HardExpiry": bool(params.get("HardExpiry")),
        }
        self.db.execute("INSERT INTO password_policies (account, settings) VALUES (?, ?) ON CONFLICT (account) "
                        "DO UPDATE SET settings = excluded.settings", (ctx.account, json.dumps(settings)))
        return {}

    def get_account_password_policy(self, ctx, params):
        settings = self.password_settings(ctx.account)
        if settings is None:
            raise errors.no_such_entity(f"The Password Policy with domain name {ctx.account} cannot be found.")
        out = {k: v for k, v in settings.items() if k not in ("MaxPasswordAge", "PasswordReusePrevention")}
        out["ExpirePasswords"] = settings["MaxPasswordAge"] > 0
        if settings["MaxPasswordAge"]:
            out["MaxPasswordAge"] = settings["MaxPasswordAge"]
        if settings["PasswordReusePrevention"]:
            out["PasswordReusePrevention"] = settings["PasswordReusePrevention"]
        return {"PasswordPolicy": out}

    def delete_account_password_policy(self, ctx, params):
        if not self.db.execute("DELETE FROM password_policies WHERE account = ?", (ctx.account,)):
            raise errors.no_such_entity(f"The Password Policy with domain name {ctx.account} cannot be found.")
        return {}
