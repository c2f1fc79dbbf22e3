"""The segment store: every segment document X-Ray received, per account and region.

For the query side (filters, graphs, summaries)::

    store = self.segments                                  # SegmentStore(self.db)
    store.add(account, region, docs, received=self.clock.now())
    store.trace_docs(account, region, trace_id)           # [doc, ...] segments + separate subsegments
    for row in store.iter_segments(account, region, start, end):
        row.trace_id, row.id, row.parent_id, row.kind ("segment" | "subsegment"), row.name,
        row.origin, row.start_time, row.end_time, row.in_progress, row.error, row.fault,
        row.throttle, row.http_status, row.response_time, row.doc (dict, parsed on first use)

Every change of a trace's documents (stored, replaced, expired) also files the trace in
``trace_changes``, in the same transaction, and calls ``on_change`` (the graph summarizer's
wake-up), so the service graph summaries follow the documents (``graph_summaries.py``).

``iter_segments`` yields both segments and subsegments sent on their own (``kind`` tells
them apart), those whose ``start_time`` lies in ``[start, end]``, ordered by start time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from overcast.storage.database import Database

# Rows fetched per query while iterating a window, so a large window is not one huge list.
_PAGE = 5000

_COLUMNS = (
    "trace_id, id, parent_id, kind, name, origin, start_time, end_time, in_progress, "
    "error, fault, throttle, http_status, doc"
)

_UPSERT = (
    "INSERT INTO segments (account, region, trace_id, id, parent_id, kind, name, origin, "
    "start_time, end_time, in_progress, error, fault, throttle, http_status, received, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (account, region, trace_id, id) DO UPDATE SET parent_id = excluded.parent_id, "
    "kind = excluded.kind, name = excluded.name, origin = excluded.origin, "
    "start_time = excluded.start_time, end_time = excluded.end_time, "
    "in_progress = excluded.in_progress, error = excluded.error, fault = excluded.fault, "
    "throttle = excluded.throttle, http_status = excluded.http_status, "
    "received = excluded.received, doc = excluded.doc"
)


class SegmentRow:
    """One stored segment (or separately sent subsegment): its indexed columns, and the whole
    document through ``doc``, decoded only when read."""

    __slots__ = (
        "trace_id", "id", "parent_id", "kind", "name", "origin", "start_time", "end_time",
        "in_progress", "error", "fault", "throttle", "http_status", "_doc_text", "_doc",
    )

    def __init__(self, row: tuple):
        (self.trace_id, self.id, self.parent_id, self.kind, self.name, self.origin,
         self.start_time, self.end_time, in_progress, error, fault, throttle,
         self.http_status, self._doc_text) = row
        self.in_progress = bool(in_progress)
        self.error = bool(error)
        self.fault = bool(fault)
        self.throttle = bool(throttle)
        self._doc = None

    @property
    def doc(self) -> dict:
        """The whole document as sent (after validation), decoded on first access."""
        if self._doc is None:
            self._doc = json.loads(self._doc_text)
        return self._doc

    @property
    def response_time(self) -> float | None:
        """end_time - start_time in seconds; None while in progress."""
        if self.end_time is None:
            return None
        return self.end_time - self.start_time

    def __repr__(self) -> str:
        return f"SegmentRow({self.trace_id}, {self.id}, {self.kind}, {self.name!r})"


def _http_status(doc: dict) -> int | None:
    http = doc.get("http")
    if isinstance(http, dict):
        response = http.get("response")
        if isinstance(response, dict):
            status = response.get("status")
            if type(status) is int and 0 <= status <= 999:  # an HTTP status; anything else is not indexed
                return status
    return None


def _row_values(account: str, region: str, doc: dict, received: float, text: str | None = None) -> tuple:
    end = doc.get("end_time")
    return (
        account, region, doc["trace_id"], doc["id"], doc.get("parent_id"),
        "subsegment" if doc.get("type") == "subsegment" else "segment",
        doc["name"], doc["origin"] if isinstance(doc.get("origin"), str) else None, float(doc["start_time"]),
        float(end) if end is not None else None,
        1 if doc.get("in_progress") is True else 0,
        1 if doc.get("error") is True else 0,
        1 if doc.get("fault") is True else 0,
        1 if doc.get("throttle") is True else 0,
        _http_status(doc), received, text if text is not None else json.dumps(doc, separators=(",", ":")),
    )


# A trace whose documents changed: its graph summary is to be recomputed (version: see
# graph_summary_schema.py).
_CHANGED = (
    "INSERT INTO trace_changes (account, region, trace_id, version) VALUES (?, ?, ?, 0) "
    "ON CONFLICT (account, region, trace_id) DO UPDATE SET version = trace_changes.version + 1"
)


class SegmentStore:
    """Segment documents in the ``segments`` table of X-Ray's database."""

    def __init__(self, db: "Database", on_change: Callable[[], None] | None = None):
        self.db = db
        self.on_change = on_change

    def add(self, account: str, region: str, docs: list[dict], received: float,
            texts: list[str | None] | None = None) -> None:
        """Store validated documents (each with trace_id, id, name, start_time) in one
        statement; a document whose trace id and id are already stored replaces it.
        ``texts``, when given, holds each document's JSON text as sent (None: encode it)."""
        if not docs:
            return
        if texts is None:
            rows = [_row_values(account, region, d, received) for d in docs]
        else:
            rows = [_row_values(account, region, d, received, t) for d, t in zip(docs, texts)]
        changed = {(account, region, row[2]) for row in rows}
        with self.db.transaction():  # one commit for the batch, also outside the event loop
            self.db.executemany(_UPSERT, rows)
            self.db.executemany(_CHANGED, changed)
        if self.on_change is not None:
            self.on_change()

    def trace_docs(self, account: str, region: str, trace_id: str) -> list[dict]:
        """Every document of one trace (segments and separately sent subsegments), in
        start-time order; [] for an unknown trace."""
        # sorted here: an ORDER BY start_time lets SQLite pick the time index and scan every
        # row of the account instead of the primary key's few rows of this trace
        rows = self.db.query(
            "SELECT start_time, id, doc FROM segments WHERE account = ? AND region = ? AND trace_id = ?",
            (account, region, trace_id),
        )
        return [json.loads(row[2]) for row in sorted(rows, key=lambda row: (row[0], row[1]))]

    def iter_segments(self, account: str, region: str, start: float, end: float) -> Iterator[SegmentRow]:
        """The rows whose start_time lies in [start, end], by start time, fetched page by page."""
        last_start, last_key = start, None
        while True:
            if last_key is None:
                rows = self.db.query(
                    f"SELECT {_COLUMNS} FROM segments WHERE account = ? AND region = ? "
                    "AND start_time >= ? AND start_time <= ? ORDER BY start_time, trace_id, id LIMIT ?",
                    (account, region, start, end, _PAGE),
                )
            else:
                trace_id, seg_id = last_key
                rows = self.db.query(
                    f"SELECT {_COLUMNS} FROM segments WHERE account = ? AND region = ? "
                    "AND start_time <= ? AND (start_time > ? OR (start_time = ? AND "
                    "(trace_id > ? OR (trace_id = ? AND id > ?)))) "
                    "ORDER BY start_time, trace_id, id LIMIT ?",
                    (account, region, end, last_start, last_start, trace_id, trace_id, seg_id, _PAGE),
                )
            for row in rows:
                yield SegmentRow(row)
            if len(rows) < _PAGE:
                return
            last = rows[-1]
            last_start, last_key = last[6], (last[0], last[1])

    def expire(self, before: float) -> int:
        """Delete every document received before ``before`` (X-Ray keeps traces 30 days);
        returns how many went."""
        with self.db.transaction():
            changed = self.db.query("SELECT DISTINCT account, region, trace_id FROM segments WHERE received < ?",
                                    (before,))
            self.db.executemany(_CHANGED, changed)
            deleted = self.db.execute("DELETE FROM segments WHERE received < ?", (before,))
        if changed and self.on_change is not None:
            self.on_change()
        return deleted
