"""Delivery to another event bus (``arn:aws:events:<region>:<account>:event-bus/<name>``), in
the same account and region or another: the event re-enters that bus through
``accept_events``, unchanged (its id, time, source and account stay, as AWS forwards it), and
is matched against that bus's rules.

The loop guard: an event is never put back on a bus it already went through (a rule on bus B
sending to bus A, and one on A to B); AWS does not invoke such a target and counts it in
DeadLetterInvocations. In strict mode a bus of another account takes the event only when its
resource policy (PutPermission) lets the rule's account do events:PutEvents on it (the
target's RoleArn, which PutTargets requires for bus targets, is not itself evaluated).
"""

from __future__ import annotations

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.services.events.arns import bus_arn
from overcast.services.events.dispatch import Delivery, DeliveryFailure
from overcast.storage.scope import Scope

KIND = "event-bus"


def _bus_policy_allows(bus, delivery: Delivery, now: float) -> bool:
    if not bus.policy:
        return False
    try:
        policy = parse_policy(bus.policy, "resource", bus.arn)
    except (PolicyDocumentError, ValueError):
        return False
    account = delivery.rule.account
    # the policy names the sending account (PutPermission's Principal); the target's RoleArn
    # acts for that account, its own permissions are not evaluated here
    principal = Principal(arn=f"arn:aws:iam::{account}:root", account=account, kind="root")
    request = AuthzRequest(principal, "events:PutEvents", bus.arn,
                           context={"aws:SourceArn": delivery.rule.arn, "aws:SourceAccount": account},
                           resource_account=bus.account)
    return evaluate(request, PolicySet(resource=policy), now=now).allowed


def sender(provider):
    async def send(delivery: Delivery) -> None:
        target_arn = delivery.target["Arn"]
        bus = provider.bus_row(Scope(delivery.rule.account, delivery.rule.region), target_arn)
        if bus is None:
            raise DeliveryFailure("NO_RESOURCE", f"Event bus {target_arn} does not exist.", retryable=False)
        route = delivery.route or bus_arn(delivery.scope, delivery.rule.bus_name)
        if bus.arn in route.split(","):
            provider.events_metrics.not_invoked(delivery.rule)
            return
        if (provider.cloud.settings.strict and bus.account != delivery.rule.account
                and not _bus_policy_allows(bus, delivery, provider.clock.now())):
            raise DeliveryFailure("NO_PERMISSIONS", f"The policy of {bus.arn} does not let account "
                                  f"{delivery.rule.account} put events on it.", retryable=False)
        provider.accept_events(bus.scope, bus, [delivery.event], route=f"{route},{bus.arn}",
                               trace_headers=[delivery.trace_header] if delivery.trace_header else None)

    return send
