"""Strict mode: the checks of a request's own parameters EventBridge makes before it authorizes
the call (operation -> check(params)); the operations make them again in open mode."""

from __future__ import annotations

from functools import partial

from overcast.services.events.api_destinations import (check_create_api_destination, check_list_api_destinations,
                                                       check_update_api_destination)
from overcast.services.events.archives import check_create_archive, check_list_archives, check_update_archive
from overcast.services.events.buses import check_create
from overcast.services.events.connections import check_create_connection, check_update_connection
from overcast.services.events.permissions import check_put_permission
from overcast.services.events.put_events import check_put_events_request
from overcast.services.events.replays import check_list_replays, check_start_replay
from overcast.services.events.rules import check_put_rule
from overcast.services.events.test_pattern import check_test_event_pattern
from overcast.services.events.validation import check_input

CHECKS: dict = {
    "CreateEventBus": check_create,
    "PutPermission": check_put_permission,
    "PutRule": check_put_rule,
    "TestEventPattern": check_test_event_pattern,
    "PutEvents": check_put_events_request,
    "CreateArchive": check_create_archive, "UpdateArchive": check_update_archive, "ListArchives": check_list_archives,
    "StartReplay": check_start_replay, "ListReplays": check_list_replays,
    "CreateConnection": check_create_connection, "UpdateConnection": check_update_connection,
    "CreateApiDestination": check_create_api_destination, "UpdateApiDestination": check_update_api_destination,
    "ListApiDestinations": check_list_api_destinations,
    **{operation: partial(check_input, operation) for operation in (
        "DescribeEventBus", "ListEventBuses", "UpdateEventBus", "DeleteEventBus", "RemovePermission",
        "DescribeRule", "ListRules", "EnableRule", "DisableRule", "DeleteRule", "TagResource", "UntagResource",
        "ListTagsForResource", "DescribeArchive", "DeleteArchive", "DescribeReplay", "CancelReplay",
        "DescribeConnection", "ListConnections", "DeleteConnection", "DeauthorizeConnection",
        "DescribeApiDestination", "DeleteApiDestination")},
}
