"""GetInsightSummaries, GetInsight, GetInsightEvents and GetInsightImpactGraph, over the
insights the detector (``insight_detector.py``) recorded for groups with insights enabled."""

from __future__ import annotations

import json

from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.filters import parse_filter
from overcast.services.xray.graph import GraphBuilder
from overcast.services.xray.insight_detector import InsightDetection
from overcast.services.xray.queries import _page_offset, _page_token, _window
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.validation import check_input
from overcast.services.xray.windows import candidate_traces, load_traces

SUMMARIES_PAGE = 100
EVENTS_PAGE = 50
MAX_IMPACT_WINDOW = 6 * 3600  # "The time range between the start time and end time can't be more than six hours."
RETENTION = 30 * 24 * 3600


def _public(insight: dict) -> dict:
    return {k: v for k, v in insight.items() if k != "ServiceKey"}


class InsightOperations(InsightDetection):
    def _insight(self, ctx, insight_id: str) -> dict:
        row = self.db.query_one("SELECT body FROM insights WHERE account = ? AND region = ? AND id = ?",
                                (ctx.account, ctx.region, insight_id))
        if row is None:
            raise InvalidRequest(message="Insight not found")
        return json.loads(row[0])

    def get_insight_summaries(self, ctx, params: dict) -> dict:
        check_input("GetInsightSummaries", params)
        start, end = _window(params)
        if start < self.clock.now() - RETENTION:
            raise InvalidRequest(message="StartTime can't be more than 30 days old.")
        offset = _page_offset(params.get("NextToken"))
        group = self._group(ctx, params)
        states = set(params.get("States") or ())
        rows = self.db.query(
            "SELECT body FROM insights WHERE account = ? AND region = ? AND group_arn = ? AND start_time <= ? "
            "ORDER BY start_time, id", (ctx.account, ctx.region, group["GroupARN"], end))
        insights = []
        for (body,) in rows:
            insight = json.loads(body)
            if insight.get("EndTime") is not None and insight["EndTime"] < start:
                continue  # over before the window began
            if states and insight["State"] not in states:
                continue
            insights.append(_public(insight))
        size = params.get("MaxResults") or SUMMARIES_PAGE
        out = {"InsightSummaries": insights[offset:offset + size]}
        if offset + size < len(insights):
            out["NextToken"] = _page_token(offset + size)
        return out

    def get_insight(self, ctx, params: dict) -> dict:
        check_input("GetInsight", params)
        insight = _public(self._insight(ctx, params["InsightId"]))
        insight.pop("LastUpdateTime", None)  # GetInsight's Insight shape has no LastUpdateTime
        return {"Insight": insight}

    def get_insight_events(self, ctx, params: dict) -> dict:
        check_input("GetInsightEvents", params)
        self._insight(ctx, params["InsightId"])
        rows = self.db.query(
            "SELECT body FROM insight_events WHERE account = ? AND region = ? AND insight_id = ? ORDER BY event_time",
            (ctx.account, ctx.region, params["InsightId"]))
        events = [json.loads(r[0]) for r in rows]
        size = params.get("MaxResults") or EVENTS_PAGE
        offset = _page_offset(params.get("NextToken"))
        out = {"InsightEvents": events[offset:offset + size]}
        if offset + size < len(events):
            out["NextToken"] = _page_token(offset + size)
        return out

    def get_insight_impact_graph(self, ctx, params: dict) -> dict:
        """The structure of the service graph of the insight's group, in the window, drawn
        from the traces that went through the insight's root cause service."""
        check_input("GetInsightImpactGraph", params)
        start, end = _window(params)
        if end - start > MAX_IMPACT_WINDOW:
            raise InvalidRequest(message="The time range between StartTime and EndTime can't be more than six hours.")
        insight = self._insight(ctx, params["InsightId"])
        if params.get("NextToken"):  # one page holds the whole graph
            _page_offset(params["NextToken"])
        name, type_ = json.loads(insight["ServiceKey"])
        group = self.groups_store.by_arn(ctx.account, ctx.region, insight["GroupARN"])
        tree = None
        if group and group.get("FilterExpression"):
            tree = parse_filter(group["FilterExpression"])
        evaluator = self._resolved_evaluator(ctx, tree) if tree is not None else None
        trace_ids = [t for t, _ in candidate_traces(self.db, ctx.account, ctx.region, start, end, "Event")]
        builder = GraphBuilder()
        for trace_id, docs in load_traces(self.db, ctx.account, ctx.region, trace_ids).items():
            view = TraceView(trace_id, docs)
            if (name, type_) in view.nodes and (tree is None or evaluator.matches(tree, view)):
                builder.add(view)
        services = []
        for service in builder.services((start, end)):
            shape = {"ReferenceId": service["ReferenceId"]}
            for field in ("Type", "Name", "Names", "AccountId"):
                if field in service:
                    shape[field] = service[field]
            shape["Edges"] = [{"ReferenceId": edge["ReferenceId"]} for edge in service["Edges"]]
            services.append(shape)
        return {"InsightId": insight["InsightId"], "StartTime": start, "EndTime": end,
                "ServiceGraphStartTime": start, "ServiceGraphEndTime": end, "Services": services}

    def expire_insights(self, before: float) -> None:
        self.db.execute("DELETE FROM insight_events WHERE event_time < ?", (before,))
        self.db.execute("DELETE FROM insights WHERE start_time < ?", (before,))
