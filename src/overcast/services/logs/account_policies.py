"""Account-level policies: PutAccountPolicy, DescribeAccountPolicies, DeleteAccountPolicy.

Every policy type the model lists is recorded and validated (its document must be a JSON object;
a selectionCriteria only where AWS takes one). A SUBSCRIPTION_FILTER_POLICY is also applied:
its document names a destination as PutSubscriptionFilter does ({"DestinationArn", "RoleArn",
"FilterPattern", "Distribution"}), tested the same way when it is put, and every log group of
the account and region not excluded by ``LogGroupName NOT IN [...]`` forwards its matching
events there (``subscription_delivery.py``, policyLevel ``ACCOUNT_LEVEL``). "Each account can
have one account-level subscription filter policy per Region."
"""

from __future__ import annotations

import json
import re

from overcast.services.logs.errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from overcast.services.logs.paging import read_token
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

SUBSCRIPTION = "SUBSCRIPTION_FILTER_POLICY"
# PutAccountPolicy: selectionCriteria "is valid only when you specify SUBSCRIPTION_FILTER_POLICY,
# FIELD_INDEX_POLICY or TRANSFORMER_POLICY" (and METRIC_EXTRACTION_POLICY's own criteria)
_WITH_CRITERIA = {SUBSCRIPTION, "FIELD_INDEX_POLICY", "TRANSFORMER_POLICY", "METRIC_EXTRACTION_POLICY"}
# one policy per account and region of these types (the others allow several with criteria)
_SINGLE = {SUBSCRIPTION, "DATA_PROTECTION_POLICY"}
MAX_CRITERIA_BYTES = 25 * 1024  # "The selectionCriteria string can be up to 25KB in length"
MAX_DOCUMENT_CHARS = 30_720  # "The JSON specified in policyDocument can be up to 30,720 characters."
_NOT_IN = re.compile(r"\s*LogGroupName\s+NOT\s+IN\s+(\[.*\])\s*", re.DOTALL)
POLICY_NOT_FOUND = "The specified policy does not exist."


def excluded_groups(criteria: str | None) -> frozenset[str]:
    """The group names a subscription filter policy's ``LogGroupName NOT IN [...]`` excludes."""
    if not criteria:
        return frozenset()
    found = _NOT_IN.fullmatch(criteria)
    names = json.loads(found.group(1)) if found else []
    return frozenset(name for name in names if isinstance(name, str))


def _check_criteria(policy_type: str, criteria: str | None) -> None:
    if criteria is None:
        return
    if policy_type not in _WITH_CRITERIA:
        raise InvalidParameterException(f"selectionCriteria is not supported for policy type {policy_type}")
    if len(criteria.encode()) > MAX_CRITERIA_BYTES:
        raise InvalidParameterException("selectionCriteria exceeds the maximum length of 25KB")
    if policy_type == SUBSCRIPTION:
        found = _NOT_IN.fullmatch(criteria)
        try:
            names = json.loads(found.group(1)) if found else None
        except ValueError:
            names = None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InvalidParameterException(
                "Invalid selectionCriteria: the only supported filter for SUBSCRIPTION_FILTER_POLICY is "
                "LogGroupName NOT IN []")


def _document(text: str) -> dict:
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InvalidParameterException(f"The policy document exceeds the maximum length of {MAX_DOCUMENT_CHARS}")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise InvalidParameterException("Invalid policy document: the policy document must be a JSON object")
    return document


def check_put_account_policy(params: dict) -> dict:
    """PutAccountPolicy's own parameters (strict mode: before authorization); returns the
    document. A subscription filter policy's destination is tested by the operation."""
    check_input("PutAccountPolicy", params)
    document = _document(params["policyDocument"])
    _check_criteria(params["policyType"], params.get("selectionCriteria"))
    return document


class AccountPolicyOperations:
    async def put_account_policy(self, ctx, params: dict) -> dict:
        document = check_put_account_policy(params)
        policy_type, name = params["policyType"], params["policyName"]
        criteria = params.get("selectionCriteria")
        if policy_type == SUBSCRIPTION:
            await self.check_subscription_policy(ctx, document)
        scope = Scope.of(ctx)
        if policy_type in _SINGLE:
            other = self.db.query_one(
                "SELECT policy_name FROM account_policies WHERE account = ? AND region = ? AND policy_type = ? "
                "AND policy_name <> ?", (*scope, policy_type, name))
            if other is not None:
                raise LimitExceededException("Resource limit exceeded.")
        policy = {"policyName": name, "policyDocument": params["policyDocument"],
                  "lastUpdatedTime": int(self.clock.now() * 1000), "policyType": policy_type,
                  "scope": params.get("scope") or "ALL", "accountId": ctx.account}
        if criteria is not None:
            policy["selectionCriteria"] = criteria
        self.db.execute(
            "INSERT INTO account_policies (account, region, policy_type, policy_name, config) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, policy_type, policy_name) DO UPDATE SET config = excluded.config",
            (*scope, policy_type, name, json.dumps(policy)))
        if policy_type == SUBSCRIPTION:
            self.subscription_forwarder.forget()
        return {"accountPolicy": policy}

    def describe_account_policies(self, ctx, params: dict) -> dict:
        check_input("DescribeAccountPolicies", params)
        after = read_token("account-policies", params.get("nextToken")) or ""
        accounts = params.get("accountIdentifiers") or [ctx.account]
        rows = self.db.query(
            "SELECT policy_name, config FROM account_policies WHERE account = ? AND region = ? AND policy_type = ? "
            "AND policy_name > ? ORDER BY policy_name", (ctx.account, ctx.region, params["policyType"], after))
        policies = [json.loads(config) for name, config in rows
                    if params.get("policyName") in (None, name) and ctx.account in accounts]
        return {"accountPolicies": policies}

    def delete_account_policy(self, ctx, params: dict) -> dict:
        check_input("DeleteAccountPolicy", params)
        deleted = self.db.execute(
            "DELETE FROM account_policies WHERE account = ? AND region = ? AND policy_type = ? AND policy_name = ?",
            (ctx.account, ctx.region, params["policyType"], params["policyName"]))
        if not deleted:
            raise ResourceNotFoundException(POLICY_NOT_FOUND)
        if params["policyType"] == SUBSCRIPTION:
            self.subscription_forwarder.forget()
        return {}

    def subscription_policy(self, scope: Scope) -> dict | None:
        """The account's subscription filter policy in ``scope`` (its stored form), or None."""
        row = self.db.query_one("SELECT config FROM account_policies WHERE account = ? AND region = ? "
                                "AND policy_type = ?", (*scope, SUBSCRIPTION))
        return json.loads(row[0]) if row else None

