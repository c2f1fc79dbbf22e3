"""The engine's in-memory queue states against a naive model, under random operations.

``QueueState`` / ``FifoQueueState`` keep heaps, deques and counters updated incrementally with
lazy deletion; the model below recomputes everything from timestamps on every call. Hypothesis
drives both with the same sends, receives, deletes, visibility changes and clock moves; they
must hand out the same messages in the same order and report the same counts.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from overcast.services.sqs.fifo import FifoQueueState
from overcast.services.sqs.message_state import GONE, INFLIGHT, Msg, QueueState

RETENTION = 500.0


class ModelMessage:
    def __init__(self, seq: int, group: str, visible_at: float, sent_at: float):
        self.seq, self.group, self.visible_at, self.sent_at = seq, group, visible_at, sent_at
        self.received = False


class Model:
    """Everything computed from scratch: what SQS promises, written the obvious way."""

    def __init__(self, fifo: bool):
        self.fifo = fifo
        self.messages: dict[int, ModelMessage] = {}

    def inflight(self, m: ModelMessage, now: float) -> bool:
        return m.received and m.visible_at > now

    @staticmethod
    def position(head: ModelMessage) -> tuple[float, int]:
        return (max(head.visible_at, head.sent_at) if head.received else head.sent_at), head.seq

    def expire(self, now: float) -> None:
        for seq in [s for s, m in self.messages.items() if m.sent_at <= now - RETENTION]:
            del self.messages[seq]

    def receive(self, limit: int, now: float, until: float) -> list[int]:
        self.expire(now)
        ordered = sorted(self.messages.values(), key=lambda m: m.seq)
        chosen: list[ModelMessage] = []
        if not self.fifo:
            chosen = [m for m in ordered if m.visible_at <= now][:limit]
        else:
            groups: dict[str, list[ModelMessage]] = {}
            for m in ordered:
                groups.setdefault(m.group, []).append(m)
            # A group can deliver while its first message is visible; groups take turns by
            # when that message was sent, or became visible again if it was received before.
            available = [g for g in groups.values() if g[0].visible_at <= now]
            for group in sorted(available, key=lambda g: self.position(g[0])):
                for m in group:  # its visible run, up to the first message in flight or delayed
                    if len(chosen) >= limit or m.visible_at > now:
                        break
                    chosen.append(m)
        for m in chosen:
            m.received, m.visible_at = True, until
        return [m.seq for m in chosen]

    def counts(self, now: float) -> tuple[int, int, int]:
        self.expire(now)
        inflight = sum(1 for m in self.messages.values() if self.inflight(m, now))
        delayed = sum(1 for m in self.messages.values() if not m.received and m.visible_at > now)
        return len(self.messages) - inflight - delayed, inflight, delayed


class StateMachine(RuleBasedStateMachine):
    fifo = False

    def __init__(self):
        super().__init__()
        self.state = FifoQueueState(1) if self.fifo else QueueState(1)
        self.state.compact_threshold = 2  # compact often: it must not change behaviour
        self.model = Model(self.fifo)
        self.now = 1000.0
        self.seq = 0
        self.msgs: dict[int, Msg] = {}

    @rule(group=st.sampled_from("abc"), delay=st.sampled_from([0, 0, 0, 5, 30]))
    def send(self, group, delay):
        self.seq += 1
        visible_at = self.now + delay
        msg = Msg(self.seq, visible_at, self.now)
        if self.fifo:
            msg.group = self.state.group(group)
        self.state.add(msg, self.now)
        self.msgs[self.seq] = msg
        self.model.messages[self.seq] = ModelMessage(self.seq, group, visible_at, self.now)

    @rule(limit=st.integers(1, 10), timeout=st.sampled_from([0, 10, 40]))
    def receive(self, limit, timeout):
        until = self.now + timeout
        self.state.expire(self.now, RETENTION)
        self.state.promote(self.now)
        got = [m.seq for m in self.state.receive(limit, self.now, until, lambda m: True)]
        assert got == self.model.receive(limit, self.now, until)

    @precondition(lambda self: self.model.messages)
    @rule(data=st.data())
    def delete(self, data):
        seq = data.draw(st.sampled_from(sorted(self.model.messages)))
        self.state.promote(self.now)
        self.state.remove(self.msgs[seq])
        self.state.compact()
        del self.model.messages[seq]

    @precondition(lambda self: any(m.state == INFLIGHT for m in self.msgs.values()))
    @rule(data=st.data(), timeout=st.sampled_from([0, 3, 60]))
    def change_visibility(self, data, timeout):
        self.state.promote(self.now)
        inflight = sorted(s for s, m in self.msgs.items() if m.state == INFLIGHT)
        if not inflight:
            return
        seq = data.draw(st.sampled_from(inflight))
        self.state.set_visibility(self.msgs[seq], self.now + timeout, self.now)
        self.model.messages[seq].visible_at = self.now + timeout

    @rule(seconds=st.sampled_from([1, 5, 10, 31, 100, 600]))
    def advance(self, seconds):
        self.now += seconds

    @invariant()
    def same_counts(self):
        self.state.expire(self.now, RETENTION)
        self.state.promote(self.now)
        assert self.state.counts() == self.model.counts(self.now)
        live = {s for s, m in self.msgs.items() if m.state != GONE}
        assert live == set(self.model.messages)


class FifoStateMachine(StateMachine):
    fifo = True


TestStandardQueueState = StateMachine.TestCase
TestStandardQueueState.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestFifoQueueState = FifoStateMachine.TestCase
TestFifoQueueState.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
