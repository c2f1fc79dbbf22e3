"""The SQS message engine (``provider.engine``): sends, receives, deletes, visibility, redrive,
retention, deduplication — in memory, written through to SQLite before anything is answered.

The working set of every queue lives in memory (``message_state.QueueState`` /
``fifo.FifoQueueState``: heaps and deques of small records); ``message_store.MessageStore``
is the durable log (one INSERT per send, one transaction per batch, an UPDATE or DELETE per
receive / visibility change / delete). At start the rows are read back once and each queue's
state is rebuilt on first use, so in-flight messages stay invisible until their timeout and
delays keep running across a restart.

For the queue operations (``queues.py``):

- ``counts(queue) -> (visible, not_visible, delayed)``: ApproximateNumberOfMessages,
  ...NotVisible, ...Delayed.
- ``purge(queue)``: delete every message (PurgeQueue).
- ``drop_queue(queue)``: forget the queue's messages and deduplication ids (DeleteQueue);
  waiting long polls return empty.

For message move tasks (``move_tasks.py``, StartMessageMoveTask):

- ``peek_oldest(queue, limit) -> list[StoredMessage]``: up to ``limit`` visible messages of
  ``queue``, oldest first, without taking them (``.seq`` identifies each,
  ``.dead_letter_source`` is the ARN of the queue it was dead-lettered from, or None).
- ``transfer(source, destination, seqs) -> list[str]``: moves those messages (if still
  visible in ``source``) to the end of ``destination`` in one commit, keeping message id,
  body, attributes, sender and sent timestamp; receive count and DeadLetterQueueSourceArn
  start afresh. Returns the message ids moved. A message without a MessageGroupId is not
  moved into a FIFO queue.

Queues are ``queue_store.QueueRecord`` objects; their ``key`` keys everything here.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from overcast.errors import AwsError
from overcast.services.sqs import receipts
from overcast.services.sqs.fifo import DEDUPLICATION_INTERVAL, Deduplication, FifoQueueState, content_deduplication_id
from overcast.services.sqs.longpoll import LongPolls
from overcast.services.sqs.message_moves import MessageMoves
from overcast.services.sqs.message_state import INFLIGHT, READY, Msg, QueueState
from overcast.services.sqs.message_store import MessageStore, StoredMessage
from overcast.services.sqs.outgoing import Outgoing

SWEEP_INTERVAL = 60.0  # seconds of cloud time between retention / deduplication sweeps
MAX_VISIBILITY = 43_200  # 12 hours: the longest a message stays in flight after a receive
ATTEMPT_INTERVAL = 300.0  # a ReceiveRequestAttemptId can be retried for 5 minutes
_SEQ_PER_MS = 1_000_000  # sequence numbers: epoch ms x 10^6 (19-20 digits, fits a signed int64)


class SendOutcome(NamedTuple):
    message_id: str
    seq: int


class Received(NamedTuple):
    """One message handed out by a receive."""

    msg: Msg
    stored: StoredMessage
    receipt_handle: str


def _deliver(msg: Msg) -> bool:
    return True


def new_message_ids(count: int) -> list[str]:
    """Random (version 4) UUIDs as SQS message ids; one urandom call for a whole batch."""
    raw = os.urandom(16 * count).hex()
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
            for h in (raw[i:i + 32] for i in range(0, 32 * count, 32))]


class MessageEngine(MessageMoves):
    """Every queue's messages: the in-memory working set and its durable log."""

    def __init__(self, provider):
        self.provider = provider
        self.clock = provider.clock
        self.store = MessageStore(provider)
        self.polls = LongPolls(self, provider.cloud.scheduler)
        self._states: dict[int, QueueState] = {}
        self._dedup: dict[int, Deduplication] = {}
        # Rows read at start, per queue key, until the queue's state is first built.
        self._backlog: dict[int, list] | None = None
        self._dedup_backlog: dict[int, list] = {}
        self._last_seq = 0
        provider.cloud.scheduler.every(SWEEP_INTERVAL, self.sweep)

    # -- state -----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the stored messages back (once; at start or on first use)."""
        if self._backlog is not None:
            return
        backlog: dict[int, list] = {}
        for row in self.store.load_messages():
            backlog.setdefault(row.queue_key, []).append(row)
        dedup: dict[int, list] = {}
        for row in self.store.load_deduplication():
            dedup.setdefault(row[0], []).append(row)
        self._last_seq = max(self._last_seq, self.store.max_seq())
        self._backlog, self._dedup_backlog = backlog, dedup
        queues = self.provider.queues
        orphans = [key for key in set(backlog) | set(dedup) if queues.by_key(key) is None]
        for key in orphans:  # a crash between DeleteQueue's steps left them
            self.store.delete_queue_messages(key, with_deduplication=True)
            backlog.pop(key, None)
            dedup.pop(key, None)

    def reset(self) -> None:
        """Forget everything (the database is being wiped); waiting long polls return empty."""
        for qs in self._states.values():
            qs.dropped = True
            self.polls.release(qs)
        self._states.clear()
        self._dedup.clear()
        self._backlog = {}
        self._dedup_backlog = {}

    def state(self, queue) -> QueueState:
        """The working set of ``queue`` (built from the stored rows on first use)."""
        qs = self._states.get(queue.key)
        if qs is None:
            qs = self._build(queue)
        return qs

    def loaded_state(self, key) -> QueueState | None:
        return self._states.get(key)

    def loaded_states(self) -> list[QueueState]:
        return list(self._states.values())

    def _build(self, queue) -> QueueState:
        self.load()
        key = queue.key
        fifo = queue.is_fifo
        qs = FifoQueueState(key) if fifo else QueueState(key)
        now = self.clock.now()
        for row in self._backlog.pop(key, ()):
            msg = Msg(row.seq, row.visible_at, row.retain_from, row.receive_count, row.first_received_at,
                      row.receipt, row.received_at)
            if fifo:
                msg.group = qs.group(row.group_id or "")
            qs.add(msg, now)
        if fifo:
            dedup = self._dedup[key] = Deduplication()
            for _, scope, dedup_id, message_id, seq, expires_at in self._dedup_backlog.pop(key, ()):
                dedup.remember((scope, dedup_id), expires_at, message_id, seq)
        self._states[key] = qs
        return qs

    def _next_seq(self, now: float, count: int = 1) -> int:
        """The first of ``count`` new consecutive sequence numbers (time-based, so they keep
        increasing across restarts even when every stored message is gone)."""
        seq = int(now * 1000) * _SEQ_PER_MS
        if seq <= self._last_seq:
            seq = self._last_seq + 1
        self._last_seq = seq + count - 1
        return seq

    # -- send ------------------------------------------------------------------------------

    def send(self, queue, messages: list[Outgoing], sender_id: str, seal=None) -> list[SendOutcome]:
        """Enqueue validated messages (one commit); returns each one's message id and seq.

        ``seal`` (``encryption.MessageSealing.sealer``): how bodies and attributes are stored,
        None for plain text.

        On a FIFO queue a message whose deduplication id was seen within 5 minutes is not
        enqueued: its outcome is the first message's id and sequence number.
        """
        qs = self.state(queue)
        if queue.is_fifo:
            return self._send_fifo(queue, qs, messages, sender_id, seal)
        now = self.clock.now()
        sent_ms = int(now * 1000)
        key = queue.key
        default_delay = queue.delay_seconds
        count = len(messages)
        message_ids = new_message_ids(count)
        first = self._next_seq(now, count)
        rows, added = [], []
        for index, out in enumerate(messages):
            seq = first + index
            delay = default_delay if out.delay is None else out.delay
            visible_at = now + delay if delay else now
            body, attributes = (seal(out.body), seal(out.attributes)) if seal else (out.body, out.attributes)
            rows.append((seq, key, message_ids[index], body, out.md5_body, attributes, out.md5_attributes,
                         out.trace_header, sender_id, sent_ms, now, out.group_id, None, None, visible_at))
            added.append(Msg(seq, visible_at, now))
        self.store.insert(rows)
        self._track(qs, added, now)
        return [SendOutcome(message_id, first + index) for index, message_id in enumerate(message_ids)]

    def _send_fifo(self, queue, qs, messages: list[Outgoing], sender_id: str, seal) -> list[SendOutcome]:
        now = self.clock.now()
        sent_ms = int(now * 1000)
        key = queue.key
        delay = queue.delay_seconds  # FIFO queues have no per-message delay
        visible_at = now + delay if delay else now
        dedup = self._dedup[key]
        by_group = queue.deduplication_scope_in_force == "messageGroup"
        expires_at = now + DEDUPLICATION_INTERVAL
        seen_now: dict = {}
        rows, outcomes, added, dedup_rows = [], [], [], []
        for out, message_id in zip(messages, new_message_ids(len(messages))):
            dedup_id = out.dedup_id if out.dedup_id is not None else content_deduplication_id(out.body)
            dedup_key = (out.group_id if by_group else "", dedup_id)
            found = seen_now.get(dedup_key) or dedup.find(dedup_key, now)
            if found is not None:
                outcomes.append(SendOutcome(found[1], found[2]))
                continue
            seq = self._next_seq(now)
            body, attributes = (seal(out.body), seal(out.attributes)) if seal else (out.body, out.attributes)
            rows.append((seq, key, message_id, body, out.md5_body, attributes, out.md5_attributes,
                         out.trace_header, sender_id, sent_ms, now, out.group_id, dedup_id, None, visible_at))
            seen_now[dedup_key] = (expires_at, message_id, seq)
            dedup_rows.append((key, dedup_key[0], dedup_id, message_id, seq, expires_at))
            msg = Msg(seq, visible_at, now)
            msg.group = qs.group(out.group_id)
            added.append(msg)
            outcomes.append(SendOutcome(message_id, seq))
        if rows:
            self.store.insert(rows, dedup_rows)
        for _, scope, dedup_id, message_id, seq, expires_at in dedup_rows:
            dedup.remember((scope, dedup_id), expires_at, message_id, seq)
        self._track(qs, added, now)
        return outcomes

    def _track(self, qs: QueueState, added: list[Msg], now: float) -> None:
        """Hold newly stored messages in memory and wake long polls for the visible ones."""
        visible = 0
        for msg in added:
            qs.add(msg, now)
            if msg.state == READY:
                visible += 1
        if qs.waiters:
            if visible:
                self.polls.notify(qs, visible)
            if visible < len(added):
                self.polls.arm(qs)

    # -- receive ---------------------------------------------------------------------------

    def receive(self, queue, limit: int, visibility_timeout: int, attempt_id: str | None = None) -> list[Received]:
        """Hand out up to ``limit`` visible messages, in flight for ``visibility_timeout`` s.

        Expired messages are dropped first; a message already received maxReceiveCount times
        moves to the dead-letter queue instead of being delivered.
        """
        qs = self.state(queue)
        if qs.dropped:
            return []
        now = self.clock.now()
        deleted = [msg.seq for msg in qs.expire(now, queue.message_retention_period)]
        qs.promote(now)
        if attempt_id is not None and qs.fifo:
            again = self._retry_attempt(queue, qs, attempt_id, now, visibility_timeout, deleted)
            if again is not None:
                return again
        dead = self._dead_letter_target(queue)
        moved: list[Msg] = []
        classify = _deliver
        if dead is not None:
            max_count = dead[1]

            def classify(msg: Msg) -> bool:
                if msg.receive_count >= max_count:
                    qs.remove(msg)
                    moved.append(msg)
                    return False
                return True

        taken = qs.receive(limit, now, now + visibility_timeout, classify)
        copies = self._move_out(queue, dead[0], moved, now, deleted) if moved else ()
        if taken or deleted:
            self.store.apply(
                received=[(m.visible_at, m.receive_count, m.first_received_at, m.receipt, m.received_at, m.seq)
                          for m in taken],
                deleted=deleted,
                copies=copies,
            )
        if moved:
            self._move_in(dead[0], moved, copies, now)
        if deleted:
            qs.compact()
        if not taken:
            return []
        if qs.waiters:
            self.polls.arm(qs)
        received = self._received(queue, taken)
        if attempt_id is not None and qs.fifo:
            qs.attempts[attempt_id] = (now + ATTEMPT_INTERVAL, [(m, m.receipt) for m in taken])
        return received

    def _received(self, queue, taken: list[Msg]) -> list[Received]:
        stored = self.store.fetch([msg.seq for msg in taken])
        key = queue.key
        return [Received(msg, stored[msg.seq], receipts.encode(key, msg.seq, msg.receipt)) for msg in taken]

    def _retry_attempt(self, queue, qs, attempt_id, now, visibility_timeout, deleted) -> list[Received] | None:
        """The same messages and handles again for a retried ReceiveRequestAttemptId, if none
        of them changed since; their visibility timeout starts over."""
        entry = qs.attempts.get(attempt_id)
        if entry is None:
            return None
        expires_at, handed = entry
        if expires_at <= now or not all(m.state == INFLIGHT and m.receipt == nonce for m, nonce in handed):
            del qs.attempts[attempt_id]
            return None
        visible_at = now + visibility_timeout
        for msg, _ in handed:
            qs.set_visibility(msg, visible_at, now)
        self.store.apply(visibility=[(visible_at, m.seq) for m, _ in handed], deleted=deleted)
        return self._received(queue, [m for m, _ in handed])

    # -- delete and visibility ---------------------------------------------------------------

    def _locate(self, queue, qs: QueueState, handle) -> tuple[Msg | None, int]:
        receipt = receipts.decode(handle)
        if receipt.queue_key != queue.key:
            raise receipts.invalid_handle(handle)
        return qs.messages.get(receipt.seq), receipt.nonce

    def delete(self, queue, handles: list) -> list[AwsError | None]:
        """Delete the messages of these receipt handles (one commit); per handle None or the error.

        Only the latest handle of a message deletes it; an older one succeeds without effect,
        as on AWS. On a FIFO queue a handle whose visibility timeout ran out has expired.
        """
        qs = self.state(queue)
        now = self.clock.now()
        qs.promote(now)
        results: list[AwsError | None] = []
        doomed: list[Msg] = []
        for handle in handles:
            try:
                msg, nonce = self._locate(queue, qs, handle)
                if msg is not None:
                    if qs.fifo and (msg.receipt != nonce or msg.state != INFLIGHT):
                        raise AwsError("InvalidParameterValue", f"Value {handle} for parameter ReceiptHandle is "
                                       "invalid. Reason: The receipt handle has expired.")
                    if msg.receipt == nonce:
                        doomed.append(msg)
                results.append(None)
            except AwsError as error:
                results.append(error)
        if doomed:
            if len(doomed) == 1:
                self.store.delete_one(doomed[0].seq)
            else:
                self.store.apply(deleted=[msg.seq for msg in doomed])
            for msg in doomed:
                qs.remove(msg)
            qs.compact()
            if qs.fifo and qs.waiters:
                self.polls.notify(qs, qs.available_hint())
        return results

    def change_visibility(self, queue, changes: list[tuple]) -> list[AwsError | None]:
        """Apply (receipt handle, timeout) changes (one commit); per change None or the error.

        On a standard queue any handle of a message received before acts on the message, as
        on AWS: an older one (the message was received again since) and one whose timeout
        ran out (the message is visible again: it becomes invisible for ``timeout``). A FIFO
        queue takes only the latest handle of a message still in flight.
        """
        qs = self.state(queue)
        now = self.clock.now()
        qs.promote(now)
        fifo = qs.fifo
        results: list[AwsError | None] = []
        changed: list[tuple[Msg, float]] = []
        for handle, timeout in changes:
            try:
                msg, nonce = self._locate(queue, qs, handle)
                if msg is None or not msg.receipt or (fifo and msg.receipt != nonce):
                    raise AwsError("InvalidParameterValue", f"Value {handle} for parameter ReceiptHandle is invalid. "
                                   "Reason: Message does not exist or is not available for visibility timeout change.")
                if fifo and msg.state != INFLIGHT:
                    raise AwsError("MessageNotInflight", "The message referred to is not in flight.")
                if now + timeout - msg.received_at > MAX_VISIBILITY:
                    raise AwsError("InvalidParameterValue", f"Value {timeout} for parameter VisibilityTimeout is "
                                   "invalid. Reason: Total VisibilityTimeout for the message is beyond the limit "
                                   f"[{MAX_VISIBILITY} seconds]")
                changed.append((msg, now + timeout))
                results.append(None)
            except AwsError as error:
                results.append(error)
        if changed:
            if len(changed) == 1:
                self.store.set_visibility_one(changed[0][1], changed[0][0].seq)
            else:
                self.store.apply(visibility=[(visible_at, msg.seq) for msg, visible_at in changed])
            visible = 0
            for msg, visible_at in changed:
                if msg.state == INFLIGHT:
                    if qs.set_visibility(msg, visible_at, now):
                        visible += 1
                elif msg.state == READY and visible_at > now:
                    qs.hide(msg, visible_at)
            if qs.waiters:
                if visible:
                    self.polls.notify(qs, visible)
                self.polls.arm(qs)
        return results

    # -- queue-wide --------------------------------------------------------------------------

    def _expire(self, queue, qs: QueueState, now: float) -> None:
        gone = qs.expire(now, queue.message_retention_period)
        if gone:
            self.store.apply(deleted=[msg.seq for msg in gone])

    def counts(self, queue) -> tuple[int, int, int]:
        """(ApproximateNumberOfMessages, ...NotVisible, ...Delayed) of ``queue``."""
        qs = self.state(queue)
        now = self.clock.now()
        self._expire(queue, qs, now)
        qs.promote(now)
        return qs.counts()

    def gauges(self, queue) -> tuple[int, int, int, float]:
        """``counts(queue)`` plus the age in seconds of its oldest message (0 when empty),
        for the AWS/SQS metrics sampled each minute."""
        visible, not_visible, delayed = self.counts(queue)
        oldest = self.state(queue).oldest_retained()
        return visible, not_visible, delayed, (0.0 if oldest is None else max(0.0, self.clock.now() - oldest))

    def purge(self, queue) -> None:
        """Delete every message of ``queue`` (PurgeQueue); a FIFO queue also forgets the
        deduplication ids it saw, as AWS does (the same id can be sent again at once)."""
        qs = self.state(queue)
        self.store.delete_queue_messages(queue.key, with_deduplication=True)
        qs.clear()
        if queue.key in self._dedup:
            self._dedup[queue.key] = Deduplication()

    def drop_queue(self, queue) -> None:
        """Forget ``queue``'s messages and deduplication ids (DeleteQueue)."""
        self.load()
        self.store.delete_queue_messages(queue.key, with_deduplication=True)
        qs = self._states.pop(queue.key, None)
        self._dedup.pop(queue.key, None)
        self._backlog.pop(queue.key, None)
        self._dedup_backlog.pop(queue.key, None)
        if qs is not None:
            qs.clear()
            qs.dropped = True
            self.polls.release(qs)

    def sweep(self) -> None:
        """Periodic: free expired messages, deduplication ids and receive attempts."""
        now = self.clock.now()
        queues = self.provider.queues
        for key in list(self._backlog or ()):  # queues not touched since start: track them now
            queue = queues.by_key(key)
            if queue is not None:
                self.state(queue)
        for key, qs in list(self._states.items()):
            queue = queues.by_key(key)
            if queue is None:
                continue
            self._expire(queue, qs, now)
            qs.compact()
            if qs.attempts:
                for attempt_id in [a for a, (expires_at, _) in qs.attempts.items() if expires_at <= now]:
                    del qs.attempts[attempt_id]
            dedup = self._dedup.get(key)
            if dedup is not None:
                self.store.forget_deduplication(dedup.expire(now))
