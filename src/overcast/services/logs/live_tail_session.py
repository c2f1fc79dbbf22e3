"""One Live Tail session's share of what is ingested, and the listener feeding every session.

PutLogEvents hands each committed batch to ``LiveTailListener.after_commit``: a batch for a
group no session watches costs one dict lookup. A watching session keeps the events that
match its stream filter and pattern until its next update: at most ``MAX_RESULTS`` of them,
an even sample when more matched (reservoir sampling), as AWS samples "down to 500 log
events" per update and says so in ``sessionMetadata.sampled``.

A client that reads slower than the updates come (its connection's buffers full, the stream
waiting on it) gets what AWS keeps for it: "CloudWatch Logs buffers up to 10
LiveTailSessionUpdate events or 5000 log events, after which it starts dropping the oldest
events". While the stream has not taken an update for over a second, each second's events are
sealed into an update of their own, the newest ``MAX_BUFFERED`` kept (10 updates of at most 500
events: 5,000 events).
"""

from __future__ import annotations

import random
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from overcast.services.logs.models import IngestedBatch
from overcast.storage.scope import Scope

# "The array of log events contained in a LiveTailSessionUpdate can include as many as 500 log
# events." (StartLiveTail)
MAX_RESULTS = 500
MAX_BUFFERED = 10  # updates kept for a slow reader (10 x 500 = the 5,000 events AWS keeps)
# the stream takes an update every second; a second and a half without one: the reader is slow
_STALLED = 1.5


@dataclass(eq=False)  # identity: sessions are kept in sets
class LiveTailSession:
    """What one StartLiveTail call watches, and what it has caught since its last update."""

    scope: Scope
    request_id: str
    groups: dict[int, str]  # group_id -> the identifier the caller named it by
    stream_names: frozenset[str] | None
    stream_prefixes: tuple[str, ...] | None
    pattern: object | None  # a compiled filter pattern (``filter_pattern``), None: every event
    started: float  # cloud clock, seconds
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    closed: bool = False
    _caught: list = field(default_factory=list)  # (seq, result) pairs, at most MAX_RESULTS
    _matched: int = 0
    _opened: float = field(default_factory=time.monotonic)  # when the current update began
    _sealed: deque = field(default_factory=lambda: deque(maxlen=MAX_BUFFERED))  # for a slow reader

    def offer(self, batch: IngestedBatch, now: float | None = None) -> None:
        """Keep the batch's events this session shows (called after the batch's commit)."""
        identifier = self.groups.get(batch.group.group_id)
        if identifier is None or not self._wants_stream(batch.stream_name):
            return
        now = time.monotonic() if now is None else now
        if now - self._opened >= _STALLED:  # the reader is behind: last second's events stay apart
            if self._caught:
                self._sealed.append(self._seal())
            self._opened = now
        pattern = self.pattern
        for event in batch.events:
            if pattern is not None and pattern.match(event.message) is None:
                continue
            self._matched += 1
            item = (event.seq, {"logStreamName": batch.stream_name, "logGroupIdentifier": identifier,
                                "message": event.message, "timestamp": event.timestamp,
                                "ingestionTime": event.ingestion_time})
            if len(self._caught) < MAX_RESULTS:
                self._caught.append(item)
            else:  # reservoir sampling: every matching event is kept with the same chance
                slot = random.randrange(self._matched)
                if slot < MAX_RESULTS:
                    self._caught[slot] = item

    def _wants_stream(self, name: str) -> bool:
        if self.stream_names is not None:
            return name in self.stream_names
        if self.stream_prefixes is not None:
            return name.startswith(self.stream_prefixes)
        return True

    def take_updates(self, now: float | None = None) -> list[dict]:
        """The ``sessionUpdate``s since the last take: those sealed while the reader was slow,
        oldest first, then what was caught since (an empty update when nothing was)."""
        if self._caught or not self._sealed:
            self._sealed.append(self._seal())  # the oldest sealed one goes when 10 are waiting
        updates = list(self._sealed)
        self._sealed.clear()
        self._opened = time.monotonic() if now is None else now
        return updates

    def _seal(self) -> dict:
        """What was caught, as one update (in ingestion order); the session starts afresh."""
        caught, matched = self._caught, self._matched
        self._caught, self._matched = [], 0
        caught.sort(key=lambda item: item[0])
        return {"sessionMetadata": {"sampled": matched > len(caught)},
                "sessionResults": [result for _, result in caught]}


class LiveTailListener:
    """The ingestion listener of every session: sessions indexed by the groups they watch."""

    def __init__(self):
        self._by_group: dict[int, list[LiveTailSession]] = {}
        self.sessions: set[LiveTailSession] = set()

    def add(self, session: LiveTailSession) -> None:
        self.sessions.add(session)
        for group_id in session.groups:
            self._by_group.setdefault(group_id, []).append(session)

    def count(self, scope: Scope) -> int:
        """Open sessions of an account and region."""
        return sum(1 for session in self.sessions if session.scope == scope)

    def remove(self, session: LiveTailSession) -> None:
        self.sessions.discard(session)
        for group_id in session.groups:
            watching = self._by_group.get(group_id)
            if watching is not None and session in watching:
                watching.remove(session)
                if not watching:
                    del self._by_group[group_id]

    def close_all(self) -> None:
        """End every session (reset, shutdown): each stream ends at its next tick."""
        for session in list(self.sessions):
            session.closed = True
            self.remove(session)

    def in_transaction(self, batch: IngestedBatch) -> None:
        """Nothing durable to write: a live tail shows what was committed, nothing more."""

    def after_commit(self, batch: IngestedBatch) -> None:
        watching = self._by_group.get(batch.group.group_id)
        if watching:
            for session in watching:
                session.offer(batch)
