"""Trace retrieval (Transaction Search's StartTraceRetrieval, ListRetrievedTraces,
GetRetrievedTracesGraph, CancelTraceRetrieval), answered from X-Ray's own segment store.

A retrieval is a row of ``trace_retrievals``: the requested trace ids that have a document in
the requested time range (both ends inclusive), found when it starts. Overcast reads its own
store at once, so a retrieval is COMPLETE as soon as StartTraceRetrieval answers (AWS goes
through SCHEDULED and RUNNING while it reads its log group); CancelTraceRetrieval makes it
CANCELLED, after which the listing and the graph are empty, as for any retrieval that is not
COMPLETE. The traces' documents are read when listed, so what expired since is gone.
Retrievals are forgotten with the traces, 30 days after they started.
"""

from __future__ import annotations

import json
import uuid

from overcast.services.xray.errors import ResourceNotFound
from overcast.services.xray.graph import GraphBuilder
from overcast.services.xray.otel_spans import otel_spans
from overcast.services.xray.queries import _page_offset, _page_token, _window
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.traces import _whole_segments, trace_duration
from overcast.services.xray.validation import check_input
from overcast.services.xray.windows import load_traces

# ListRetrievedTraces answers at most 5 traces a page (the model's TraceSpanList max).
TRACES_PAGE = 5


def _retrieval_not_found() -> ResourceNotFound:
    return ResourceNotFound(message="Retrieval token not found.")


class RetrievalOperations:
    def _retrieval(self, ctx, token: str) -> tuple[list[str], str]:
        row = self.db.query_one(
            "SELECT trace_ids, status FROM trace_retrievals WHERE account = ? AND region = ? AND token = ?",
            (ctx.account, ctx.region, token))
        if row is None:
            raise _retrieval_not_found()
        return json.loads(row[0]), row[1]

    def start_trace_retrieval(self, ctx, params: dict) -> dict:
        check_input("StartTraceRetrieval", params)
        start, end = _window(params)
        wanted = list(dict.fromkeys(params["TraceIds"]))
        found: set[str] = set()
        if wanted:
            marks = ",".join("?" * len(wanted))
            rows = self.db.query(
                f"SELECT DISTINCT trace_id FROM segments WHERE trace_id IN ({marks}) AND account = ? "
                "AND region = ? AND start_time <= ? AND (end_time IS NULL OR end_time >= ?)",
                (*wanted, ctx.account, ctx.region, end, start))
            found = {r[0] for r in rows}
        token = uuid.uuid4().hex + uuid.uuid4().hex
        self.db.execute(
            "INSERT INTO trace_retrievals (account, region, token, trace_ids, status, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ctx.account, ctx.region, token, json.dumps([t for t in wanted if t in found]), "COMPLETE",
             self.clock.now()))
        return {"RetrievalToken": token}

    def list_retrieved_traces(self, ctx, params: dict) -> dict:
        check_input("ListRetrievedTraces", params)
        trace_format = params.get("TraceFormat") or "XRAY"
        trace_ids, status = self._retrieval(ctx, params["RetrievalToken"])
        out = {"RetrievalStatus": status, "TraceFormat": trace_format, "Traces": []}
        if status != "COMPLETE":
            return out
        offset = _page_offset(params.get("NextToken"))
        page_ids = trace_ids[offset:offset + TRACES_PAGE]
        documents = load_traces(self.db, ctx.account, ctx.region, page_ids)
        for trace_id in page_ids:
            docs = documents.get(trace_id)
            if not docs:  # expired since the retrieval found it
                continue
            duration = trace_duration(docs)
            segments = _whole_segments(docs)
            if trace_format == "OTEL":
                spans = [{"Id": span_id, "Document": text} for span_id, text in otel_spans(trace_id, segments)]
            else:
                spans = [{"Id": d["id"], "Document": json.dumps(d, separators=(",", ":"))} for d in segments]
            trace = {"Id": trace_id, "Spans": spans}
            if duration is not None:
                trace["Duration"] = duration
            out["Traces"].append(trace)
        if offset + TRACES_PAGE < len(trace_ids):
            out["NextToken"] = _page_token(offset + TRACES_PAGE)
        return out

    def get_retrieved_traces_graph(self, ctx, params: dict) -> dict:
        check_input("GetRetrievedTracesGraph", params)
        trace_ids, status = self._retrieval(ctx, params["RetrievalToken"])
        if params.get("NextToken"):  # the whole graph fits one page (at most 100 traces)
            _page_offset(params["NextToken"])
        out = {"RetrievalStatus": status, "Services": []}
        if status != "COMPLETE":
            return out
        builder = GraphBuilder()
        for trace_id, docs in load_traces(self.db, ctx.account, ctx.region, trace_ids).items():
            builder.add(TraceView(trace_id, docs))
        out["Services"] = [{"Service": service, "Links": []} for service in builder.services()]
        return out

    def cancel_trace_retrieval(self, ctx, params: dict) -> dict:
        check_input("CancelTraceRetrieval", params)
        self._retrieval(ctx, params["RetrievalToken"])
        self.db.execute("UPDATE trace_retrievals SET status = 'CANCELLED' WHERE account = ? AND region = ? "
                        "AND token = ?", (ctx.account, ctx.region, params["RetrievalToken"]))
        return {}

    def expire_retrievals(self, before: float) -> None:
        self.db.execute("DELETE FROM trace_retrievals WHERE created < ?", (before,))
