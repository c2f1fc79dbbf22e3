"""Resource policies: PutResourcePolicy, ListResourcePolicies, DeleteResourcePolicy.

Limits (API reference): 5 policies per account, 5 KB each, names unique per account.
Revision ids count up from 1 per policy; ``PolicyRevisionId`` makes a put or delete atomic
(it must be the latest revision; ``0`` on a put means "only if it does not exist yet").
Unless ``BypassPolicyLockoutCheck`` is set, a policy that denies the caller
``xray:PutResourcePolicy`` is refused (it would lock the caller out of changing it again)."""

from __future__ import annotations

import fnmatch
import json

from overcast.services.xray.errors import (
    InvalidPolicyRevisionId, LockoutPrevention, MalformedPolicyDocument, PolicyCountLimitExceeded,
    PolicySizeLimitExceeded,
)
from overcast.services.xray.validation import check_input

MAX_POLICIES = 5
MAX_POLICY_BYTES = 5 * 1024
_PAGE = 100


def _check_document(text: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError:
        raise MalformedPolicyDocument(message="Invalid policy document: not valid JSON") from None
    if not isinstance(doc, dict) or "Statement" not in doc:
        raise MalformedPolicyDocument(message="Invalid policy document: missing required field Statement")
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    for statement in statements:
        if not isinstance(statement, dict):
            raise MalformedPolicyDocument(message="Invalid policy document: Statement must be an object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicyDocument(message="Invalid policy document: Effect must be Allow or Deny")
        if "Action" not in statement and "NotAction" not in statement:
            raise MalformedPolicyDocument(message="Invalid policy document: missing required field Action")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise MalformedPolicyDocument(message="Invalid policy document: missing required field Principal")
    return doc


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _names_caller(principal, ctx) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    caller = {ctx.account, f"arn:aws:iam::{ctx.account}:root", ctx.principal_arn, "*"}
    return any(p in caller for p in _listed(principal.get("AWS", [])))


def _locks_out(document: dict, ctx) -> bool:
    """Whether a statement of ``document`` denies the caller xray:PutResourcePolicy."""
    for statement in _listed(document["Statement"]):
        if statement.get("Effect") != "Deny" or not _names_caller(statement.get("Principal"), ctx):
            continue
        for action in _listed(statement.get("Action", [])):
            if isinstance(action, str) and fnmatch.fnmatchcase("xray:putresourcepolicy", action.lower()):
                return True
    return False


def _record(row) -> dict:
    name, document, revision, updated = row
    return {"PolicyName": name, "PolicyDocument": document, "PolicyRevisionId": revision,
            "LastUpdatedTime": updated}


class ResourcePolicyOperations:
    def _policy_row(self, ctx, name: str):
        return self.db.query_one(
            "SELECT name, document, revision_id, updated FROM resource_policies "
            "WHERE account = ? AND region = ? AND name = ?", (ctx.account, ctx.region, name))

    def put_resource_policy(self, ctx, params: dict) -> dict:
        check_input("PutResourcePolicy", params)
        name, document = params["PolicyName"], params["PolicyDocument"]
        if len(document.encode()) > MAX_POLICY_BYTES:
            raise PolicySizeLimitExceeded(message="Policy document size exceeds the maximum of 5120 bytes")
        parsed = _check_document(document)
        if not params.get("BypassPolicyLockoutCheck") and _locks_out(parsed, ctx):
            raise LockoutPrevention(message="The resource policy would prevent the caller from making "
                                            "subsequent PutResourcePolicy requests")
        current = self._policy_row(ctx, name)
        wanted = params.get("PolicyRevisionId")
        if wanted is not None:
            if current is None and wanted != "0" or current is not None and wanted != current[2]:
                raise InvalidPolicyRevisionId(message="Invalid policy revision id")
        if current is None:
            count = self.db.query_one("SELECT COUNT(*) FROM resource_policies WHERE account = ? AND region = ?",
                                      (ctx.account, ctx.region))[0]
            if count >= MAX_POLICIES:
                raise PolicyCountLimitExceeded(message=f"Exceeded the maximum of {MAX_POLICIES} resource policies")
        revision = str(int(current[2]) + 1) if current else "1"
        now = self.clock.now()
        self.db.execute(
            "INSERT INTO resource_policies (account, region, name, document, revision_id, updated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
            "document = excluded.document, revision_id = excluded.revision_id, updated = excluded.updated",
            (ctx.account, ctx.region, name, document, revision, now))
        return {"ResourcePolicy": _record((name, document, revision, now))}

    def list_resource_policies(self, ctx, params: dict) -> dict:
        check_input("ListResourcePolicies", params)
        rows = self.db.query(
            "SELECT name, document, revision_id, updated FROM resource_policies "
            "WHERE account = ? AND region = ? ORDER BY name", (ctx.account, ctx.region))
        return {"ResourcePolicies": [_record(r) for r in rows]}

    def delete_resource_policy(self, ctx, params: dict) -> dict:
        check_input("DeleteResourcePolicy", params)
        name = params["PolicyName"]
        current = self._policy_row(ctx, name)
        wanted = params.get("PolicyRevisionId")
        if wanted is not None and (current is None or wanted != current[2]):
            raise InvalidPolicyRevisionId(message="Invalid policy revision id")
        if current is not None:
            self.db.execute("DELETE FROM resource_policies WHERE account = ? AND region = ? AND name = ?",
                            (ctx.account, ctx.region, name))
        return {}
