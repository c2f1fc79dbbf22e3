"""The query side of X-Ray (filter expressions, trace summaries, trace and service graphs,
time-series statistics): one mixin, ``QueryOperations``, composed into the
``Provider``. Read the stored segments through ``self.segments`` (``store.SegmentStore``)."""

from __future__ import annotations

import asyncio
import base64
import json
import marshal
from datetime import datetime

from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.filters import Evaluator, ast, parse_filter
from overcast.services.xray.filters.prefilter import could_match
from overcast.services.xray.graph import GraphBuilder
from overcast.services.xray.summaries import trace_summary
from overcast.services.xray.time_series import time_series
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.validation import check_input
from overcast.services.xray.windows import candidate_traces, load_traces, trace_rows
from overcast.storage.errors import StorageError

# Summaries per GetTraceSummaries page.
SUMMARIES_PAGE = 100
# Traces whose documents are loaded together while scanning for a page.
_SCAN_BATCH = 200


def epoch(value) -> float:
    """A parsed timestamp (aware datetime, or a number) as epoch seconds."""
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _window(params: dict) -> tuple[float, float]:
    start, end = epoch(params["StartTime"]), epoch(params["EndTime"])
    if end < start:
        raise InvalidRequest(message="EndTime must be after StartTime.")
    return start, end


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise InvalidRequest(message="The NextToken provided is invalid.") from None
    if not isinstance(offset, int) or offset < 0:
        raise InvalidRequest(message="The NextToken provided is invalid.")
    return offset


def _group_refs(tree) -> list[tuple[str, str]]:
    """The (field, value) of every group reference in a parsed expression."""
    if isinstance(tree, ast.GroupRef):
        return [(tree.field, tree.value)]
    if isinstance(tree, (ast.And, ast.Or)):
        return [ref for item in tree.items for ref in _group_refs(item)]
    if isinstance(tree, ast.Not):
        return _group_refs(tree.item)
    return []


def _summarize(batch: list, rows: list, tree, evaluator: Evaluator, wanted: int, with_event_time: bool):
    """(summaries, candidates used) for a batch of candidates and their stored rows: pure, so
    it runs in a worker thread. Stops after ``wanted`` matches."""
    documents = _documents(rows)
    found, used = [], 0
    for trace_id, event_time in batch:
        used += 1
        docs = documents.get(trace_id)
        if not docs:
            continue
        view = TraceView(trace_id, docs)
        if tree is None or evaluator.matches(tree, view):
            found.append(trace_summary(view, len(docs), event_time if with_event_time else None))
            if len(found) == wanted:
                break
    return found, used


def _sampled(trace_id: str, rate: float) -> bool:
    """Deterministic per trace, so pages of one query agree on which traces are in."""
    return (int(trace_id[-8:], 16) / 0xFFFFFFFF) < rate


