"""Where the Timeline draws a levelling preview: a ghost bar at each moved release's new dates.

Plain geometry (no Qt): for a :class:`~relplan.layout.timeline.TimelineLayout` and the moves of
a :class:`~relplan.planning.level.Levelling`, the row of each moved release that is shown, its
bar now and its bar levelled, in days from the layout's origin (ends exclusive, as the bars).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from relplan.layout.timeline import TimelineLayout
from relplan.planning.level import Move

__all__ = ["LevelGhost", "level_ghosts", "pinned_starts"]


class LevelGhost(NamedTuple):
    """One moved release as the Timeline draws it.

    Attributes:
        row: Its row.
        key: The release.
        x0: The planned start (days from the origin).
        x1: The day after the planned target.
        new_x0: The levelled start.
        new_x1: The day after the levelled target.
        days: How many days it moves.
    """

    row: int
    key: str
    x0: float
    x1: float
    new_x0: float
    new_x1: float
    days: int


def level_ghosts(layout: TimelineLayout, moves: Iterable[Move]) -> dict[int, LevelGhost]:
    """The ghost of each move whose release has a row in ``layout``, by row.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Plan, Release
        >>> from relplan.layout.graph import PlanGraph
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=(Release("A", "A", "X", start=d, target=d + dt.timedelta(4)),))
        >>> t = TimelineLayout(PlanGraph(plan), pad_days=2)
        >>> level_ghosts(t, [Move("A", d, d + dt.timedelta(4), 3, ("why",))])
        {1: LevelGhost(row=1, key='A', x0=2.0, x1=7.0, new_x0=5.0, new_x1=10.0, days=3)}
        >>> level_ghosts(t, [Move("B", d, d, 1, ())])
        {}
    """
    ghosts = {}
    for move in moves:
        row = layout.row_of(move.key)
        if row is None:  # filtered out, or folded away
            continue
        x = layout.x
        ghosts[row] = LevelGhost(
            row,
            move.key,
            x(move.start),
            x(move.target) + 1,
            x(move.new_start),
            x(move.new_target) + 1,
            move.days,
        )
    return ghosts


def pinned_starts(layout: TimelineLayout, keys: Iterable[str]) -> dict[int, float]:
    """The start (days from the origin) of each pinned release's bar that is shown, by row."""
    starts = {}
    for key in keys:
        row = layout.row_of(key)
        if row is None:
            continue
        bar = layout.items(row, row)[0].bar
        if bar is not None:
            starts[row] = bar[0]
    return starts
