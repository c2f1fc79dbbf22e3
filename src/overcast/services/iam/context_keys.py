"""GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: the condition keys the
policies' Condition blocks use (each once, regardless of case), so a caller knows which
ContextEntries a simulation needs."""

from __future__ import annotations

from overcast.services.iam import documents, errors, ids


def condition_keys(policies) -> list[str]:
    seen: dict[str, str] = {}
    for policy in policies:
        for statement in policy.statements:
            for condition in statement.conditions:
                seen.setdefault(condition.key.lower(), condition.key)
    return list(seen.values())


class ContextKeyOperations:
    def _input_policies(self, params: dict) -> list:
        return [documents.parse(text, "identity") for text in params.get("PolicyInputList") or []]

    def get_context_keys_for_custom_policy(self, ctx, params):
        return {"ContextKeyNames": condition_keys(self._input_policies(params))}

    def get_context_keys_for_principal_policy(self, ctx, params):
        arn = params["PolicySourceArn"]
        parsed = ids.parse_arn(arn)
        if parsed is None or parsed[0] != ctx.account or parsed[1] not in ("user", "group", "role"):
            raise errors.invalid_input(f"Invalid Entity Arn: {arn} does not clearly define entity type and name.")
        _, kind, _, name = parsed
        if kind == "user":
            texts = self.user_policy_texts(self.require_user(ctx.account, name))
        elif kind == "group":
            texts = self.entity_policy_texts(ctx.account, "group", self.require_group(ctx.account, name).key)
        else:
            texts = self.entity_policy_texts(ctx.account, "role", self.require_role(ctx.account, name).key)
        policies = [documents.parse(text, "identity") for _, _, text in texts] + self._input_policies(params)
        return {"ContextKeyNames": condition_keys(policies)}
