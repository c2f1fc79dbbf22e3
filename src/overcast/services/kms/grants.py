"""Grants: CreateGrant (operations, EncryptionContextEquals/Subset constraints, Name for
idempotent retries, DryRun), ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant; grant
tokens are checked wherever a request carries them (``check_grant_tokens``)."""

from __future__ import annotations

import base64
import json
import re
import secrets

from overcast.services.kms.errors import (
    InvalidGrantIdException,
    InvalidGrantTokenException,
    LimitExceededException,
    NotFoundException,
    ValidationException,
    dry_run_succeeded,
)
from overcast.services.kms.grant_rules import check_grant
from overcast.services.kms.key_store import key_arn
from overcast.services.kms.markers import page
from overcast.services.kms.validation import check_input

MAX_GRANTS_PER_KEY = 50000  # AWS quota: grants per KMS key
MAX_GRANTS_PER_GRANTEE = 500  # AWS quota: grants for a given principal per KMS key
GRANT_ID = re.compile(r"^[0-9a-f]{64}$")
_COLUMNS = "account, region, key_id, grant_id, token, name, grantee, retiring, operations, constraints, issuer, created"


def _new_token(grant_id: str) -> str:
    """An opaque grant token that names its grant (so RetireGrant can find it)."""
    body = json.dumps({"g": grant_id, "n": secrets.token_hex(16)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body).decode().rstrip("=")


def grant_id_of_token(token: str) -> str | None:
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        grant_id = body["g"]
    except (ValueError, TypeError, KeyError):
        return None
    return grant_id if isinstance(grant_id, str) and GRANT_ID.match(grant_id) else None


class GrantOperations:
    """The grant operations of the KMS provider."""

    def check_grant_tokens(self, params: dict) -> None:
        """Every token of ``GrantTokens`` must be a grant token KMS issued (its grant may since
        have been retired: AWS accepts that, the grant just no longer allows anything)."""
        for token in params.get("GrantTokens") or ():
            if grant_id_of_token(token) is None:
                raise InvalidGrantTokenException("The grant token is not valid.")

    def create_grant(self, ctx, params: dict) -> dict:
        check_input("CreateGrant", params)
        self.check_grant_tokens(params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="CreateGrant")
        operations = list(params["Operations"])
        constraints = params.get("Constraints") or None
        check_grant(record.spec, record.usage, operations, constraints)
        if params.get("DryRun"):
            raise dry_run_succeeded()
        name = params.get("Name")
        grantee, retiring = params["GranteePrincipal"], params.get("RetiringPrincipal")
        if name is not None:
            same = self.db.query_one(
                "SELECT grant_id, grantee, retiring, operations, constraints FROM grants WHERE account = ? "
                "AND region = ? AND key_id = ? AND name = ?", (record.account, record.region, record.key_id, name))
            if same is not None and (same[1], same[2], json.loads(same[3]), json.loads(same[4] or "null")) == (
                    grantee, retiring, operations, constraints):
                # A retry with the same name and parameters: the same grant, a new token.
                return {"GrantId": same[0], "GrantToken": _new_token(same[0])}
        self._check_grant_quotas(record, grantee)
        grant_id = secrets.token_hex(32)
        token = _new_token(grant_id)
        self.db.execute(
            f"INSERT INTO grants ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.account, record.region, record.key_id, grant_id, token, name, grantee, retiring,
             json.dumps(operations), json.dumps(constraints) if constraints else None,
             f"arn:aws:iam::{ctx.account}:root", self.clock.now()))
        return {"GrantToken": token, "GrantId": grant_id}

    def _check_grant_quotas(self, record, grantee: str) -> None:
        scope = (record.account, record.region, record.key_id)
        total = self.db.query_one("SELECT COUNT(*) FROM grants WHERE account = ? AND region = ? AND key_id = ?",
                                  scope)[0]
        if total >= MAX_GRANTS_PER_KEY:
            raise LimitExceededException(f"Too many grants for {record.arn}.")
        mine = self.db.query_one("SELECT COUNT(*) FROM grants WHERE account = ? AND region = ? AND key_id = ? "
                                 "AND grantee = ?", (*scope, grantee))[0]
        if mine >= MAX_GRANTS_PER_GRANTEE:
            raise LimitExceededException(f"Too many grants for grantee principal {grantee} on {record.arn}.")

    def list_grants(self, ctx, params: dict) -> dict:
        check_input("ListGrants", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="ListGrants")
        where, args = "account = ? AND region = ? AND key_id = ?", [record.account, record.region, record.key_id]
        if params.get("GrantId") is not None:
            where += " AND grant_id = ?"
            args.append(params["GrantId"])
        if params.get("GranteePrincipal") is not None:
            where += " AND grantee = ?"
            args.append(params["GranteePrincipal"])
        return self._grant_page(where, args, params)

    def list_retirable_grants(self, ctx, params: dict) -> dict:
        check_input("ListRetirableGrants", params)
        return self._grant_page("region = ? AND retiring = ?", [ctx.region, params["RetiringPrincipal"]], params)

    def _grant_page(self, where: str, args: list, params: dict) -> dict:
        def fetch(after: str, limit: int):
            return self.db.query(f"SELECT {_COLUMNS} FROM grants WHERE {where} AND grant_id > ? "
                                 "ORDER BY grant_id LIMIT ?", (*args, after, limit))

        rows, next_marker = page(fetch, params, key=lambda row: row[3], default_limit=50)
        out = {"Grants": [_grant_entry(row) for row in rows], "Truncated": next_marker is not None}
        if next_marker is not None:
            out["NextMarker"] = next_marker
        return out

    def retire_grant(self, ctx, params: dict) -> dict:
        check_input("RetireGrant", params)
        token, grant_id = params.get("GrantToken"), params.get("GrantId")
        if token is not None:
            grant_id = grant_id_of_token(token)
            if grant_id is None:
                raise InvalidGrantTokenException("The grant token is not valid.")
            row = self.db.query_one(f"SELECT {_COLUMNS} FROM grants WHERE grant_id = ?", (grant_id,))
        else:
            if params.get("KeyId") is None or grant_id is None:
                raise ValidationException("Grant token OR (grant ID, key ID) must be specified")
            record = self.keys.resolve(ctx, params["KeyId"], operation="RetireGrant")
            row = self._grant_row(record, grant_id)
        if row is None:
            raise NotFoundException(f"Grant ID {grant_id} not found")
        if params.get("DryRun"):
            raise dry_run_succeeded()
        self.db.execute("DELETE FROM grants WHERE grant_id = ?", (row[3],))
        return {}

    def revoke_grant(self, ctx, params: dict) -> dict:
        check_input("RevokeGrant", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="RevokeGrant")
        row = self._grant_row(record, params["GrantId"])
        if row is None:
            raise NotFoundException(f"Grant ID {params['GrantId']} not found")
        if params.get("DryRun"):
            raise dry_run_succeeded()
        self.db.execute("DELETE FROM grants WHERE grant_id = ?", (row[3],))
        return {}

    def _grant_row(self, record, grant_id: str):
        if not GRANT_ID.match(grant_id):
            raise InvalidGrantIdException(f"Invalid grant ID {grant_id}")
        return self.db.query_one(f"SELECT {_COLUMNS} FROM grants WHERE account = ? AND region = ? AND key_id = ? "
                                 "AND grant_id = ?", (record.account, record.region, record.key_id, grant_id))

    def grants_for(self, record) -> list[dict]:
        """The grants of a key as ``{"grantee", "retiring", "operations", "constraints"}``
        (strict-mode authorization)."""
        rows = self.db.query("SELECT grantee, retiring, operations, constraints FROM grants WHERE account = ? "
                             "AND region = ? AND key_id = ? ORDER BY grant_id",
                             (record.account, record.region, record.key_id))
        return [{"grantee": g, "retiring": r, "operations": json.loads(ops),
                 "constraints": json.loads(c) if c else None} for g, r, ops, c in rows]


def _grant_entry(row) -> dict:
    account, region, key_id, grant_id, _token, name, grantee, retiring, operations, constraints, issuer, created = row
    entry = {"KeyId": key_arn(region, account, key_id), "GrantId": grant_id, "Name": name or "",
             "CreationDate": created, "GranteePrincipal": grantee, "IssuingAccount": issuer,
             "Operations": json.loads(operations)}
    if retiring:
        entry["RetiringPrincipal"] = retiring
    if constraints:
        entry["Constraints"] = json.loads(constraints)
    return entry
