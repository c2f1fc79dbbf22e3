"""EventBridge ARNs: how they are built and read back (a bus or rule may be named by name or
by ARN in most operations)."""

from __future__ import annotations

from overcast.services.events.models import DEFAULT_BUS
from overcast.storage.scope import Scope, partition_of


def events_arn(scope: Scope, resource: str) -> str:
    return f"arn:{partition_of(scope.region)}:events:{scope.region}:{scope.account}:{resource}"


def bus_arn(scope: Scope, name: str) -> str:
    return events_arn(scope, f"event-bus/{name}")


def rule_arn(scope: Scope, bus_name: str, rule_name: str) -> str:
    """``rule/<name>`` on the default bus, ``rule/<bus>/<name>`` on any other."""
    if bus_name == DEFAULT_BUS:
        return events_arn(scope, f"rule/{rule_name}")
    return events_arn(scope, f"rule/{bus_name}/{rule_name}")


def split_arn(arn: str) -> tuple[Scope, str] | None:
    """(scope, resource) of an EventBridge ARN (``event-bus/x``, ``rule/b/r``...), else None."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "events":
        return None
    return Scope(parts[4], parts[3]), parts[5]


def bus_name_of(name_or_arn: str) -> tuple[Scope | None, str]:
    """(scope named by an ARN or None, bus name) of an EventBusName parameter."""
    if isinstance(name_or_arn, str) and name_or_arn.startswith("arn:"):
        found = split_arn(name_or_arn)
        if found is not None and found[1].startswith("event-bus/"):
            return found[0], found[1][len("event-bus/"):]
        return None, name_or_arn
    return None, name_or_arn
