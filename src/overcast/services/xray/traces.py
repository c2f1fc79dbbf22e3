"""PutTraceSegments, PutTelemetryRecords and BatchGetTraces."""

from __future__ import annotations

import json

from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.ingestion import ingest
from overcast.services.xray.validation import check_input

# BatchGetTraces takes at most 5 trace ids and no NextToken (observed answers:
# "Exceeding maximum query size: 5", "NextToken is currently not supported").
MAX_BATCH_TRACE_IDS = 5


def trace_duration(docs: list[dict]) -> float | None:
    """Seconds from the earliest start to the latest end among a trace's documents."""
    starts = [d["start_time"] for d in docs if "start_time" in d]
    ends = [d["end_time"] for d in docs if d.get("end_time") is not None]
    if not starts or not ends:
        return None
    return round(max(ends) - min(starts), 3)


class TraceOperations:
    """Segments in (API) and whole traces out."""

    def put_trace_segments(self, ctx, params: dict) -> dict:
        check_input("PutTraceSegments", params)
        unprocessed = ingest(self.segments, ctx.account, ctx.region, params["TraceSegmentDocuments"],
                             self.clock.now())
        return {"UnprocessedTraceSegments": unprocessed}

    def put_telemetry_records(self, ctx, params: dict) -> dict:
        check_input("PutTelemetryRecords", params)
        self.telemetry.add(ctx.account, ctx.region, params, self.clock.now())
        return {}

    def batch_get_traces(self, ctx, params: dict) -> dict:
        check_input("BatchGetTraces", params)
        trace_ids = params["TraceIds"]
        if len(trace_ids) > MAX_BATCH_TRACE_IDS:
            raise InvalidRequest(message=f"Exceeding maximum query size: {MAX_BATCH_TRACE_IDS}")
        if params.get("NextToken") is not None:
            raise InvalidRequest(message="NextToken is currently not supported")
        traces, unprocessed = [], []
        for trace_id in dict.fromkeys(trace_ids):
            docs = self.segments.trace_docs(ctx.account, ctx.region, trace_id)
            if not docs:
                unprocessed.append(trace_id)
                continue
            trace = {
                "Id": trace_id,
                "Segments": [{"Id": d["id"], "Document": json.dumps(d, separators=(",", ":"))}
                             for d in _whole_segments(docs)],
                "LimitExceeded": False,
            }
            duration = trace_duration(docs)
            if duration is not None:
                trace["Duration"] = duration
            traces.append(trace)
        return {"Traces": traces, "UnprocessedTraceIds": unprocessed}


def _whole_segments(docs: list[dict]) -> list[dict]:
    """Each segment with the subsegments that were sent on their own put back in place under
    their parent (X-Ray returns segments as whole documents); a subsegment whose parent never
    arrived stays a document of its own."""
    by_id: dict[str, dict] = {}
    roots: list[dict] = []
    for doc in docs:
        by_id[doc["id"]] = doc
    for doc in docs:
        if doc.get("type") == "subsegment":
            parent = _find(by_id, doc.get("parent_id"))
            if parent is not None and parent is not doc:
                child = {k: v for k, v in doc.items() if k not in ("type", "trace_id", "parent_id")}
                parent.setdefault("subsegments", []).append(child)
                _index(child, by_id)
                continue
        roots.append(doc)
        _index(doc, by_id)
    return roots


def _index(doc: dict, by_id: dict) -> None:
    for child in doc.get("subsegments") or ():
        if isinstance(child, dict) and "id" in child:
            by_id.setdefault(child["id"], child)
            _index(child, by_id)


def _find(by_id: dict, seg_id):
    return by_id.get(seg_id) if seg_id else None
