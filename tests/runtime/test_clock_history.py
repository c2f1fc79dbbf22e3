"""The clock's history of offsets: which offset a signature stamped at a wall time was made under."""

from __future__ import annotations

from overcast.runtime.clock import Clock


def test_offsets_apply_from_their_own_moment():
    clock = Clock()
    assert clock.signing_offset(1_000.0) == 0.0
    clock.set_offset(0.0)
    clock.offset = 3600.0
    assert clock.note_offset(2_000.0) == (2_000.0, 3600.0)
    clock.offset = 7200.0
    clock.note_offset(3_000.0)
    assert [clock.signing_offset(t) for t in (1_999.0, 2_000.0, 2_999.5, 3_000.0, 9e9)] == [
        0.0, 3600.0, 3600.0, 7200.0, 7200.0]


def test_an_unchanged_offset_adds_nothing():
    clock = Clock(50.0)
    assert clock.note_offset(10.0) is None
    assert clock.history == [(0.0, 50.0)]


def test_restored_history_without_its_beginning_starts_in_real_time():
    clock = Clock()
    clock.restore_history([(2_000.0, 3600.0)])
    assert (clock.signing_offset(1_000.0), clock.signing_offset(2_500.0)) == (0.0, 3600.0)
    clock.set_offset(0.0)  # a reset
    assert clock.history == [(0.0, 0.0)]
