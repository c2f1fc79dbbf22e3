"""Amazon CloudWatch Logs: the provider is composed of one class per concern, each in its own
module (the split between the helpers is ``logs-contract``).

| module | operations |
|---|---|
| ``groups.py`` (``GroupOperations``) | Create/Delete/DescribeLogGroups, ListLogGroups |
| ``group_settings.py`` (``GroupSettingOperations``) | retention, KMS key, deletion protection, data protection policy |
| ``resource_policies.py`` (``ResourcePolicyOperations``) | Put/Delete/DescribeResourcePolicies |
| ``streams.py`` (``StreamOperations``) | Create/Delete/DescribeLogStreams |
| ``events.py`` (``EventOperations``) | PutLogEvents, GetLogEvents, the internal writer |
| ``tags.py`` (``TagOperations``) | TagResource, UntagResource, ListTagsForResource, Tag/Untag/ListTagsLogGroup |
| ``filtering.py`` (``FilterOperations``) | FilterLogEvents, TestMetricFilter |
| ``queries.py`` (``QueryOperations``) | Logs Insights and query definitions |
| ``metric_filters.py`` (``MetricFilterOperations``) | Put/Describe/DeleteMetricFilter |
| ``subscriptions.py`` (``SubscriptionOperations``) | subscription filters, destinations, account policies |
| ``exports.py`` (``ExportOperations``) | Create/Describe/CancelExportTask |
| ``live_tail.py`` (``LiveTailOperations``) | StartLiveTail |

``reader.py`` runs event scans off the event loop; ``retention.py`` deletes expired events on
the cloud clock; ``authority.py`` is Logs' side of strict-mode authorization.

A mixin with an ``__init__`` takes ``(self, cloud)`` and calls ``super().__init__(cloud)``
first; it may then register ingestion listeners (``add_ingest_listener``).
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.logs.authority import LogsAuthority
from overcast.services.logs.events import EventOperations
from overcast.services.logs.exports import ExportOperations
from overcast.services.logs.filtering import FilterOperations
from overcast.services.logs.group_settings import GroupSettingOperations
from overcast.services.logs.groups import GroupOperations
from overcast.services.logs.live_tail import LiveTailOperations
from overcast.services.logs.metric_filters import MetricFilterOperations
from overcast.services.logs.queries import QueryOperations
from overcast.services.logs.reader import ReaderOperations
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.resource_policies import ResourcePolicyOperations
from overcast.services.logs.retention import RetentionOperations
from overcast.services.logs.schema import MIGRATIONS
from overcast.services.logs.streams import StreamOperations
from overcast.services.logs.subscriptions import SubscriptionOperations
from overcast.services.logs.tags import TagOperations


class Provider(GroupOperations, GroupSettingOperations, ResourcePolicyOperations, StreamOperations,
               EventOperations, TagOperations, FilterOperations, QueryOperations, MetricFilterOperations,
               SubscriptionOperations, ExportOperations, LiveTailOperations, RetentionOperations,
               ReaderOperations, LogsAuthority, BaseProvider):
    service_name = "logs"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        self._ingest_listeners = []
        super().__init__(cloud)

    def validate_request(self, ctx, params: dict) -> None:
        """Strict mode: a request's own parameters are checked before it is authorized, as
        Logs orders them (the operations check them again in open mode)."""
        check = REQUEST_CHECKS.get(ctx.operation)
        if check is not None:
            check(params)

    async def stop(self) -> None:
        await super().stop()
        self.close_readers()
