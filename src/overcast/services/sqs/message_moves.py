"""Messages moving between queues: dead-letter redrive on receive, and the moves of message
move tasks (StartMessageMoveTask). A mixin of ``engine.MessageEngine``; the interface the
move tasks use (``peek_oldest``, ``transfer``) is described in ``engine.py``.

A move is one commit: the row is copied under a new seq into the target queue (same message
id, body, attributes, sender and sent timestamp) and the original deleted.
"""

from __future__ import annotations

from overcast.services.sqs.message_state import READY, Msg
from overcast.services.sqs.message_store import StoredMessage


class MessageMoves:
    """Redrive and move-task transfers (needs the engine's state, store, clock and polls)."""

    # -- dead-letter redrive -----------------------------------------------------------------

    def _dead_letter_target(self, queue):
        """(dead-letter queue, maxReceiveCount) when ``queue`` redrives to an existing queue."""
        policy = queue.redrive_policy
        if not policy:
            return None
        try:
            arn = policy["deadLetterTargetArn"]
            max_count = int(policy["maxReceiveCount"])
        except (KeyError, TypeError, ValueError):
            return None
        target = self.provider.queues.by_arn(arn)
        if target is None or target.key == queue.key or target.is_fifo != queue.is_fifo:
            return None
        return target, max_count

    def _move_out(self, queue, target, moved: list[Msg], now: float, deleted: list[int]) -> list[tuple]:
        """The copy rows moving messages to a dead-letter queue (same id, body, attributes).

        The retention clock keeps running from the original send on a standard queue and
        restarts on a FIFO one, as AWS documents for dead-letter queues.
        """
        retain_from = now if queue.is_fifo else None
        copies = []
        for msg in moved:
            copies.append((self._next_seq(now), target.key, retain_from, queue.arn, now, True, msg.seq))
            deleted.append(msg.seq)
        return copies

    def _move_in(self, target, moved: list[Msg], copies: list[tuple], now: float) -> None:
        tq = self.state(target)
        for msg, copy in zip(moved, copies):
            new = Msg(copy[0], now, msg.retain_from if copy[2] is None else copy[2], msg.receive_count,
                      msg.first_received_at)
            if tq.fifo:
                new.group = tq.group(msg.group.id if msg.group is not None else "")
            tq.add(new, now)
        if tq.waiters:
            self.polls.notify(tq, len(moved))

    # -- message move tasks ------------------------------------------------------------------

    def peek_oldest(self, queue, limit: int) -> list[StoredMessage]:
        """Up to ``limit`` visible messages of ``queue``, oldest first, left in place."""
        qs = self.state(queue)
        now = self.clock.now()
        self._expire(queue, qs, now)
        qs.promote(now)
        oldest = qs.oldest(limit)
        stored = self.store.fetch([msg.seq for msg in oldest])
        return [stored[msg.seq] for msg in oldest if msg.seq in stored]

    def transfer(self, source, destination, seqs: list[int]) -> list[str]:
        """Move these messages (if still visible in ``source``) to ``destination`` in one commit."""
        sq, dq = self.state(source), self.state(destination)
        now = self.clock.now()
        sq.promote(now)
        candidates = [sq.messages.get(seq) for seq in seqs]
        candidates = [msg for msg in candidates if msg is not None and msg.state == READY]
        stored = self.store.fetch([msg.seq for msg in candidates])
        moving, copies, deleted = [], [], []
        for msg in candidates:
            row = stored.get(msg.seq)
            if row is None or (dq.fifo and not row.group_id):
                continue
            copies.append((self._next_seq(now), destination.key, None, None, now, False, msg.seq))
            deleted.append(msg.seq)
            moving.append((msg, row))
        if not moving:
            return []
        self.store.apply(copies=copies, deleted=deleted)
        for (msg, row), copy in zip(moving, copies):
            sq.remove(msg)
            new = Msg(copy[0], now, msg.retain_from)
            if dq.fifo:
                new.group = dq.group(row.group_id)
            dq.add(new, now)
        if dq.waiters:
            self.polls.notify(dq, len(moving))
        return [row.message_id for _, row in moving]
