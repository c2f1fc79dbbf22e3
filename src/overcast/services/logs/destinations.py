"""Logs destinations (cross-account subscriptions): PutDestination, DescribeDestinations,
DeleteDestination, PutDestinationPolicy, and the access check a subscription filter of another
account passes (``destination_for_subscription``).

A destination stands for a Kinesis data stream or a Firehose stream of its owner ("We currently
support Kinesis Data Streams and Firehose as logical destinations"). Without an access policy
only its owner's account may subscribe to it ("By default, PutDestination does not set any
access policy with the destination, which means a cross-account user cannot call
PutSubscriptionFilter against this destination"); the policy is evaluated as IAM evaluates a
resource policy, for the action ``logs:PutSubscriptionFilter`` on the destination's ARN.
"""

from __future__ import annotations

import json
import re

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.services.logs.errors import (AccessDeniedException, InvalidParameterException,
                                           ResourceNotFoundException)
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.subscription_targets import parse_target
from overcast.services.logs.tags import check_tags
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

DESTINATION_NOT_FOUND = "The specified destination does not exist."
PAGE = 50  # DescribeDestinations' limit (1-50)
MAX_POLICY_BYTES = 5120  # accessPolicy "can be up to 5120 bytes"
_DESTINATION_ARN = re.compile(r"arn:[^:]+:logs:([^:]*):([^:]*):destination:([^:]+)")


def destination_arn(scope: Scope, name: str) -> str:
    return f"arn:{scope.partition}:logs:{scope.region}:{scope.account}:destination:{name}"


class DestinationOperations:
    def destination_config(self, scope: Scope, name: str) -> dict | None:
        row = self.db.query_one("SELECT config FROM log_destinations WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        return json.loads(row[0]) if row else None

    def _save_destination(self, scope: Scope, config: dict) -> None:
        self.db.execute(
            "INSERT INTO log_destinations (account, region, name, config) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account, region, name) DO UPDATE SET config = excluded.config",
            (*scope, config["destinationName"], json.dumps(config)))

    def put_destination(self, ctx, params: dict) -> dict:
        check_input("PutDestination", params)
        target = parse_target(params["targetArn"])
        if target is None or target.kind not in ("kinesis", "firehose"):
            raise InvalidParameterException(f"Invalid targetArn: {params['targetArn']}. A destination's target must "
                                            "be a Kinesis data stream or a Firehose stream.")
        check_tags(params.get("tags"))
        scope = Scope.of(ctx)
        name = params["destinationName"]
        existing = self.destination_config(scope, name) or {}
        config = {"destinationName": name, "targetArn": params["targetArn"], "roleArn": params["roleArn"],
                  "arn": destination_arn(scope, name),
                  "creationTime": existing.get("creationTime") or int(self.clock.now() * 1000)}
        if existing.get("accessPolicy"):
            config["accessPolicy"] = existing["accessPolicy"]
        tags = {**existing.get("tags", {}), **(params.get("tags") or {})}
        self._save_destination(scope, {**config, "tags": tags} if tags else config)
        return {"destination": config}

    def put_destination_policy(self, ctx, params: dict) -> dict:
        check_input("PutDestinationPolicy", params)
        scope = Scope.of(ctx)
        config = self.destination_config(scope, params["destinationName"])
        text = params["accessPolicy"]
        if len(text.encode()) > MAX_POLICY_BYTES:
            raise InvalidParameterException(f"The access policy exceeds the maximum size of {MAX_POLICY_BYTES} bytes.")
        try:
            parse_policy(text, "resource", destination_arn(scope, params["destinationName"]))
        except (PolicyDocumentError, ValueError) as exc:
            raise InvalidParameterException(f"Invalid access policy: {exc}") from None
        if config is None:
            raise ResourceNotFoundException(DESTINATION_NOT_FOUND)
        config["accessPolicy"] = text
        self._save_destination(scope, config)
        return {}

    def describe_destinations(self, ctx, params: dict) -> dict:
        check_input("DescribeDestinations", params)
        prefix = params.get("DestinationNamePrefix") or ""
        limit = params.get("limit") or PAGE
        after = read_token("destinations", params.get("nextToken")) or ""
        rows = self.db.query(
            "SELECT name, config FROM log_destinations WHERE account = ? AND region = ? AND name > ? "
            "AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?",
            (ctx.account, ctx.region, after, len(prefix), prefix, limit + 1))
        result = {"destinations": [_shown(json.loads(config)) for _, config in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = make_token("destinations", rows[limit - 1][0])
        return result

    def delete_destination(self, ctx, params: dict) -> dict:
        check_input("DeleteDestination", params)
        deleted = self.db.execute("DELETE FROM log_destinations WHERE account = ? AND region = ? AND name = ?",
                                  (ctx.account, ctx.region, params["destinationName"]))
        if not deleted:
            raise ResourceNotFoundException(DESTINATION_NOT_FOUND)
        return {}

    def destination_of_arn(self, ctx, arn: str) -> dict | None:
        """The caller's destination an ARN names (TagResource and its kin), or None."""
        match = _DESTINATION_ARN.fullmatch(arn)
        if match is None or (match.group(2), match.group(1)) != tuple(Scope.of(ctx)):
            return None
        return self.destination_config(Scope.of(ctx), match.group(3))

    def save_destination_tags(self, ctx, config: dict, tags: dict[str, str]) -> None:
        self._save_destination(Scope.of(ctx), {**_shown(config), **({"tags": tags} if tags else {})})

    def destination_for_subscription(self, ctx, target) -> dict:
        """The destination a PutSubscriptionFilter names (``target``: its parsed ARN), once the
        caller's account may subscribe to it; raises AWS's errors."""
        config = self.destination_config(Scope(target.account, target.region), target.name)
        if config is None:
            raise ResourceNotFoundException(DESTINATION_NOT_FOUND)
        if target.account != ctx.account and not self._destination_policy_allows(config, ctx, target):
            raise AccessDeniedException(f"User with accountId: {ctx.account} is not authorized to perform: "
                                        f"logs:PutSubscriptionFilter on resource: {target.arn}")
        return config

    def _destination_policy_allows(self, config: dict, ctx, target) -> bool:
        text = config.get("accessPolicy")
        if not text:
            return False
        try:
            policy = parse_policy(text, "resource", target.arn)
        except (PolicyDocumentError, ValueError):
            return False
        principal_arn = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
        kind = "root" if principal_arn.endswith(":root") else "user"
        request = AuthzRequest(Principal(arn=principal_arn, account=ctx.account, kind=kind),
                               "logs:PutSubscriptionFilter", target.arn, resource_account=target.account)
        return evaluate(request, PolicySet(resource=policy), now=self.clock.now()).allowed


def _shown(config: dict) -> dict:
    """A destination as DescribeDestinations shows it (its tags are not part of the shape)."""
    return {key: value for key, value in config.items() if key != "tags"}
