"""When a user or role is deleted, the trust policies naming it name its unique id instead.

IAM does this so that a new user or role created later with the same name does not inherit the
trust given to the deleted one: the stored policy shows ``"AWS": "AIDA..."`` / ``"AROA..."``,
which matches no principal (IAM User Guide, AWS JSON policy elements: Principal, on deleted
users and roles in role trust policies).
"""

from __future__ import annotations

import json


def _replaced(node, arn: str, unique_id: str):
    if isinstance(node, str):
        return unique_id if node == arn else node
    if isinstance(node, list):
        return [_replaced(item, arn, unique_id) for item in node]
    return node


def rewrite_trust(text: str, arn: str, unique_id: str) -> str | None:
    """``text`` with ``arn`` replaced in its AWS principals, or None when it does not name it."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    statements = document.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    changed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            if isinstance(principal, dict) and "AWS" in principal:
                new = _replaced(principal["AWS"], arn, unique_id)
                if new != principal["AWS"]:
                    principal["AWS"] = new
                    changed = True
    return json.dumps(document) if changed else None


class DeletedPrincipals:
    def forget_principal(self, arn: str, unique_id: str) -> None:
        """Replace ``arn`` by ``unique_id`` in every role's trust policy (any account)."""
        # LIKE is case-insensitive in SQLite; the exact test happens in Python
        rows = self.db.query("SELECT account, name_key, trust_policy FROM roles WHERE trust_policy LIKE ?",
                             (f"%{arn}%",))
        for account, key, text in rows:
            if arn not in text:
                continue
            rewritten = rewrite_trust(text, arn, unique_id)
            if rewritten is not None:
                self.db.execute("UPDATE roles SET trust_policy = ? WHERE account = ? AND name_key = ?",
                                (rewritten, account, key))
