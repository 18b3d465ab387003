"""The pause a 429 puts on every worker of a client (issue #14)."""

from __future__ import annotations

from relplan.sync.ratelimit import SlowDown


def test_the_longest_hold_wins_and_runs_out_with_the_clock() -> None:
    now = [100.0]
    gate = SlowDown(lambda: now[0])
    assert gate.remaining() == 0.0
    gate.hold(3.0)
    gate.hold(1.0)  # shorter than the wait already asked for: ignored
    assert gate.pauses == 1
    now[0] = 101.0
    assert gate.remaining() == 2.0
    gate.hold(5.0)
    assert (gate.remaining(), gate.pauses) == (5.0, 2)
    now[0] = 107.0
    assert gate.remaining() == 0.0
