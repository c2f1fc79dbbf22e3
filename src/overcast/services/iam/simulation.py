"""The policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the same
engine strict mode uses (``overcast.auth.policy.evaluate``).

One EvaluationResult per (action, resource) pair, with the decision (allowed / explicitDeny /
implicitDeny), the statements that matched (SourcePolicyId and SourcePolicyType as IAM names them:
the inline policy's name or the managed policy's ARN; ``PolicyInputList.N`` for policies passed in)
and MissingContextValues: condition keys of the statements that name the action which the
request's context did not supply.
"""

from __future__ import annotations

import fnmatch

from overcast.services.iam import documents, errors, ids
from overcast.services.iam.listing import paginate

_DECISION = {"allowed": "allowed", "explicit_deny": "explicitDeny", "implicit_deny": "implicitDeny"}
_LIST_TYPES = {"stringList", "numericList", "booleanList", "ipList", "binaryList", "dateList"}
_FILLED_BY_ENGINE = {"aws:currenttime", "aws:epochtime"}


def _context(entries: list[dict]) -> dict:
    out = {}
    for entry in entries or []:
        values = entry.get("ContextKeyValues") or []
        out[entry["ContextKeyName"]] = list(values) if entry.get("ContextKeyType") in _LIST_TYPES else (
            values[0] if values else "")
    return out


def _names_action(statement, action: str) -> bool:
    action = action.lower()
    if statement.actions is not None:
        return any(fnmatch.fnmatchcase(action, a.lower()) for a in statement.actions)
    if statement.not_actions is not None:
        return not any(fnmatch.fnmatchcase(action, a.lower()) for a in statement.not_actions)
    return False


def _missing_keys(policies, action: str, context: dict) -> list[str]:
    given = {k.lower() for k in context}
    missing: dict[str, str] = {}
    for policy in policies:
        for statement in policy.statements:
            if not _names_action(statement, action):
                continue
            for condition in statement.conditions:
                if condition.operator.startswith("Null") or condition.operator.endswith("IfExists"):
                    continue
                key = condition.key.lower()
                if key not in given and key not in _FILLED_BY_ENGINE:
                    missing.setdefault(key, condition.key)
    return list(missing.values())


