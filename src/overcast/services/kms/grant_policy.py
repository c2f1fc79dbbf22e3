"""Grants as the policy engine sees them: each grant becomes an Allow statement of the key's
resource policy naming its grantee (and its retiring principal, for kms:RetireGrant), the
grant's operations as actions and its constraints as conditions on kms:EncryptionContext:*.
A grant then allows without any identity policy, as AWS's grants do, and an explicit deny in
the key policy still wins."""

from __future__ import annotations

import json


def _principal(name: str) -> dict:
    """A grantee is an ARN (user, role, account root) or a service principal."""
    if name.endswith(".amazonaws.com"):
        return {"Service": name}
    return {"AWS": name}


def grant_statement(grant: dict, number: int) -> dict:
    statement = {"Sid": f"Grant{number}", "Effect": "Allow", "Principal": _principal(grant["grantee"]),
                 "Action": [f"kms:{op}" for op in grant["operations"]], "Resource": "*"}
    constraints = grant.get("constraints") or {}
    condition: dict = {}
    pairs = dict(constraints.get("EncryptionContextSubset") or {})
    equals = constraints.get("EncryptionContextEquals")
    if equals is not None:
        pairs.update(equals)
        # Exactly these keys: every key of the request's context is one of them.
        condition["ForAllValues:StringEquals"] = {"kms:EncryptionContextKeys": sorted(equals) or [""]}
    if pairs:
        condition["StringEquals"] = {f"kms:EncryptionContext:{key}": value for key, value in pairs.items()}
    if condition:
        statement["Condition"] = condition
    return statement


def retiring_statement(grant: dict, number: int) -> dict:
    return {"Sid": f"Retire{number}", "Effect": "Allow", "Principal": _principal(grant["retiring"]),
            "Action": "kms:RetireGrant", "Resource": "*"}


def policy_with_grants(policy_text: str, grants: list[dict]) -> str:
    """The key policy with one statement per grant appended (the text unchanged when there are
    none, so the engine's parse cache keeps serving it)."""
    if not grants:
        return policy_text
    try:
        document = json.loads(policy_text)
        statements = document.get("Statement")
    except (ValueError, AttributeError):
        return policy_text
    statements = list(statements) if isinstance(statements, list) else [statements]
    for number, grant in enumerate(grants, 1):
        statements.append(grant_statement(grant, number))
        if grant.get("retiring"):
            statements.append(retiring_statement(grant, number))
    document["Statement"] = statements
    return json.dumps(document, sort_keys=True)
