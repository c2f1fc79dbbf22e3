"""PutSubscriptionFilter, DescribeSubscriptionFilters, DeleteSubscriptionFilter; the provider's
subscription concern also holds the destinations (``destinations.py``) and the account
policies (``account_policies.py``). Forwarding at ingestion is ``subscription_delivery.py``.

PutSubscriptionFilter checks, in order: the model's constraints, the filter pattern, the
group's existence, the limit ("Each log group can have up to two subscription filters"), then
the destination, tested as AWS tests it (``subscription_targets.py``).
"""

from __future__ import annotations

import json
from functools import partial

from overcast.services.logs.account_policies import AccountPolicyOperations, check_put_account_policy
from overcast.services.logs.destinations import DestinationOperations
from overcast.services.logs.errors import (AccessDeniedException, InvalidParameterException, LimitExceededException,
                                           ResourceNotFoundException)
from overcast.services.logs.metric_filters import check_regex_quota, compiled_pattern, standard_only
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.subscription_delivery import SubscriptionForwarder
from overcast.services.logs.subscription_targets import UNREACHABLE, check_direct_target, parse_target
from overcast.services.logs.system_fields import compile_criteria
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

MAX_SUBSCRIPTION_FILTERS = 2  # per log group
PAGE = 50
DISTRIBUTIONS = ("Random", "ByLogStream")
FILTER_NOT_FOUND = "The specified subscription filter does not exist."
LIMIT_EXCEEDED = "Resource limit exceeded."
CROSS_ACCOUNT_LAMBDA = ("Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to "
                        "create cross account lambda triggers.")
# emitSystemFields' values (recorded and described; the payload's shape for them is not applied)
EMITTABLE_FIELDS = ("@aws.account", "@aws.region", "@source.log")


def check_put_subscription_filter(params: dict):
    """PutSubscriptionFilter's own parameters (strict mode: before authorization); returns the
    compiled pattern."""
    check_input("PutSubscriptionFilter", params)
    compiled = compiled_pattern(params["filterPattern"])
    compile_criteria(params.get("fieldSelectionCriteria"))
    for field in params.get("emitSystemFields") or []:
        if field not in EMITTABLE_FIELDS:
            raise InvalidParameterException(f"Invalid emitSystemFields: {field}. Valid values are "
                                            f"{', '.join(EMITTABLE_FIELDS)}")
    return compiled


def check_destination_arn(ctx, params: dict) -> None:
    """What AWS refuses from the destination ARN and role alone, before it looks at the log
    group: another account's Lambda function (that takes a Logs destination), a Kinesis stream
    without the role Logs would write with."""
    target = parse_target(params["destinationArn"])
    if target is None:
        return  # the test delivery answers it
    if target.kind == "lambda" and target.account != ctx.account:
        raise AccessDeniedException(CROSS_ACCOUNT_LAMBDA)
    if target.kind == "kinesis" and not params.get("roleArn"):
        raise InvalidParameterException("destinationArn for vendor kinesis cannot be used without roleArn")