class SimulationOperations:
    def _labelled(self, texts: list[tuple[str, str, str]], kind: str, labels: dict) -> list:
        from overcast.services.iam.principal_policies import parsed

        out = []
        for source_type, source_id, text in texts:
            label = f"{len(labels)}:{source_id}"
            labels[label] = (source_type, source_id)
            out.append(parsed(text, kind, label))
        return out

    def _inputs(self, params: dict, member: str, kind: str, labels: dict) -> list:
        texts = []
        for index, text in enumerate(params.get(member) or [], 1):
            documents.parse(text, kind if kind != "boundary" else "identity")
            texts.append(("none", f"{member}.{index}", text))
        return self._labelled(texts, kind, labels)

    def _simulate(self, ctx, params: dict, principal, identity: list, boundary, labels: dict) -> dict:
        from overcast.auth.policy import AuthzRequest, PolicySet, evaluate

        resource_policy = None
        if params.get("ResourcePolicy"):
            documents.parse(params["ResourcePolicy"], "resource")
            resource_policy = self._labelled([("resource", "ResourcePolicy", params["ResourcePolicy"])],
                                             "resource", labels)[0]
        context = _context(params.get("ContextEntries"))
        owner = params.get("ResourceOwner") or ""
        owner_account = (ids.parse_arn(owner) or (owner,))[0] if owner.startswith("arn:") else owner or None
        every = identity + ([boundary] if boundary else []) + ([resource_policy] if resource_policy else [])
        results = []
        for action in params["ActionNames"]:
            for resource in params.get("ResourceArns") or ["*"]:
                request = AuthzRequest(principal=principal, action=action, resource=resource, context=dict(context),
                                       resource_account=owner_account or principal.account)
                decision = evaluate(request, PolicySet(identity=identity, resource=resource_policy, boundary=boundary))
                matched = []
                for statement in decision.matched:
                    if decision.reason == "explicit_deny" and statement.effect != "Deny":
                        continue  # a denied request reports the statements that denied it
                    source_type, source_id = labels.get(statement.source, ("none", statement.source))
                    matched.append({"SourcePolicyId": source_id, "SourcePolicyType": source_type})
                result = {"EvalActionName": action, "EvalResourceName": resource,
                          "EvalDecision": _DECISION[decision.reason], "MatchedStatements": matched,
                          "MissingContextValues": _missing_keys(every, action, context)}
                if boundary is not None:
                    result["PermissionsBoundaryDecisionDetail"] = {
                        "AllowedByPermissionsBoundary": decision.denied_by != "boundary"}
                if resource_policy is not None:
                    result["EvalDecisionDetails"] = {"IAM Policy": _DECISION[decision.reason]}
                results.append(result)
        page, more = paginate(list(enumerate(results)), params, key=lambda item: f"{item[0]:08d}")
        return {"EvaluationResults": [r for _, r in page], **more}

    def _source_principal(self, ctx, arn: str):
        """(Principal, policy texts, boundary text) of the user, group or role ``arn`` names."""
        from overcast.auth.policy import Principal

        parsed = ids.parse_arn(arn)
        if parsed is None or parsed[0] != ctx.account or parsed[1] not in ("user", "group", "role"):
            raise errors.invalid_input(f"Invalid Entity Arn: {arn} does not clearly define entity type and name.")
        account, kind, _, name = parsed
        if kind == "user":
            user = self.require_user(account, name)
            principal = Principal(arn=user.arn, account=account, kind="user", user_id=user.user_id,
                                  tags=dict(user.tags), username=user.name)
            return principal, self.user_policy_texts(user), self.boundary_text(account, user.boundary_arn)
        if kind == "group":
            group = self.require_group(account, name)
            principal = Principal(arn=group.arn, account=account, kind="user", user_id=group.group_id)
            return principal, self.entity_policy_texts(account, "group", group.key), None
        role = self.require_role(account, name)
        principal = Principal(arn=role.arn, account=account, kind="assumed-role", user_id=role.role_id,
                              role_arn=role.arn, tags=dict(role.tags))
        return principal, self.entity_policy_texts(account, "role", role.key), \
            self.boundary_text(account, role.boundary_arn)

    def simulate_principal_policy(self, ctx, params):
        principal, texts, boundary_text = self._source_principal(ctx, params["PolicySourceArn"])
        if params.get("CallerArn"):
            principal.arn = params["CallerArn"]
        labels: dict = {}
        identity = self._labelled(texts, "identity", labels) + self._inputs(params, "PolicyInputList", "identity",
                                                                            labels)
        boundaries = self._inputs(params, "PermissionsBoundaryPolicyInputList", "boundary", labels)
        if not boundaries and boundary_text:
            boundaries = self._labelled([("none", "PermissionsBoundary", boundary_text)], "boundary", labels)
        return self._simulate(ctx, params, principal, identity, boundaries[0] if boundaries else None, labels)

    def simulate_custom_policy(self, ctx, params):
        from overcast.auth.policy import Principal

        caller = params.get("CallerArn") or f"arn:aws:iam::{ctx.account}:user/SimulatedUser"
        parsed = ids.parse_arn(caller)
        principal = Principal(arn=caller, account=parsed[0] if parsed else ctx.account, kind="user",
                              username=parsed[3] if parsed else None)
        labels: dict = {}
        identity = self._inputs(params, "PolicyInputList", "identity", labels)
        boundaries = self._inputs(params, "PermissionsBoundaryPolicyInputList", "boundary", labels)
        return self._simulate(ctx, params, principal, identity, boundaries[0] if boundaries else None, labels)
