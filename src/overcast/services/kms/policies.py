"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. A key has exactly one policy,
named ``default``; it is stored as sent and returned byte for byte."""

from __future__ import annotations

from overcast.services.kms.errors import NotFoundException
from overcast.services.kms.policy_checks import check_new_policy
from overcast.services.kms.validation import check_input

POLICY_NAME = "default"


def _check_name(params: dict) -> None:
    if params.get("PolicyName", POLICY_NAME) != POLICY_NAME:
        raise NotFoundException("No such policy exists")


class PolicyOperations:
    """The key policy operations of the KMS provider."""

    def get_key_policy(self, ctx, params: dict) -> dict:
        check_input("GetKeyPolicy", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="GetKeyPolicy")
        _check_name(params)
        return {"Policy": record.policy, "PolicyName": POLICY_NAME}

    def put_key_policy(self, ctx, params: dict) -> dict:
        check_input("PutKeyPolicy", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="PutKeyPolicy")
        _check_name(params)
        check_new_policy(ctx, params["Policy"], params.get("BypassPolicyLockoutSafetyCheck", False))
        self.keys.update(record, policy=params["Policy"])
        return {}

    def list_key_policies(self, ctx, params: dict) -> dict:
        check_input("ListKeyPolicies", params)
        self.keys.resolve(ctx, params["KeyId"], operation="ListKeyPolicies")
        return {"PolicyNames": [POLICY_NAME], "Truncated": False}
