"""Segments Overcast's own services record for calls that carry a sampled trace header.

A client traced by an X-Ray SDK sends ``X-Amzn-Trace-Id: Root=<trace>;Parent=<subsegment>;
Sampled=1`` with its AWS calls. AWS services integrated with X-Ray then add their own segment
to the trace, child of the caller's subsegment, so the service map shows them as AWS nodes.
Overcast does the same from the audit stream (every completed call, with its trace header,
start and duration): only calls to the services below, only sampled ones. The segments are
stored in batches at the end of the event loop's turn, outside any request (the caller's
answer never waits for them)."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os

from overcast.services.xray.segment_documents import Rejected, parse_documents

log = logging.getLogger("overcast.xray.propagation")

# service -> (segment name, origin) as the service map shows them
RECORDED = {"s3": ("S3", "AWS::S3"), "sqs": ("SQS", "AWS::SQS")}


def parse_trace_header(header: str) -> dict[str, str]:
    """``Root=...;Parent=...;Sampled=1`` as a dict (keys as sent, values stripped)."""
    fields = {}
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def service_segment(record) -> dict | None:
    """The segment the called service records for an audited call, or None when the call
    carries no sampled, well-formed trace header or the service records none."""
    names = RECORDED.get(record.service)
    if names is None or not record.trace_id or "Sampled=1" not in record.trace_id:
        return None
    header = parse_trace_header(record.trace_id)
    if header.get("Sampled") != "1":
        return None
    name, origin = names
    aws = {"operation": record.operation, "request_id": record.request_id, "region": record.region,
           "account_id": record.account}
    params = record.params or {}
    if isinstance(params.get("Bucket"), str):
        aws["bucket_name"] = params["Bucket"]
        if isinstance(params.get("Key"), str):
            aws["key"] = params["Key"]
    if isinstance(params.get("QueueUrl"), str):
        aws["queue_url"] = params["QueueUrl"]
    doc = {
        "trace_id": header.get("Root"), "id": os.urandom(8).hex(), "name": name, "origin": origin,
        "start_time": record.started, "end_time": record.started + record.duration,
        "http": {"response": {"status": record.status}}, "aws": aws,
    }
    if header.get("Parent"):
        doc["parent_id"] = header["Parent"]
    if record.status == 429:
        doc["throttle"] = doc["error"] = True
    elif 400 <= record.status < 500:
        doc["error"] = True
    elif record.status >= 500:
        doc["fault"] = True
    try:
        return parse_documents(json.dumps(doc))[0]  # the same checks as any document sent to X-Ray
    except Rejected:  # a malformed Root or Parent: nothing to record
        return None


class ServiceSegmentRecorder:
    """Subscribed to the audit stream; stores the segments of sampled calls in batches."""

    def __init__(self, store_batch):
        self.store_batch = store_batch  # fn(account, region, docs)
        self.pending: dict[tuple[str, str], list[dict]] = {}
        self._scheduled = False

    def __call__(self, record) -> None:
        if not record.trace_id or record.service not in RECORDED:
            return  # the common case, at once
        doc = service_segment(record)
        if doc is None:
            return
        self.pending.setdefault((record.account, record.region), []).append(doc)
        if not self._scheduled:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            self._scheduled = True
            loop.call_soon(self.flush, context=contextvars.Context())  # outside the request

    def flush(self) -> None:
        self._scheduled = False
        pending, self.pending = self.pending, {}
        for (account, region), docs in pending.items():
            try:
                self.store_batch(account, region, docs)
            except Exception:  # noqa: BLE001 - recording a trace must never fail anything else
                log.exception("storing %d service segments failed", len(docs))
