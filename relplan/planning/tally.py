"""A release's work items counted: the figures readiness, reports and calendars share.

Kept apart from :mod:`relplan.planning.readiness` (which simulates with numpy) so that a
calendar export counts items without importing numpy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Tally", "tallies_of_rows"]


@dataclass(slots=True)
class Tally:
    """A release's work items counted: how many, how many done or in progress, their points.

    Items without points count 0 points and make ``all_pointed`` false.
    """

    items: int = 0
    done: int = 0
    in_progress: int = 0
    points_done: float = 0.0
    points_in_progress: float = 0.0
    points_total: float = 0.0
    all_pointed: bool = True


def tallies_of_rows(
    rows: Iterable[tuple[str, int, int, int, float, float, float, int]],
) -> dict[str, Tally]:
    """Tallies by release key from a workspace's grouped rows (``Workspace.release_tallies``)."""
    return {row[0]: Tally(*row[1:7], all_pointed=bool(row[7])) for row in rows}
