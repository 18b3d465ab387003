"""Moving a whole release, as a pure function of the release: the one place that knows how.

A release's stage windows and milestones are planned relative to it, so every path that moves a
whole release (a timeline bar dragged by its body, what-if Apply, ``impact --apply``, levelling)
calls :func:`shift_release`; nothing else adds days to a release's dates. It imports only the
domain, so the analyses (``planning.impact``) can use it without an import cycle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from relplan.domain.model import Flag, Release

__all__ = ["shift_flag", "shift_release", "whole_moves"]


def shift_release(release: Release, days: int) -> Release:
    """``release`` moved by ``days`` (negative: earlier): start, target, stages and milestones.

    Every date the release has moves by the same days, so each stage window and milestone keeps
    its offset to the start; a date that is not set stays unset.

    Args:
        release: The release as it is.
        days: How many days to move it.

    Returns:
        The moved release (``release`` itself when ``days`` is 0).

    Examples:
        >>> from relplan.domain.model import Milestone, Stage
        >>> d = dt.date(2026, 11, 2)
        >>> r = Release("A-1", "A", "A", start=d, target=d + dt.timedelta(9),
        ...             stages=(Stage("prod", d + dt.timedelta(8), d + dt.timedelta(9)),),
        ...             milestones=(Milestone("code freeze", d + dt.timedelta(5)),))
        >>> moved = shift_release(r, 15)
        >>> moved.start, moved.target
        (datetime.date(2026, 11, 17), datetime.date(2026, 11, 26))
        >>> moved.stages[0].start, moved.milestones[0].date
        (datetime.date(2026, 11, 25), datetime.date(2026, 11, 22))
    """
    if not days:
        return release
    delta = dt.timedelta(days=days)
    return dataclasses.replace(
        release,
        start=None if release.start is None else release.start + delta,
        target=None if release.target is None else release.target + delta,
        stages=tuple(
            dataclasses.replace(
                s,
                start=s.start + delta,
                end=s.end + delta,
                # Rollout steps and the switch day belong to the stage's window: they move too.
                steps=tuple(dataclasses.replace(p, date=p.date + delta) for p in s.steps),
                switch=None if s.switch is None else s.switch + delta,
            )
            for s in release.stages
        ),
        milestones=tuple(dataclasses.replace(m, date=m.date + delta) for m in release.milestones),
    )


def shift_flag(flag: Flag, days: int) -> Flag:
    """``flag`` with every rollout step moved by ``days``: a flag ships with its release.

    Examples:
        >>> from relplan.domain.model import RolloutStep
        >>> f = Flag("new-ui", "A-1", "prod", steps=(RolloutStep(dt.date(2026, 11, 2), 10),))
        >>> shift_flag(f, 3).steps[0].date
        datetime.date(2026, 11, 5)
    """
    if not days:
        return flag
    delta = dt.timedelta(days=days)
    steps = tuple(dataclasses.replace(p, date=p.date + delta) for p in flag.steps)
    return dataclasses.replace(flag, steps=steps)


def whole_moves(before: dict[str, Release], after: list[Release]) -> dict[str, int]:
    """The days each release of ``after`` moved as a whole (start and target by the same days).

    A release whose start and target moved by different days was reshaped, not moved, and is
    left out, as is one without both dates.
    """
    moves: dict[str, int] = {}
    for new in after:
        old = before.get(new.key)
        if old is None or old.start is None or old.target is None:
            continue
        if new.start is None or new.target is None:
            continue
        days = (new.start - old.start).days
        if days and (new.target - old.target).days == days:
            moves[new.key] = days
    return moves
