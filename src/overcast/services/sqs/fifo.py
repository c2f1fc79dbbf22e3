"""FIFO queues: message groups delivered in strict order, and the deduplication interval.

Within a group messages are delivered in send order. A group can deliver while the first of
its messages (its head) is visible: a receive then takes the group's visible messages in
order, up to (not including) the first one in flight or delayed; a group whose head is in
flight delivers nothing. One receive takes everything a group can give before it moves on to
the next group.

Groups take turns by the position of their head (``rotation_position``): a message never
received keeps its send position, while one that came back from flight (its visibility
timeout ran out or was changed) stands at the moment it became visible again. So a group
whose messages were returned goes to the back of the rotation, groups never served keep
their place ahead of it, and a group whose served messages were deleted keeps the place of
its next, never received message, as AWS delivers. The position is computed from what the
message store keeps (send time, receipt, visible_at), so the rotation survives a restart.

``FifoQueueState`` keeps each group's messages in a deque (the head at its front until
deleted) and a heap of the groups whose head is visible, by position; entries that went stale
are skipped.

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

from overcast.services.sqs.message_state import GONE, READY, Classifier, Msg, QueueState

DEDUPLICATION_INTERVAL = 300.0  # seconds: SQS's 5-minute deduplication interval


def sequence_number(seq: int) -> str:
    """A message's SequenceNumber as SQS shows it: 20 digits (seqs are below 10^19, so adding
    10^19 gives 20 digits without a leading zero, and keeps their order)."""
    return str(10**19 + seq)


def content_deduplication_id(body: str) -> str:
    """The id ContentBasedDeduplication derives: SHA-256 of the body (not the attributes)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def rotation_position(head: Msg) -> tuple[float, int]:
    """Where a group whose first message is ``head`` stands in the rotation (lower goes first):
    the moment the message was sent (its retention start) if it was never received, else the
    moment it became visible again; ties in send order. Moments are compared, not sequence
    numbers: those need not follow the clock after it was moved back (a reset, tests)."""
    if not head.receipt:
        return head.retain_from, head.seq
    returned = head.visible_at
    return (returned if returned > head.retain_from else head.retain_from), head.seq


class Group:
    """One message group: its live messages in send order (deleted ones drop off the front)."""

    __slots__ = ("id", "queued")

    def __init__(self, group_id: str):
        self.id = group_id
        self.queued: deque[Msg] = deque()


class FifoQueueState(QueueState):
    """A FIFO queue's messages, by group."""

    fifo = True

    def __init__(self, key: int):
        super().__init__(key)
        self.groups: dict[str, Group] = {}
        self._available: list[tuple[tuple[float, int], int, Group]] = []  # (position, tie, group)
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

    def _ready_new(self, msg: Msg) -> None:
        self._ready_again(msg)

    def _ready_again(self, msg: Msg) -> None:
        # Only a visible head makes its group deliverable; a message behind the head waits.
        if self._head(msg.group) is msg and msg.group is not self._receiving:
            self._push(msg.group, msg)

    def remove(self, msg: Msg) -> None:
        if msg.state == GONE:
            return
        group = msg.group
        was_head = self._head(group) is msg
        super().remove(msg)
        if was_head:
            self._offer(group)

    def available_hint(self) -> int:
        return len(self._available)

    # -- groups ----------------------------------------------------------------------------

    def _head(self, group: Group) -> Msg | None:
        queued = group.queued
        while queued and queued[0].state == GONE:
            queued.popleft()
        return queued[0] if queued else None

    def _push(self, group: Group, head: Msg) -> None:
        heapq.heappush(self._available, (rotation_position(head), next(self._tie), group))

    def _offer(self, group: Group) -> None:
        """Make ``group`` deliverable if its head is visible; forget it once it is empty."""
        if group is self._receiving:
            return
        head = self._head(group)
        if head is None:
            if self.groups.get(group.id) is group:
                del self.groups[group.id]
        elif head.state == READY:
            self._push(group, head)

    def _pop_available(self) -> Group | None:
        available = self._available
        while available:
            position, _, group = heapq.heappop(available)
            if self.groups.get(group.id) is not group:
                continue
            head = self._head(group)
            if head is not None and head.state == READY and rotation_position(head) == position:
                return group
        return None

    # -- receiving -------------------------------------------------------------------------

    def receive(self, limit: int, now: float, visible_until: float, classify: Classifier) -> list[Msg]:
        """Take up to ``limit`` messages: each deliverable group's visible run from its head,
        groups in rotation order."""
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
                    state = msg.state
                    if state == GONE:
                        continue  # deleted earlier, or dead-lettered just now
                    if state != READY:
                        break  # in flight or delayed: order is strict, nothing after it
                    if classify(msg):
                        self.take(msg, now, visible_until)
                        taken.append(msg)
            finally:
                self._receiving = None
            self._offer(group)  # nothing taken (all dead-lettered): still deliverable
        return taken

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
