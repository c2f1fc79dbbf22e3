"""AWS X-Ray: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``queries.py`` (``QueryOperations``) | GetTraceSummaries, GetTraceGraph, GetServiceGraph, GetTimeSeriesServiceStatistics, trace retrieval, insights |
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.xray.queries import QueryOperations
from overcast.services.xray.schema import MIGRATIONS
from overcast.services.xray.store import SegmentStore


class Provider(QueryOperations, BaseProvider):
    service_name = "xray"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self._segments: SegmentStore | None = None

    @property
    def segments(self) -> SegmentStore:
        """The stored segment documents (opened with the database on first use)."""
        if self._segments is None:
            self._segments = SegmentStore(self.db)
        return self._segments
