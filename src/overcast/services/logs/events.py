"""PutLogEvents and GetLogEvents, and the internal writer other services log through
(``write_log_events``): both write paths apply ``ingest_rules`` and call the ingestion
listeners (``models.IngestListener``) in and after the transaction that stores the events."""

from __future__ import annotations

import logging

from overcast.services.logs import event_store
from overcast.services.logs.entity import entity_problem
from overcast.services.logs.errors import InvalidParameterException, stream_not_found
from overcast.services.logs.event_ids import event_id
from overcast.services.logs.ingest_rules import (EVENT_OVERHEAD, MAX_BATCH_BYTES, accepted_range, batch_size,
                                                 check_batch, split_events)
from overcast.services.logs.identifiers import name_or_identifier
from overcast.services.logs.models import GroupRow, IngestedBatch
from overcast.services.logs.paging import INVALID_TOKEN
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

log = logging.getLogger(__name__)

DEFAULT_GET_LIMIT = 10_000  # GetLogEvents: "as many log events as can fit in a response size of 1 MB (up to 10,000)"
_ZERO_ID = "0" * 56
_FAR_FUTURE = 2 ** 62


def check_put_log_events(params: dict) -> tuple[list[int], list[str], int]:
    """PutLogEvents' own parameters, checked (strict mode runs this before authorization)."""
    check_input("PutLogEvents", params, skip=("logEvents", "entity"))
    timestamps, messages = split_events(params.get("logEvents"))
    return timestamps, messages, check_batch(timestamps, messages)


class EventOperations:
    def add_ingest_listener(self, listener) -> None:
        """``listener``: an ``models.IngestListener``, called for every accepted batch."""
        self._ingest_listeners.append(listener)

    def put_log_events(self, ctx, params: dict) -> dict:
        timestamps, messages, size = check_put_log_events(params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, params["logGroupName"])
        stream_name = params["logStreamName"]
        stream_id = self.stream_id(group.group_id, stream_name)
        if stream_id is None:
            raise stream_not_found()
        rejected, first_seq = self._ingest(scope, group, stream_name, stream_id, timestamps, messages, size)
        out: dict = {"nextSequenceToken": _sequence_token(stream_id, first_seq)}
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        if "entity" in params:
            problem = entity_problem(params["entity"])
            if problem is not None:
                out["rejectedEntityInfo"] = {"errorType": problem}
        return out

    def write_log_events(self, scope: Scope, group_name: str, stream_name: str, events: list[tuple[int, str]],
                         create: bool = True) -> None:
        """The internal writer (Lambda, CodeBuild, CloudTrail...): ``events`` as (timestamp ms,
        message), stored under PutLogEvents' rules and listeners, the group and stream created
        when missing (``create``). Events are sorted first and sent in batches of PutLogEvents'
        size; events PutLogEvents would reject (too old, too new) are dropped as AWS drops them."""
        group = self.group_row(scope, group_name)
        if group is None:
            if not create:
                self.require_group(scope, group_name)  # raises: the group does not exist
            with self.db.transaction():
                group = self.group_row(scope, group_name) or self.insert_group(scope, group_name)
        stream_id = self.stream_id(group.group_id, stream_name)
        if stream_id is None:
            if not create:
                raise stream_not_found()
            with self.db.transaction():
                stream_id = self.stream_id(group.group_id, stream_name) or self.insert_stream(group.group_id,
                                                                                              stream_name)
        ordered = sorted((int(ts), message) for ts, message in events if message)
        for batch in _batches(ordered):
            timestamps = [ts for ts, _ in batch]
            messages = [message for _, message in batch]
            self._ingest(scope, group, stream_name, stream_id, timestamps, messages, batch_size(messages))

    def _ingest(self, scope: Scope, group: GroupRow, stream_name: str, stream_id: int, timestamps: list[int],
                messages: list[str], size: int) -> tuple[dict, int]:
        """Store the accepted part of a checked batch and tell the listeners; the rejection
        info and the first stored seq (0 when nothing was stored)."""
        now_ms = int(self.clock.now() * 1000)
        start, end, rejected = accepted_range(timestamps, now_ms, group.retention_days)
        if start == end:
            return rejected, 0
        if start or end < len(timestamps):
            timestamps, messages = timestamps[start:end], messages[start:end]
            size = batch_size(messages)
        listeners = self._ingest_listeners
        with self.db.transaction():
            first_seq = event_store.append_events(self.db, group.group_id, stream_id, timestamps, messages, now_ms,
                                                  size)
            batch = IngestedBatch(scope, group, stream_name, stream_id,
                                  rows=(first_seq, now_ms, timestamps, messages), size=size)
            for listener in listeners:
                listener.in_transaction(batch)
        for listener in listeners:
            try:
                listener.after_commit(batch)
            except Exception:  # noqa: BLE001 - the events are stored; one listener must not fail the put
                log.exception("ingest listener %r failed", listener)
        return rejected, first_seq

    def get_log_events(self, ctx, params: dict) -> dict:
        check_input("GetLogEvents", params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, name_or_identifier(scope, params))
        stream_id = self.stream_id(group.group_id, params["logStreamName"])
        if stream_id is None:
            raise stream_not_found()
        start = params.get("startTime") or 0
        end = params["endTime"] if params.get("endTime") is not None else _FAR_FUTURE
        limit = params.get("limit") or DEFAULT_GET_LIMIT
        token = params.get("nextToken")
        if token is not None:
            direction, position = _read_token(token)
        else:
            direction, position = ("f", (-1, -1)) if params.get("startFromHead") else ("b", None)
        if direction == "f":
            rows = _fit(event_store.events_after(self.db, stream_id, position, start, end, limit), from_end=False)
        else:
            rows = _fit(event_store.events_before(self.db, stream_id, position, start, end, limit), from_end=True)
        events = [{"timestamp": ts, "message": message, "ingestionTime": ingested} for _, ts, ingested, message in rows]
        if rows:
            first, last = rows[0], rows[-1]
            forward = "f/" + event_id(group.group_id, stream_id, last[0], last[1]) + "/s"
            backward = "b/" + event_id(group.group_id, stream_id, first[0], first[1]) + "/s"
        elif token is not None:  # at the end of the stream the same token comes back
            other = ("b" if direction == "f" else "f") + token[1:]
            forward, backward = (token, other) if direction == "f" else (other, token)
        else:
            forward, backward = f"f/{_ZERO_ID}/s", f"b/{_ZERO_ID}/s"
        return {"events": events, "nextForwardToken": forward, "nextBackwardToken": backward}


