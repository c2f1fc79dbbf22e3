"""X-Ray segment documents as OpenTelemetry span documents: the ``OTEL`` TraceFormat of
ListRetrievedTraces, in the shape Transaction Search stores spans (one JSON object per span:
``traceId`` as 32 hex digits, ``spanId``/``parentSpanId``, ``name``, ``kind``, times in Unix
nanoseconds, ``attributes``, ``status``, and the ``resource`` naming the service).

Every segment and every subsegment nested in it becomes one span; a segment is a SERVER span,
a subsegment calling another service (namespace ``aws`` or ``remote``) a CLIENT span, any
other subsegment an INTERNAL span.
"""

from __future__ import annotations

import json

from overcast.services.xray.trace_view import CLIENT_NAMESPACES


def otel_trace_id(trace_id: str) -> str:
    """``1-5759e988-bd862e3fe1be46a994272793`` -> ``5759e988bd862e3fe1be46a994272793``."""
    return trace_id[2:].replace("-", "") if trace_id.startswith("1-") else trace_id


def _nanos(seconds) -> int | None:
    return int(round(seconds * 1e9)) if isinstance(seconds, (int, float)) else None


def _kind(doc: dict, is_segment: bool) -> str:
    if is_segment:
        return "SERVER"
    return "CLIENT" if doc.get("namespace") in CLIENT_NAMESPACES else "INTERNAL"


def _attributes(doc: dict) -> dict:
    out: dict = {}
    http = doc.get("http") if isinstance(doc.get("http"), dict) else {}
    request = http.get("request") if isinstance(http.get("request"), dict) else {}
    response = http.get("response") if isinstance(http.get("response"), dict) else {}
    for source, target in (("method", "http.request.method"), ("url", "url.full"),
                           ("user_agent", "user_agent.original"), ("client_ip", "client.address")):
        if request.get(source) is not None:
            out[target] = request[source]
    if response.get("status") is not None:
        out["http.response.status_code"] = response["status"]
    aws = doc.get("aws") if isinstance(doc.get("aws"), dict) else {}
    for key in ("operation", "region", "request_id", "queue_url", "table_name", "bucket_name"):
        if aws.get(key) is not None:
            out[f"aws.{key}"] = aws[key]
    for key, value in (doc.get("annotations") or {}).items() if isinstance(doc.get("annotations"), dict) else ():
        out[f"annotation.{key}"] = value
    if doc.get("user") is not None:
        out["enduser.id"] = doc["user"]
    for flag in ("error", "fault", "throttle"):
        if doc.get(flag) is True:
            out[f"aws.xray.{flag}"] = True
    return out


def _span(doc: dict, trace_id: str, parent_id: str | None, service: dict, is_segment: bool) -> dict:
    span = {"resource": {"attributes": service}, "scope": {"name": "aws.xray"},
            "traceId": otel_trace_id(trace_id), "spanId": doc["id"]}
    if parent_id:
        span["parentSpanId"] = parent_id
    span["name"] = doc.get("name")
    span["kind"] = _kind(doc, is_segment)
    start, end = _nanos(doc.get("start_time")), _nanos(doc.get("end_time"))
    span["startTimeUnixNano"] = start
    if end is not None:
        span["endTimeUnixNano"] = end
        span["durationNano"] = end - start if start is not None else None
    span["attributes"] = _attributes(doc)
    span["status"] = {"code": "ERROR" if doc.get("fault") is True or doc.get("error") is True else "UNSET"}
    return span


def otel_spans(trace_id: str, segments: list[dict]) -> list[tuple[str, str]]:
    """(span id, span document text) for every segment and nested subsegment of a trace's
    whole segments (as BatchGetTraces returns them)."""
    out = []
    for segment in segments:
        service = {"service.name": segment.get("name"), "cloud.provider": "aws"}
        if isinstance(segment.get("origin"), str):
            service["cloud.platform"] = segment["origin"]
        is_segment = segment.get("type") != "subsegment"
        pending = [(segment, segment.get("parent_id"), is_segment)]
        while pending:
            doc, parent, top = pending.pop(0)
            span = _span(doc, trace_id, parent, service, top)
            out.append((doc["id"], json.dumps(span, separators=(",", ":"))))
            for child in doc.get("subsegments") or ():
                if isinstance(child, dict) and isinstance(child.get("id"), str):
                    pending.append((child, doc["id"], False))
    return out
