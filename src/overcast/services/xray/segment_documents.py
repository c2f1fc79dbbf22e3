"""Segment documents: parsing and the checks X-Ray makes before it accepts one.

A document is a segment, a subsegment sent on its own (``"type": "subsegment"`` with
``trace_id`` and ``parent_id``), or an array of such subsegments. A rejected document comes
back to the sender as an ``UnprocessedTraceSegment``: ``ErrorCode`` names the first problem
and ``Message`` is ``"Invalid segment. ErrorCode: <code>"``, as X-Ray answers (observed:
``MissingId``, ``InvalidTraceId``).

Rules (X-Ray Developer Guide, "Segment documents"):
- ``id``: 16 hex digits; ``trace_id``: ``1-<8 hex>-<24 hex>`` (the time part is not checked
  against the clock: trace ids from OpenTelemetry carry none);
- ``name``: 1-200 characters of letters, numbers, whitespace and ``_ . : / % & # = + \\ - @``;
- ``start_time`` a number; ``end_time`` a number not before it, or ``in_progress: true``;
- ``error``/``fault``/``throttle``/``in_progress`` booleans; ``http``, ``aws``, ``sql``,
  ``annotations``, ``metadata``, ``cause``, ``service`` objects; nested ``subsegments``
  obey the same rules (their trace id is the segment's);
- annotations: values string, number or boolean (other values are refused);
- a document is at most 64 KB (daemon and API alike).
"""

from __future__ import annotations

import json
import re

MAX_DOCUMENT_BYTES = 64 * 1024  # X-Ray: "Segment document size: 64 kB"
MAX_NAME_LENGTH = 200

_HEX16 = re.compile(r"[0-9a-f]{16}\Z")
_TRACE_ID = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}\Z")
_NAME = re.compile(r"[\w\s.:/%&#=+\\\-@]+\Z")
_OBJECT_FIELDS = ("http", "aws", "sql", "annotations", "metadata", "service", "cause")
_BOOLEAN_FIELDS = ("error", "fault", "throttle", "in_progress")


class Rejected(Exception):
    """A document X-Ray does not accept: ``code`` is the UnprocessedTraceSegment ErrorCode;
    ``segment_id`` the document's id when it had a usable one."""

    def __init__(self, code: str, segment_id: str | None = None):
        super().__init__(code)
        self.code = code
        self.segment_id = segment_id

    def unprocessed(self) -> dict:
        """The ``UnprocessedTraceSegment`` shape of this rejection."""
        out = {"ErrorCode": self.code, "Message": f"Invalid segment. ErrorCode: {self.code}"}
        if self.segment_id is not None:
            out["Id"] = self.segment_id
        return out


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(doc, trace_id: str | None, top: bool) -> None:
    """Raise ``Rejected`` for the first problem of ``doc`` (a segment or subsegment)."""
    if not isinstance(doc, dict):
        raise Rejected("InvalidSegment")
    seg_id = doc.get("id")
    if seg_id is None:
        raise Rejected("MissingId")
    if not isinstance(seg_id, str) or not _HEX16.match(seg_id):
        raise Rejected("InvalidId")
    if top:
        if "trace_id" not in doc:
            raise Rejected("MissingTraceId", seg_id)
        if not isinstance(doc["trace_id"], str) or not _TRACE_ID.match(doc["trace_id"]):
            raise Rejected("InvalidTraceId", seg_id)
        if doc.get("type") == "subsegment":
            parent = doc.get("parent_id")
            if parent is None:
                raise Rejected("MissingParentId", seg_id)
            if not isinstance(parent, str) or not _HEX16.match(parent):
                raise Rejected("InvalidParentId", seg_id)
        elif "type" in doc:
            raise Rejected("InvalidType", seg_id)
    elif "trace_id" in doc and doc["trace_id"] != trace_id:
        raise Rejected("InvalidTraceId", seg_id)
    if top and "parent_id" in doc and doc.get("type") != "subsegment":
        parent = doc["parent_id"]
        if not isinstance(parent, str) or not _HEX16.match(parent):
            raise Rejected("InvalidParentId", seg_id)
    name = doc.get("name")
    if name is None:
        raise Rejected("MissingName", seg_id)
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH or not _NAME.match(name):
        raise Rejected("InvalidName", seg_id)
    start = doc.get("start_time")
    if start is None:
        raise Rejected("MissingStartTime", seg_id)
    if not _number(start) or start < 0:
        raise Rejected("InvalidStartTime", seg_id)
    for field in _BOOLEAN_FIELDS:
        if field in doc and not isinstance(doc[field], bool):
            raise Rejected("InvalidSegment", seg_id)
    end = doc.get("end_time")
    if end is None:
        if doc.get("in_progress") is not True:
            raise Rejected("MissingEndTime", seg_id)
    elif not _number(end) or end < start:
        raise Rejected("InvalidEndTime", seg_id)
    for field in _OBJECT_FIELDS:
        if field in doc and not isinstance(doc[field], dict):
            raise Rejected("InvalidSegment", seg_id)
    annotations = doc.get("annotations")
    if annotations:
        for value in annotations.values():
            if not (isinstance(value, (str, bool)) or _number(value)):
                raise Rejected("InvalidAnnotation", seg_id)
    children = doc.get("subsegments")
    if children is not None:
        if not isinstance(children, list):
            raise Rejected("InvalidSegment", seg_id)
        for child in children:
            try:
                _check(child, trace_id, top=False)
            except Rejected as exc:
                exc.segment_id = seg_id  # the rejection is reported for the document sent
                raise


def parse_documents(text) -> list[dict]:
    """The validated documents one ``TraceSegmentDocuments`` entry (or daemon datagram body)
    holds: one segment/subsegment, or the members of an array of subsegments. Raises
    ``Rejected`` for the whole entry."""
    if not isinstance(text, (str, bytes)):
        raise Rejected("InvalidSegment")
    size = len(text.encode() if isinstance(text, str) else text)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise Rejected("InvalidSegment") from None
    seg_id = doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None
    if size > MAX_DOCUMENT_BYTES:
        raise Rejected("SegmentTooLarge", seg_id)
    docs = doc if isinstance(doc, list) else [doc]
    if not docs:
        raise Rejected("MissingId")
    for item in docs:
        if isinstance(doc, list) and isinstance(item, dict) and item.get("type") != "subsegment":
            raise Rejected("InvalidType", item.get("id") if isinstance(item.get("id"), str) else None)
        _check(item, item.get("trace_id") if isinstance(item, dict) else None, top=True)
    return docs