def _fit(rows: list[tuple], from_end: bool) -> list[tuple]:
    """The rows that fit in GetLogEvents' 1 MB response (counted as PutLogEvents counts)."""
    total = 0
    order = range(len(rows) - 1, -1, -1) if from_end else range(len(rows))
    for count, index in enumerate(order):
        total += len(rows[index][3].encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD
        if total > MAX_BATCH_BYTES:
            return rows[len(rows) - count:] if from_end else rows[:count]
    return rows


def _read_token(token: str) -> tuple[str, tuple[int, int]]:
    """(direction, (timestamp, seq)) of a GetLogEvents token ``f/<event id>/s``."""
    parts = token.split("/")
    if len(parts) != 3 or parts[0] not in ("f", "b") or parts[2] != "s" or len(parts[1]) != 56 \
            or not parts[1].isdigit():
        raise InvalidParameterException(INVALID_TOKEN)
    digits = parts[1]
    return parts[0], (int(digits[1:16]), int(digits[36:56]))


def _sequence_token(stream_id: int, seq: int) -> str:
    """A nextSequenceToken (deprecated and ignored by PutLogEvents, still answered)."""
    return f"{stream_id:020d}{seq:036d}"


def _batches(ordered: list[tuple[int, str]]):
    """PutLogEvents-sized slices of sorted events (count, bytes and the 24-hour span)."""
    batch: list[tuple[int, str]] = []
    size = 0
    for ts, message in ordered:
        event_size = len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD
        if batch and (len(batch) == 10_000 or size + event_size > MAX_BATCH_BYTES
                      or ts - batch[0][0] > 24 * 3_600_000):
            yield batch
            batch, size = [], 0
        batch.append((ts, message[: MAX_BATCH_BYTES - EVENT_OVERHEAD]))
        size += event_size
    if batch:
        yield batch
