"""EventBridge's side of the authorization interface (``overcast.auth.authorization.authority``).

``authorization_values`` gives the action table (``actions/events.json``) what it cannot read
straight from the request:

- ``EventBusArn``: the bus an ``EventBusName`` (or a bus operation's ``Name``) names, a name
  or an ARN (an ARN may name another account's bus).
- ``RuleArn``: the rule a ``Name``/``Rule`` names on that bus (``rule/<name>`` on the default
  bus, ``rule/<bus>/<name>`` on others), with the stored rule's ``events:creatorAccount`` and
  ``events:ManagedBy`` (``RuleCreatorAccount``, ``RuleManagedBy``).
- PutRule's ``events:source``/``events:detail-type``/``events:detail.*`` from its
  EventPattern (``Pattern*``); PutTargets' ``events:TargetArn`` (``TargetArns``).
- PutEvents: ``PutEventsEntries``, one item per entry (its bus ARN, Source, DetailType): AWS
  authorizes each entry against the bus it names.

``resource_facts``: a bus's resource policy (PutPermission) is what AWS evaluates for the bus
and for the rules on it, so another account can put events on the bus, or rules and targets
on it, when the policy names it. ``resource_tags``: aws:ResourceTag/* of buses and rules.
"""

from __future__ import annotations

import json

from overcast.auth.authorization.authority import ResourceAuthority, ResourceFacts
from overcast.services.events.arns import bus_arn, bus_name_of, rule_arn, split_arn
from overcast.services.events.models import DEFAULT_BUS
from overcast.storage.scope import Scope

# operations whose ``Name`` is the bus's name (the others' ``Name`` is a rule's)
_BUS_NAMED = {"CreateEventBus", "DescribeEventBus", "DeleteEventBus", "UpdateEventBus"}
_RULE_NAMED = {"PutRule", "DescribeRule", "DeleteRule", "EnableRule", "DisableRule"}
_RULE_PARAM = {"PutTargets", "RemoveTargets", "ListTargetsByRule"}


def _bus(ctx, name) -> tuple[Scope, str]:
    arn_scope, bus = bus_name_of(name if isinstance(name, str) and name else DEFAULT_BUS)
    return arn_scope or Scope.of(ctx), bus


def _pattern_values(text) -> dict:
    """The condition keys AWS reads from a rule's pattern: its top-level ``source`` and
    ``detail-type`` and three ``detail`` fields, when they are lists of plain strings."""
    try:
        pattern = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    if not isinstance(pattern, dict):
        return {}
    detail = pattern.get("detail") if isinstance(pattern.get("detail"), dict) else {}
    user = detail.get("userIdentity") if isinstance(detail.get("userIdentity"), dict) else {}
    values = {}
    for key, found in (("PatternSource", pattern.get("source")), ("PatternDetailType", pattern.get("detail-type")),
                       ("PatternService", detail.get("service")), ("PatternEventTypeCode", detail.get("eventTypeCode")),
                       ("PatternPrincipalId", user.get("principalId"))):
        if isinstance(found, list):
            strings = [v for v in found if isinstance(v, str)]
            if strings:
                values[key] = strings
    return values


class EventsAuthority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        operation = ctx.operation
        name = params.get("Name") if operation in _BUS_NAMED else params.get("EventBusName")
        scope, bus = _bus(ctx, name)
        values = {"EventBusArn": bus_arn(scope, bus)}
        rule = None
        if operation in _RULE_NAMED:
            rule = params.get("Name")
        elif operation in _RULE_PARAM:
            rule = params.get("Rule")
        if isinstance(rule, str) and rule:
            values["RuleArn"] = rule_arn(scope, bus, rule)
            if operation != "PutRule":
                stored = self._stored_rule(scope, bus, rule)
                if stored is not None:
                    values["RuleCreatorAccount"] = stored.created_by
                    if stored.managed_by:
                        values["RuleManagedBy"] = stored.managed_by
        if operation == "PutRule":
            values.update(_pattern_values(params.get("EventPattern")))
        elif operation == "PutTargets" and isinstance(params.get("Targets"), list):
            arns = [t.get("Arn") for t in params["Targets"] if isinstance(t, dict) and isinstance(t.get("Arn"), str)]
            if arns:
                values["TargetArns"] = arns
        elif operation == "PutEvents" and isinstance(params.get("Entries"), list):
            entries = []
            for entry in params["Entries"]:
                if not isinstance(entry, dict):
                    continue
                entry_scope, entry_bus = _bus(ctx, entry.get("EventBusName"))
                entries.append({"BusArn": bus_arn(entry_scope, entry_bus), "Source": entry.get("Source"),
                                "DetailType": entry.get("DetailType")})
            values["PutEventsEntries"] = entries
        return values

    def _stored_rule(self, scope: Scope, bus: str, rule: str):
        try:
            return self.rule_row(scope, bus, rule)
        except Exception:  # noqa: BLE001 - a lookup for condition keys never fails the request
            return None

    def _bus_of_arn(self, arn: str):
        """The bus an event-bus or rule ARN belongs to (None when it names neither or no bus)."""
        found = split_arn(arn)
        if found is None:
            return None
        scope, resource = found
        if resource.startswith("event-bus/"):
            return self.bus_row(scope, resource[len("event-bus/"):])
        if resource.startswith("rule/"):
            bus = resource[len("rule/"):].rpartition("/")[0] or DEFAULT_BUS
            return self.bus_row(scope, bus)
        return None

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        bus = self._bus_of_arn(arn)
        if bus is None:
            return None
        return ResourceFacts(owner=bus.account, policy=bus.policy)

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        return self.tags_of(arn) if split_arn(arn) is not None else {}
