"""Segment documents for the X-Ray tests."""

from __future__ import annotations

import json
import os
import time


def new_trace_id(at: float | None = None) -> str:
    return f"1-{int(at or time.time()):08x}-{os.urandom(12).hex()}"


def new_id() -> str:
    return os.urandom(8).hex()


def segment(trace_id: str | None = None, name: str = "web", **fields) -> dict:
    start = fields.pop("start_time", time.time() - 1)
    doc = {"trace_id": trace_id or new_trace_id(), "id": new_id(), "name": name, "start_time": start,
           "end_time": start + 0.25}
    doc.update(fields)
    return doc


def dumps(doc) -> str:
    return json.dumps(doc)


def traffic(xray, minute: float, requests: int, faults: int, service: str = "web") -> list[str]:
    """``requests`` traces ending inside the minute, ``faults`` of them faulted: each a
    ``service`` segment calling the ``db`` service."""
    docs, ids = [], []
    for i in range(requests):
        start = minute + 1 + i * (50 / requests)
        trace_id = new_trace_id(start)
        ids.append(trace_id)
        root = {"trace_id": trace_id, "id": new_id(), "name": service, "origin": "AWS::EC2::Instance",
                "start_time": start, "end_time": start + 2, "fault": i < faults,
                "http": {"request": {"method": "GET", "url": f"http://{service}/"},
                         "response": {"status": 500 if i < faults else 200}}}
        child = {"trace_id": trace_id, "id": new_id(), "name": "db", "parent_id": root["id"],
                 "start_time": start + 0.5, "end_time": start + 1}
        docs += [dumps(root), dumps(child)]
    for i in range(0, len(docs), 50):
        assert xray.put_trace_segments(TraceSegmentDocuments=docs[i:i + 50])["UnprocessedTraceSegments"] == []
    return ids
