"""The query side of X-Ray (filter expressions, trace summaries, trace and service graphs,
time-series statistics, trace retrieval, insights): one mixin, ``QueryOperations``, composed
into the ``Provider``. Read the stored segments through ``self.segments`` (``store.SegmentStore``)."""

from __future__ import annotations


class QueryOperations:
    """GetTraceSummaries, GetTraceGraph, GetServiceGraph, GetTimeSeriesServiceStatistics, the
    trace retrieval and insights operations."""
