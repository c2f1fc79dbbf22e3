"""AWS X-Ray: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``traces.py`` (``TraceOperations``) | PutTraceSegments, PutTelemetryRecords, BatchGetTraces |
| ``queries.py`` (``QueryOperations``) | GetTraceSummaries, GetTraceGraph, GetServiceGraph, GetTimeSeriesServiceStatistics |
| ``insights.py`` (``InsightOperations``; detection in ``insight_detector.py``) | GetInsightSummaries, GetInsight, GetInsightEvents, GetInsightImpactGraph |
| ``retrieval.py`` (``RetrievalOperations``) | StartTraceRetrieval, ListRetrievedTraces, GetRetrievedTracesGraph, CancelTraceRetrieval |
| ``segment_destination.py`` (``SegmentDestinationOperations``) | GetTraceSegmentDestination, UpdateTraceSegmentDestination |
| ``indexing_rules.py`` (``IndexingRuleOperations``) | GetIndexingRules, UpdateIndexingRule |
| ``groups.py`` (``GroupOperations``) | CreateGroup, GetGroup, UpdateGroup, DeleteGroup, GetGroups |
| ``sampling_rules.py`` (``SamplingRuleOperations``) | CreateSamplingRule, UpdateSamplingRule, DeleteSamplingRule, GetSamplingRules |
| ``sampling_targets.py`` (``SamplingTargetOperations``) | GetSamplingTargets, GetSamplingStatisticSummaries |
| ``encryption.py`` (``EncryptionOperations``) | GetEncryptionConfig, PutEncryptionConfig |
| ``tagging.py`` (``TagOperations``) | TagResource, UntagResource, ListTagsForResource |
| ``resource_policies.py`` (``ResourcePolicyOperations``) | PutResourcePolicy, ListResourcePolicies, DeleteResourcePolicy |

Traces, telemetry records and sampling statistics expire after 30 days on the cloud clock
(X-Ray's retention), swept hourly. Calls to S3 and SQS carrying a sampled trace header get
their service's own segment (``propagation.py``).
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.xray.encryption import EncryptionOperations
from overcast.services.xray.graph_summaries import GraphSummaries
from overcast.services.xray.groups import GroupOperations, GroupStore
from overcast.services.xray.indexing_rules import IndexingRuleOperations
from overcast.services.xray.insight_detector import MINUTE
from overcast.services.xray.insights import InsightOperations
from overcast.services.xray.propagation import ServiceSegmentRecorder
from overcast.services.xray.queries import QueryOperations
from overcast.services.xray.resource_policies import ResourcePolicyOperations
from overcast.services.xray.retrieval import RetrievalOperations
from overcast.services.xray.sampling_rules import SamplingRuleOperations, SamplingRuleStore
from overcast.services.xray.sampling_targets import SamplingTargetOperations
from overcast.services.xray.schema import MIGRATIONS
from overcast.services.xray.segment_destination import SegmentDestinationOperations
from overcast.services.xray.store import SegmentStore
from overcast.services.xray.tagging import TagOperations, TagStore
from overcast.services.xray.telemetry import TelemetryStore
from overcast.services.xray.traces import TraceOperations

RETENTION_SECONDS = 30 * 24 * 3600  # "X-Ray stores trace data for 30 days"
EXPIRY_SWEEP_SECONDS = 3600


class Provider(TraceOperations, QueryOperations, InsightOperations, RetrievalOperations, SegmentDestinationOperations,
               IndexingRuleOperations, GroupOperations, SamplingRuleOperations, SamplingTargetOperations,
               EncryptionOperations, TagOperations, ResourcePolicyOperations, BaseProvider):
    service_name = "xray"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self._stores: dict[str, object] = {}
        # (account, region, rule name) -> {client id: last report time}; shares of a reservoir
        # only matter for the next few seconds, so they live in memory.
        self.sampling_clients: dict[tuple, dict[str, float]] = {}
        cloud.scheduler.every(EXPIRY_SWEEP_SECONDS, self.expire)
        cloud.scheduler.every(MINUTE, self.detect_insights)  # groups with insights enabled, minute by minute
        self._recorder = ServiceSegmentRecorder(self._store_service_segments)
        self._unsubscribe = cloud.audit.subscribe(self._recorder)
        # per-trace and per-minute service graph summaries, kept up in the background
        self.graph_summaries = GraphSummaries(lambda: self.db)

    def _store_service_segments(self, account: str, region: str, docs: list[dict]) -> None:
        self.segments.add(account, region, docs, self.clock.now())

    def _store(self, name: str, factory):
        store = self._stores.get(name)
        if store is None:
            store = self._stores[name] = factory(self.db)
        return store

    @property
    def segments(self) -> SegmentStore:
        """The stored segment documents (opened with the database on first use)."""
        return self._store("segments", lambda db: SegmentStore(db, self.graph_summaries.wake))

    @property
    def telemetry(self) -> TelemetryStore:
        return self._store("telemetry", TelemetryStore)

    @property
    def sampling_rules(self) -> SamplingRuleStore:
        return self._store("sampling_rules", SamplingRuleStore)

    @property
    def groups_store(self) -> GroupStore:
        return self._store("groups", GroupStore)

    @property
    def tags(self) -> TagStore:
        return self._store("tags", TagStore)

    def expire(self) -> None:
        """Forget what is older than X-Ray keeps."""
        before = self.clock.now() - RETENTION_SECONDS
        self.segments.expire(before)
        self.telemetry.expire(before)
        self.expire_sampling_statistics(before)
        self.expire_retrievals(before)
        self.expire_insights(before)

    def reset(self) -> None:
        self.sampling_clients.clear()
        self.groups_changed()
        self._recorder.pending.clear()
        self.graph_summaries.reset()

    async def start(self) -> None:
        await super().start()
        self.graph_summaries.start()

    async def stop(self) -> None:
        self._recorder.flush()
        await self.graph_summaries.stop()
