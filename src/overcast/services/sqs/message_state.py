"""The in-memory working set of one queue: where each message is and when it is visible.

A message is in exactly one state:

- ``READY``: visible, waiting to be received;
- ``DELAYED``: sent with a delay that has not run out yet (never received);
- ``INFLIGHT``: received, invisible until its visibility timeout runs out;
- ``GONE``: deleted, purged, expired or moved (kept only by stale heap entries).

Visibility is computed lazily from timestamps: a heap of invisible messages by the time they
become visible is drained (``promote``) whenever someone looks. Stale heap entries (the message
changed since) are skipped, not searched for. ``QueueState`` orders a standard queue's
visible messages by sequence number; ``fifo.FifoQueueState`` adds message groups.

Bodies and attributes are not held here: they stay in SQLite and are read when a receive
returns them, so memory per message stays small.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict, deque
from typing import Callable

from overcast.services.sqs.receipts import new_nonce

READY, DELAYED, INFLIGHT, GONE = range(4)


class Msg:
    """One live message as the engine tracks it (the rest of it is in ``sqs_messages``)."""

    __slots__ = ("seq", "state", "visible_at", "receive_count", "first_received_at", "receipt",
                 "received_at", "retain_from", "group")

    def __init__(self, seq: int, visible_at: float, retain_from: float, receive_count: int = 0,
                 first_received_at: int = 0, receipt: int = 0, received_at: float = 0.0, group=None):
        self.seq = seq
        self.state = READY
        self.visible_at = visible_at
        self.retain_from = retain_from
        self.receive_count = receive_count
        self.first_received_at = first_received_at
        self.receipt = receipt
        self.received_at = received_at
        self.group = group  # fifo.Group on FIFO queues


# What the engine decides for a message a receive is about to hand out: deliver it, or it
# was removed instead (expired, or moved to the dead-letter queue).
Classifier = Callable[[Msg], bool]


class QueueState:
    """Messages of one standard queue, plus its long-poll waiters and its wake-up timer."""

    fifo = False
    # Compact once removed messages are this many and outnumber the live ones twice.
    compact_threshold = 1024

    def __init__(self, key: int):
        self.key = key
        self.messages: dict[int, Msg] = {}  # seq -> live message
        self.inflight = 0
        self.delayed = 0
        self._pending: list[tuple[float, int, Msg]] = []  # (visible_at, seq, msg): DELAYED / INFLIGHT
        # Retention order: messages arrive in retain_from order (a deque, no tuple per message)
        # except those moved in keeping an older retain_from (a heap of (retain_from, seq, msg)).
        self._expiry: deque[Msg] = deque()
        self._expiry_late: list[tuple[float, int, Msg]] = []
        self._fresh: deque[Msg] = deque()  # READY since sent, in send (seq) order
        self._back: list[tuple[int, Msg]] = []  # (seq, msg): READY again after a delay / receive
        self._garbage = 0  # removed messages still referenced by the structures above
        # Long polls waiting on this queue (future -> None, oldest first); see longpoll.py.
        self.waiters: OrderedDict = OrderedDict()
        self.timer_id: int | None = None
        self.timer_due: float | None = None
        # FIFO ReceiveRequestAttemptId -> (expires_at, [(msg, receipt nonce)]); see engine.py.
        self.attempts: dict[str, tuple[float, list]] = {}
        self.dropped = False

    # -- adding ----------------------------------------------------------------------------

    def add(self, msg: Msg, now: float) -> None:
        """Track a new (or reloaded) message; its seq is larger than any seen before."""
        self.messages[msg.seq] = msg
        expiry = self._expiry
        if not expiry or expiry[-1].retain_from <= msg.retain_from:
            expiry.append(msg)
        else:
            heapq.heappush(self._expiry_late, (msg.retain_from, msg.seq, msg))
        if msg.visible_at > now:
            if msg.receipt:
                msg.state = INFLIGHT
                self.inflight += 1
            else:
                msg.state = DELAYED
                self.delayed += 1
            heapq.heappush(self._pending, (msg.visible_at, msg.seq, msg))
        else:
            msg.state = READY
            self._ready_new(msg)

    def _ready_new(self, msg: Msg) -> None:
        self._fresh.append(msg)

    def _ready_again(self, msg: Msg) -> None:
        heapq.heappush(self._back, (msg.seq, msg))

    # -- time ------------------------------------------------------------------------------

    def promote(self, now: float) -> int:
        """Make every message whose invisibility ran out visible; returns how many."""
        pending = self._pending
        count = 0
        while pending and pending[0][0] <= now:
            visible_at, _, msg = heapq.heappop(pending)
            state = msg.state
            if (state != DELAYED and state != INFLIGHT) or msg.visible_at != visible_at:
                continue  # stale: the message changed since this entry was pushed
            self._leave(msg)
            msg.state = READY
            self._ready_again(msg)
            count += 1
        return count

    def next_due(self) -> float | None:
        """When the next invisible message becomes visible (None: none is invisible)."""
        pending = self._pending
        while pending:
            visible_at, _, msg = pending[0]
            if (msg.state == DELAYED or msg.state == INFLIGHT) and msg.visible_at == visible_at:
                return visible_at
            heapq.heappop(pending)
        return None

    def expire(self, now: float, retention: float) -> list[Msg]:
        """Remove the messages older than the retention period; returns them."""
        cutoff = now - retention
        gone = []
        expiry = self._expiry
        while expiry and (expiry[0].retain_from <= cutoff or expiry[0].state == GONE):
            msg = expiry.popleft()
            if msg.state != GONE:
                self.remove(msg)
                gone.append(msg)
        late = self._expiry_late
        while late and (late[0][0] <= cutoff or late[0][2].state == GONE):
            msg = heapq.heappop(late)[2]
            if msg.state != GONE:
                self.remove(msg)
                gone.append(msg)
        return gone

    def counts(self) -> tuple[int, int, int]:
        """(visible, in flight, delayed); call ``promote`` first."""
        return len(self.messages) - self.inflight - self.delayed, self.inflight, self.delayed

    def oldest_retained(self) -> float | None:
        """When the oldest live message's retention began (ApproximateAgeOfOldestMessage);
        call ``expire`` first, which leaves only live messages at the fronts."""
        first = self._expiry[0].retain_from if self._expiry else None
        if self._expiry_late and (first is None or self._expiry_late[0][0] < first):
            first = self._expiry_late[0][0]
        return first

    def available_hint(self) -> int:
        """About how many messages a receive could get now (how many waiters to wake)."""
        return len(self.messages) - self.inflight - self.delayed

    # -- receiving -------------------------------------------------------------------------

    def receive(self, limit: int, now: float, visible_until: float, classify: Classifier) -> list[Msg]:
        """Take up to ``limit`` visible messages, oldest first, in flight until ``visible_until``."""
        taken = []
        while len(taken) < limit:
            msg = self._pop_ready()
            if msg is None:
                break
            if classify(msg):
                self.take(msg, now, visible_until)
                taken.append(msg)
        return taken

    def _pop_ready(self) -> Msg | None:
        fresh, back = self._fresh, self._back
        while fresh and fresh[0].state != READY:
            fresh.popleft()
        while back and back[0][1].state != READY:
            heapq.heappop(back)
        if fresh and (not back or fresh[0].seq < back[0][0]):
            return fresh.popleft()
        if back:
            return heapq.heappop(back)[1]
        return None

    def take(self, msg: Msg, now: float, visible_until: float) -> None:
        """Mark a READY message received: in flight, with a new receipt."""
        msg.state = INFLIGHT
        self.inflight += 1
        msg.receive_count += 1
        if not msg.first_received_at:
            msg.first_received_at = int(now * 1000)
        msg.receipt = new_nonce()
        msg.received_at = now
        msg.visible_at = visible_until
        heapq.heappush(self._pending, (visible_until, msg.seq, msg))

    # -- changing --------------------------------------------------------------------------

    def hide(self, msg: Msg, visible_at: float) -> None:
        """Make a visible, already received message invisible until ``visible_at`` without a
        new receive (ChangeMessageVisibility with a handle whose timeout ran out, on a
        standard queue): in flight again, same receipt and receive count."""
        msg.state = INFLIGHT
        self.inflight += 1
        msg.visible_at = visible_at
        heapq.heappush(self._pending, (visible_at, msg.seq, msg))

    def set_visibility(self, msg: Msg, visible_at: float, now: float) -> bool:
        """Move an in-flight message's visibility; returns True when it became visible now."""
        msg.visible_at = visible_at
        if visible_at <= now:
            self._leave(msg)
            msg.state = READY
            self._ready_again(msg)
            return True
        heapq.heappush(self._pending, (visible_at, msg.seq, msg))
        return False

    def remove(self, msg: Msg) -> None:
        """Forget a message (deleted, purged, expired or moved away)."""
        if msg.state == GONE:
            return
        self._leave(msg)
        msg.state = GONE
        del self.messages[msg.seq]
        self._garbage += 1

    def compact(self) -> None:
        """Drop the references removed messages left behind, once they outnumber the live ones
        (deletes out of retention order would otherwise keep them until they expire)."""
        if self._garbage <= self.compact_threshold or self._garbage <= 2 * len(self.messages):
            return
        self._garbage = 0
        live = self.messages.values()
        self._expiry = deque(sorted(live, key=lambda m: (m.retain_from, m.seq)))
        self._expiry_late = []
        self._fresh = deque(m for m in self._fresh if m.state == READY)
        self._back = [entry for entry in self._back if entry[1].state == READY]
        heapq.heapify(self._back)
        self._pending = [entry for entry in self._pending
                         if entry[2].state in (DELAYED, INFLIGHT) and entry[2].visible_at == entry[0]]
        heapq.heapify(self._pending)

    def _leave(self, msg: Msg) -> None:
        """Bookkeeping when a message leaves its current state."""
        if msg.state == INFLIGHT:
            self.inflight -= 1
        elif msg.state == DELAYED:
            self.delayed -= 1

    def clear(self) -> list[Msg]:
        """Forget every message (PurgeQueue); returns them."""
        gone = list(self.messages.values())
        for msg in gone:
            msg.state = GONE
        self.messages.clear()
        self.inflight = self.delayed = 0
        self._pending.clear()
        self._expiry.clear()
        self._expiry_late.clear()
        self._fresh.clear()
        self._back.clear()
        self._garbage = 0
        self.attempts.clear()
        return gone

    def oldest(self, limit: int) -> list[Msg]:
        """Up to ``limit`` visible messages, oldest first, without taking them."""
        found = []
        for msg in self.messages.values():  # insertion (seq) order
            if msg.state == READY:
                found.append(msg)
                if len(found) >= limit:
                    break
        return found
