"""Amazon EventBridge: the provider is composed of one class per concern, each in its own
module (the split between the helpers is ``events-contract``).

| module | operations |
|---|---|
| ``buses.py`` (``BusOperations``) | Create/Describe/List/Update/DeleteEventBus, the default bus |
| ``permissions.py`` (``PermissionOperations``) | PutPermission, RemovePermission |
| ``rules.py`` (``RuleOperations``) | PutRule, DescribeRule, ListRules, Enable/DisableRule, DeleteRule |
| ``tags.py`` (``TagOperations``) | TagResource, UntagResource, ListTagsForResource |
| ``test_pattern.py`` (``TestPatternOperations``) | TestEventPattern |
| ``targets.py`` (``TargetOperations``) | PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget |
| ``put_events.py`` (``PutEventsOperations``) | PutEvents |
| ``dispatch.py`` (``DispatchOperations``) | durable delivery of matched events to targets |
| ``rule_schedules.py`` (``RuleScheduleOperations``) | scheduled rules firing on the cloud clock |
| ``archives.py`` (``ArchiveOperations``) | Create/Describe/Update/Delete/ListArchives |
| ``replays.py`` (``ReplayOperations``) | Start/Describe/Cancel/ListReplays |
| ``connections.py`` (``ConnectionOperations``) | connections of API destinations |
| ``api_destinations.py`` (``ApiDestinationOperations``) | API destinations |

``authority.py`` is EventBridge's side of strict-mode authorization. An operation no mixin
defines answers 501 (partner event sources and global endpoints are out of scope).

A mixin with an ``__init__`` takes ``(self, cloud)`` and calls ``super().__init__(cloud)``
first; it may then register rule listeners (``add_rule_listener``) or senders.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.events.api_destinations import ApiDestinationOperations
from overcast.services.events.archives import ArchiveOperations
from overcast.services.events.authority import EventsAuthority
from overcast.services.events.buses import BusOperations
from overcast.services.events.connections import ConnectionOperations
from overcast.services.events.dispatch import DispatchOperations
from overcast.services.events.permissions import PermissionOperations
from overcast.services.events.put_events import PutEventsOperations
from overcast.services.events.replays import ReplayOperations
from overcast.services.events.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.events.rule_schedules import RuleScheduleOperations
from overcast.services.events.rules import RuleOperations
from overcast.services.events.schema import MIGRATIONS
from overcast.services.events.tags import TagOperations
from overcast.services.events.targets import TargetOperations
from overcast.services.events.test_pattern import TestPatternOperations


class Provider(BusOperations, PermissionOperations, RuleOperations, TagOperations, TestPatternOperations,
               TargetOperations, PutEventsOperations, DispatchOperations, RuleScheduleOperations,
               ArchiveOperations, ReplayOperations, ConnectionOperations, ApiDestinationOperations,
               EventsAuthority, BaseProvider):
    service_name = "events"
    migrations = MIGRATIONS

    def validate_request(self, ctx, params: dict) -> None:
        """Strict mode: a request's own parameters are checked before it is authorized, as
        EventBridge orders them (the operations check them again in open mode)."""
        check = REQUEST_CHECKS.get(ctx.operation)
        if check is not None:
            check(params)