class SubscriptionOperations(DestinationOperations, AccountPolicyOperations):
    def __init__(self, cloud):
        super().__init__(cloud)
        self.subscription_forwarder = SubscriptionForwarder(self)
        self.add_ingest_listener(self.subscription_forwarder)

    async def put_subscription_filter(self, ctx, params: dict) -> dict:
        compiled = check_put_subscription_filter(params)
        group_name, filter_name, pattern = params["logGroupName"], params["filterName"], params["filterPattern"]
        emitted = params.get("emitSystemFields") or []
        check_destination_arn(ctx, params)  # before the group is looked up, as AWS does
        group = standard_only(self.require_group(Scope.of(ctx), group_name))
        self._check_subscription_limit(group.group_id, filter_name)
        check_regex_quota(self.db, group.group_id, "subscription_filters", filter_name, compiled.regex_count)
        await self.check_subscription_destination(
            ctx, params["destinationArn"], f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{group.name}:*")
        config = {"filterName": filter_name, "logGroupName": group.name, "filterPattern": pattern,
                  "destinationArn": params["destinationArn"],
                  "distribution": params.get("distribution") or "ByLogStream",
                  "applyOnTransformedLogs": bool(params.get("applyOnTransformedLogs") or False),
                  "creationTime": int(self.clock.now() * 1000)}
        if params.get("roleArn"):
            config["roleArn"] = params["roleArn"]
        if params.get("fieldSelectionCriteria") is not None:
            config["fieldSelectionCriteria"] = params["fieldSelectionCriteria"]
        if emitted:
            config["emitSystemFields"] = list(emitted)
        with self.db.transaction():
            self._check_subscription_limit(group.group_id, filter_name)  # again: the test awaited
            self.db.execute(
                "INSERT INTO subscription_filters (group_id, filter_name, account, region, config) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, filter_name) DO UPDATE SET config = excluded.config",
                (group.group_id, filter_name, ctx.account, ctx.region, json.dumps(config)))
        self.subscription_forwarder.forget(group.group_id)
        return {}

    def _check_subscription_limit(self, group_id: int, filter_name: str) -> None:
        names = {name for (name,) in self.db.query(
            "SELECT filter_name FROM subscription_filters WHERE group_id = ?", (group_id,))}
        if filter_name not in names and len(names) >= MAX_SUBSCRIPTION_FILTERS:
            raise LimitExceededException(LIMIT_EXCEEDED)

    async def check_subscription_destination(self, ctx, arn: str, source_arn: str | None = None) -> None:
        """The test AWS makes of a subscription's destination before accepting it; ``source_arn``:
        the log group's, which a function's policy may name (None for an account policy)."""
        target = parse_target(arn)
        if target is None:
            raise InvalidParameterException(UNREACHABLE)
        now_ms = int(self.clock.now() * 1000)
        if target.kind == "destination":
            destination = self.destination_for_subscription(ctx, target)
            inner = parse_target(destination["targetArn"])
            if inner is None:
                raise InvalidParameterException(UNREACHABLE)
            await check_direct_target(self, target.account, target.region, inner, now_ms)
            return
        await check_direct_target(self, ctx.account, ctx.region, target, now_ms, source_arn)

    async def check_subscription_policy(self, ctx, document: dict) -> None:
        """A SUBSCRIPTION_FILTER_POLICY's document, checked as PutSubscriptionFilter checks a filter."""
        arn = document.get("DestinationArn")
        if not isinstance(arn, str) or not arn:
            raise InvalidParameterException("Invalid policy document: DestinationArn is required")
        pattern = document.get("FilterPattern", "")
        if not isinstance(pattern, str):
            raise InvalidParameterException("Invalid policy document: FilterPattern must be a string")
        compiled_pattern(pattern)
        if document.get("Distribution") not in (None, *DISTRIBUTIONS):
            raise InvalidParameterException("Invalid policy document: Distribution must be Random or ByLogStream")
        await self.check_subscription_destination(ctx, arn)

    def describe_subscription_filters(self, ctx, params: dict) -> dict:
        check_input("DescribeSubscriptionFilters", params)
        group = standard_only(self.require_group(Scope.of(ctx), params["logGroupName"]))
        prefix = params.get("filterNamePrefix") or ""
        limit = params.get("limit") or PAGE
        after = read_token("subscription-filters", params.get("nextToken")) or ""
        rows = self.db.query(
            "SELECT filter_name, config FROM subscription_filters WHERE group_id = ? AND filter_name > ? "
            "AND substr(filter_name, 1, ?) = ? ORDER BY filter_name LIMIT ?",
            (group.group_id, after, len(prefix), prefix, limit + 1))
        result = {"subscriptionFilters": [json.loads(config) for _, config in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = make_token("subscription-filters", rows[limit - 1][0])
        return result

    def delete_subscription_filter(self, ctx, params: dict) -> dict:
        check_input("DeleteSubscriptionFilter", params)
        group = standard_only(self.require_group(Scope.of(ctx), params["logGroupName"]))
        deleted = self.db.execute("DELETE FROM subscription_filters WHERE group_id = ? AND filter_name = ?",
                                  (group.group_id, params["filterName"]))
        if not deleted:
            raise ResourceNotFoundException(FILTER_NOT_FOUND)
        self.subscription_forwarder.forget(group.group_id)
        return {}

    async def start(self) -> None:
        await super().start()
        self.subscription_forwarder.start()

    async def stop(self) -> None:
        await self.subscription_forwarder.stop()
        await super().stop()

    def reset(self) -> None:
        super().reset()
        self.subscription_forwarder.reset()


# strict mode: these checks come before authorization (``request_checks.CHECKS``)
REQUEST_CHECKS.update({
    "PutSubscriptionFilter": check_put_subscription_filter,
    "PutAccountPolicy": check_put_account_policy,
    **{operation: partial(check_input, operation) for operation in (
        "DescribeSubscriptionFilters", "DeleteSubscriptionFilter", "PutDestination", "DescribeDestinations",
        "DeleteDestination", "PutDestinationPolicy", "DescribeAccountPolicies", "DeleteAccountPolicy")},
})
