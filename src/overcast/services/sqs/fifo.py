"""FIFO queues: message groups delivered in strict order, and the deduplication interval.

Within a group messages are delivered in send order, and while any message of a group is in
flight nothing else of that group is delivered (other groups are). ``FifoQueueState`` keeps
each group's messages in a deque (in-flight ones at its front until deleted) and a heap of
the groups that can deliver now, oldest head first; entries that went stale are skipped.

Deduplication (``Deduplication``): a MessageDeduplicationId (given, or the SHA-256 of the body
with ContentBasedDeduplication) seen within 5 minutes makes a send succeed without enqueuing
anything; the interval is counted from the first send and survives the message's deletion.
With DeduplicationScope ``messageGroup`` ids are scoped to their group.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections import deque

from overcast.services.sqs.message_state import DELAYED, GONE, INFLIGHT, READY, Classifier, Msg, QueueState

DEDUPLICATION_INTERVAL = 300.0  # seconds: SQS's 5-minute deduplication interval


def sequence_number(seq: int) -> str:
    """A message's SequenceNumber as SQS shows it: 20 digits (seqs are below 10^19, so adding
    10^19 gives 20 digits without a leading zero, and keeps their order)."""
    return str(10**19 + seq)


def content_deduplication_id(body: str) -> str:
    """The id ContentBasedDeduplication derives: SHA-256 of the body (not the attributes)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class Group:
    """One message group: its live messages in order and how many of them are in flight."""

    __slots__ = ("id", "queued", "inflight")

    def __init__(self, group_id: str):
        self.id = group_id
        self.queued: deque[Msg] = deque()
        self.inflight = 0


class FifoQueueState(QueueState):
    """A FIFO queue's messages, by group."""

    fifo = True

    def __init__(self, key: int):
        super().__init__(key)
        self.groups: dict[str, Group] = {}
        self._available: list[tuple[int, int, Group]] = []  # (head seq, tie, group)
        self._tie = itertools.count()
        self._receiving: Group | None = None  # the group a receive is walking (left untouched)

    def group(self, group_id: str) -> Group:
        group = self.groups.get(group_id)
        if group is None:
            group = self.groups[group_id] = Group(group_id)
        return group

    # -- hooks of QueueState ---------------------------------------------------------------

    def add(self, msg: Msg, now: float) -> None:
        # The group is set by the engine; a new message always goes to the back of it.
        msg.group.queued.append(msg)
        super().add(msg, now)
        if msg.state == INFLIGHT:
            msg.group.inflight += 1

    def _ready_new(self, msg: Msg) -> None:
        self._offer(msg.group)

    def _ready_again(self, msg: Msg) -> None:
        self._offer(msg.group)

    def _leave(self, msg: Msg) -> None:
        if msg.state == INFLIGHT:
            msg.group.inflight -= 1
        super()._leave(msg)

    def remove(self, msg: Msg) -> None:
        if msg.state == GONE:
            return
        super().remove(msg)
        self._offer(msg.group)

    def available_hint(self) -> int:
        return len(self._available)

    # -- groups ----------------------------------------------------------------------------

    def _head(self, group: Group) -> Msg | None:
        queued = group.queued
        while queued and queued[0].state == GONE:
            queued.popleft()
        return queued[0] if queued else None

    def _offer(self, group: Group) -> None:
        """Make ``group`` deliverable if it is: nothing in flight and its head visible."""
        if group is self._receiving:
            return
        head = self._head(group)
        if head is None:
            if not group.inflight and self.groups.get(group.id) is group:
                del self.groups[group.id]
            return
        if not group.inflight and head.state == READY:
            heapq.heappush(self._available, (head.seq, next(self._tie), group))

    def _pop_available(self) -> Group | None:
        available = self._available
        while available:
            head_seq, _, group = heapq.heappop(available)
            if group.inflight or self.groups.get(group.id) is not group:
                continue
            head = self._head(group)
            if head is not None and head.seq == head_seq and head.state == READY:
                return group
        return None

    # -- receiving -------------------------------------------------------------------------

    def receive(self, limit: int, now: float, visible_until: float, classify: Classifier) -> list[Msg]:
        """Take up to ``limit`` messages: whole runs of consecutive visible messages of the
        deliverable groups, oldest group first."""
        taken: list[Msg] = []
        while len(taken) < limit:
            group = self._pop_available()
            if group is None:
                break
            self._receiving = group
            try:
                queued = group.queued
                index = 0
                while len(taken) < limit and index < len(queued):
                    msg = queued[index]
                    index += 1
                    if msg.state == GONE or msg.state == INFLIGHT:
                        continue  # removed just now, or taken just now
                    if msg.state == DELAYED:
                        break  # order is strict: nothing after a delayed message
                    if classify(msg):
                        self.take(msg, now, visible_until)
                        taken.append(msg)
            finally:
                self._receiving = None
            self._offer(group)  # nothing taken (all expired or dead-lettered): still deliverable
        return taken

    def take(self, msg: Msg, now: float, visible_until: float) -> None:
        super().take(msg, now, visible_until)
        msg.group.inflight += 1

    def clear(self) -> list[Msg]:
        gone = super().clear()
        self.groups.clear()
        self._available.clear()
        return gone


class Deduplication:
    """Deduplication ids of one FIFO queue within their interval: key -> (expires_at, message id, seq)."""

    __slots__ = ("entries", "replaced")

    def __init__(self):
        # Insertion order is expiry order (every entry lives the same interval).
        self.entries: dict[tuple[str, str], tuple[float, str, int]] = {}
        self.replaced: list[int] = []  # seqs of stored entries superseded by a newer one

    def find(self, key: tuple[str, str], now: float) -> tuple[float, str, int] | None:
        found = self.entries.get(key)
        if found is not None and found[0] <= now:
            return None
        return found

    def remember(self, key: tuple[str, str], expires_at: float, message_id: str, seq: int) -> None:
        old = self.entries.pop(key, None)  # re-inserted at the end: keeps expiry order
        if old is not None:
            self.replaced.append(old[2])
        self.entries[key] = (expires_at, message_id, seq)

    def expire(self, now: float) -> list[int]:
        """Drop the entries whose interval ended; returns the seqs of their stored rows."""
        entries = self.entries
        gone = []
        for key, (expires_at, _, _) in entries.items():
            if expires_at > now:
                break
            gone.append(key)
        seqs = [entries.pop(key)[2] for key in gone]
        seqs.extend(self.replaced)
        self.replaced.clear()
        return seqs
