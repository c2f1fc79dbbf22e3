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
import math
import re

MAX_DOCUMENT_BYTES = 64 * 1024  # X-Ray: "Segment document size: 64 kB"
MAX_NAME_LENGTH = 200

_HEX16 = re.compile(r"[0-9a-f]{16}\Z")
_TRACE_ID = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}\Z")
_NAME = re.compile(r"[\w\s.:/%&#=+\\\-@]+\Z")
_OBJECT_FIELDS = ("http", "aws", "sql", "annotations", "metadata", "service", "cause")
_BOOLEAN_FIELDS = ("error", "fault", "throttle", "in_progress")
_ANNOTATION_TYPES = (str, bool, int, float)  # annotations index strings, numbers and booleans


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


# Documents come from json.loads, so exact types suffice (and a bool is not a number here).
_NUMBER = (int, float)


def _check(doc, trace_id: str | None, top: bool) -> None:
    """Raise ``Rejected`` for the first problem of ``doc`` (a segment or subsegment)."""
    if type(doc) is not dict:
        raise Rejected("InvalidSegment")
    get = doc.get
    seg_id = get("id")
    if seg_id is None:
        raise Rejected("MissingId")
    if type(seg_id) is not str or not _HEX16.match(seg_id):
        raise Rejected("InvalidId")
    kind = get("type")
    if top:
        doc_trace = get("trace_id")
        if doc_trace is None:
            raise Rejected("MissingTraceId", seg_id)
        if type(doc_trace) is not str or not _TRACE_ID.match(doc_trace):
            raise Rejected("InvalidTraceId", seg_id)
        parent = get("parent_id")
        if kind == "subsegment":
            if parent is None:
                raise Rejected("MissingParentId", seg_id)
        elif kind is not None:
            raise Rejected("InvalidType", seg_id)
        if parent is not None and (type(parent) is not str or not _HEX16.match(parent)):
            raise Rejected("InvalidParentId", seg_id)
    elif "trace_id" in doc and doc["trace_id"] != trace_id:
        raise Rejected("InvalidTraceId", seg_id)
    name = get("name")
    if name is None:
        raise Rejected("MissingName", seg_id)
    if type(name) is not str or not 1 <= len(name) <= MAX_NAME_LENGTH or not _NAME.match(name):
        raise Rejected("InvalidName", seg_id)
    start = get("start_time")
    if start is None:
        raise Rejected("MissingStartTime", seg_id)
    if type(start) not in _NUMBER or not 0 <= start < math.inf:  # NaN fails both
        raise Rejected("InvalidStartTime", seg_id)
    for field in _BOOLEAN_FIELDS:
        value = get(field)
        if value is not None and type(value) is not bool:
            raise Rejected("InvalidSegment", seg_id)
    end = get("end_time")
    if end is None:
        if get("in_progress") is not True:
            raise Rejected("MissingEndTime", seg_id)
    elif type(end) not in _NUMBER or not start <= end < math.inf:
        raise Rejected("InvalidEndTime", seg_id)
    for field in _OBJECT_FIELDS:
        value = get(field)
        if value is not None and type(value) is not dict:
            raise Rejected("InvalidSegment", seg_id)
    annotations = get("annotations")
    if annotations:
        for value in annotations.values():
            if type(value) not in _ANNOTATION_TYPES:
                raise Rejected("InvalidAnnotation", seg_id)
    children = get("subsegments")
    if children is not None:
        if type(children) is not list:
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
    return [doc for doc, _ in parse_with_text(text)]


def parse_with_text(text) -> list[tuple[dict, str | None]]:
    """As ``parse_documents``, each document with its JSON text when the entry was that one
    document (stored as sent, saving a re-encoding on the ingestion path), else None."""
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
        try:
            _check(item, item.get("trace_id") if isinstance(item, dict) else None, top=True)
        except RecursionError:  # subsegments nested deeper than anything can read back
            raise Rejected("InvalidSegment", seg_id) from None
    if isinstance(doc, list):
        return [(item, None) for item in docs]
    return [(doc, text.decode() if isinstance(text, bytes) else text)]