class QueryOperations:
    """GetTraceSummaries, GetTraceGraph, GetServiceGraph and GetTimeSeriesServiceStatistics."""

    # shared helpers -----------------------------------------------------------------------

    def _resolved_evaluator(self, ctx, tree) -> Evaluator:
        """An evaluator whose ``group.name``/``group.arn`` references are read now, so it
        needs no database while it runs (in a worker thread)."""
        lookup = self._evaluator(ctx).groups
        resolved: dict[tuple, object] = {}
        pending = [tree]
        while pending:
            for field, value in _group_refs(pending.pop()):
                if (field, value) not in resolved:
                    resolved[(field, value)] = lookup(field, value)
                    pending.append(resolved[(field, value)])
        return Evaluator(lambda field, value: resolved.get((field, value)))

    def _evaluator(self, ctx) -> Evaluator:
        def group_tree(field: str, value: str):
            store = self.groups_store
            group = (store.by_name(ctx.account, ctx.region, value) if field == "name"
                     else store.by_arn(ctx.account, ctx.region, value))
            if group is None or not group.get("FilterExpression"):
                return None
            return parse_filter(group["FilterExpression"])
        return Evaluator(group_tree)

    def _group_tree(self, ctx, params: dict):
        """The parsed filter expression of the group a request names (None: no group, or a
        group without an expression, which holds every trace)."""
        if not params.get("GroupName") and not params.get("GroupARN"):
            return None
        group = self._group(ctx, params)
        expression = group.get("FilterExpression")
        return parse_filter(expression) if expression else None

    # operations ---------------------------------------------------------------------------

    async def get_trace_summaries(self, ctx, params: dict) -> dict:
        check_input("GetTraceSummaries", params)
        start, end = _window(params)
        tree = parse_filter(params["FilterExpression"]) if params.get("FilterExpression") else None
        position = _page_offset(params.get("NextToken"))
        range_type = params.get("TimeRangeType") or "TraceId"
        rate = 1.0
        strategy = params.get("SamplingStrategy") or {}
        if params.get("Sampling") and strategy.get("Value") is not None:
            rate = float(strategy["Value"])
        evaluator = self._resolved_evaluator(ctx, tree)
        candidates = candidate_traces(self.db, ctx.account, ctx.region, start, end, range_type)
        # Scan the candidates in time order from where the previous page stopped, until a page
        # is full: the token is the scan position, so no page scans what another did. The
        # database is read here; decoding and matching run in a worker thread.
        page, scanned = [], 0
        while position < len(candidates) and len(page) < SUMMARIES_PAGE:
            batch = candidates[position:position + _SCAN_BATCH]
            wanted = [t for t, _ in batch if rate >= 1.0 or _sampled(t, rate)]
            if tree is not None:  # only the traces whose facts say they may match are decoded
                facts = self.graph_summaries.facts(ctx.account, ctx.region, wanted)
                wanted = await asyncio.to_thread(_may_match, tree, wanted, facts)
            rows = list(trace_rows(self.db, ctx.account, ctx.region, wanted))
            found, used = await asyncio.to_thread(
                _summarize, batch, rows, tree, evaluator, SUMMARIES_PAGE - len(page), range_type == "Event")
            page.extend(found)
            position += used
            scanned += used
        out = {"TraceSummaries": page, "ApproximateTime": min(end, self.clock.now()),
               "TracesProcessedCount": scanned}
        if position < len(candidates):
            out["NextToken"] = _page_token(position)
        return out

    def get_trace_graph(self, ctx, params: dict) -> dict:
        check_input("GetTraceGraph", params)
        builder = GraphBuilder()
        for trace_id, docs in load_traces(self.db, ctx.account, ctx.region, params["TraceIds"]).items():
            builder.add(TraceView(trace_id, docs))
        return {"Services": builder.services()}

    async def get_service_graph(self, ctx, params: dict) -> dict:
        check_input("GetServiceGraph", params)
        start, end = _window(params)
        tree = self._group_tree(ctx, params)
        if tree is None:
            try:
                await self.graph_summaries.catch_up_for_query()  # every segment acknowledged so far counts
                builder = self.graph_summaries.graph(ctx.account, ctx.region, start, end)
            except StorageError:  # the summaries could not be stored now (a full disk): read the documents
                builder = await asyncio.to_thread(_graph_of, self._window_rows(ctx, start, end))
        else:  # a group's expression reads whole documents
            rows = self._window_rows(ctx, start, end)
            builder = await asyncio.to_thread(_group_graph, rows, tree, self._resolved_evaluator(ctx, tree))
        return {"StartTime": start, "EndTime": end, "Services": builder.services((start, end)),
                "ContainsOldGroupVersions": False}

    async def get_time_series_service_statistics(self, ctx, params: dict) -> dict:
        check_input("GetTimeSeriesServiceStatistics", params)
        start, end = _window(params)
        tree = self._group_tree(ctx, params)
        selector = params.get("EntitySelectorExpression")
        selector_tree = parse_filter(selector) if selector else None
        period = params.get("Period") or 60
        if period % 60:
            raise InvalidRequest(message="Period must be a multiple of 60 seconds.")
        rows = self._window_rows(ctx, start, end)
        evaluator = self._resolved_evaluator(ctx, tree)

        def series():
            views = [v for v in _views(rows) if tree is None or evaluator.matches(tree, v)]
            return time_series(views, selector_tree, period, start, end)

        return {"TimeSeriesServiceStatistics": await asyncio.to_thread(series), "ContainsOldGroupVersions": False}

    def _window_rows(self, ctx, start: float, end: float) -> list[tuple]:
        """The stored rows (trace id, received, document) of the whole traces with a segment
        starting in [start, end]."""
        trace_ids = [t for t, _ in candidate_traces(self.db, ctx.account, ctx.region, start, end, "Event")]
        return list(trace_rows(self.db, ctx.account, ctx.region, trace_ids))


def _documents(rows: list[tuple]) -> dict[str, list[dict]]:
    """trace id -> decoded documents, from stored rows (trace id, received, document text)."""
    documents: dict[str, list[dict]] = {}
    for trace_id, _, doc in rows:
        documents.setdefault(trace_id, []).append(json.loads(doc))
    return documents


def _views(rows: list[tuple]):
    for trace_id, docs in _documents(rows).items():
        yield TraceView(trace_id, docs)


def _may_match(tree, trace_ids: list[str], facts: dict[str, bytes]) -> list[str]:
    """The traces the filter facts do not rule out (those without facts are kept)."""
    return [t for t in trace_ids if t not in facts or could_match(tree, marshal.loads(facts[t]))]


def _graph_of(rows: list[tuple]) -> GraphBuilder:
    builder = GraphBuilder()
    for view in _views(rows):
        builder.add(view)
    return builder


def _group_graph(rows: list[tuple], tree, evaluator: Evaluator) -> GraphBuilder:
    builder = GraphBuilder()
    for view in _views(rows):
        if evaluator.matches(tree, view):
            builder.add(view)
    return builder
