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
