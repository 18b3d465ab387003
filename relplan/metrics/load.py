"""Release load: how many releases use each environment in each week, so crowded weeks show.

A release uses an environment in a week when one of its stage windows there overlaps the week
(Monday to Sunday). ``peak`` is the most stage windows there on any one day of the week (one per
release as a rule), which is what the environment's ``capacity`` limits; a week whose peak is over
capacity is *crowded* (``relplan check`` reports those days as ``environment_conflict``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from relplan.domain.model import Plan
from relplan.metrics.scope import Window, releases_in_scope

__all__ = ["ReleaseLoad", "default_load_window", "monday_of", "release_load"]

IntMatrix = npt.NDArray[np.int64]


def monday_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def default_load_window(today: dt.date) -> Window:
    """Four weeks back and twelve ahead, whole weeks."""
    start = monday_of(today) - dt.timedelta(weeks=4)
    return Window(start, start + dt.timedelta(weeks=16, days=-1))


@dataclass(frozen=True, slots=True)
class ReleaseLoad:
    """Releases per environment and week.

    Attributes:
        weeks: The Monday of each week, oldest first.
        environments: Environment names, in their order (unknown ones from stages last).
        capacities: Each environment's capacity (1 for unknown ones).
        counts: ``(environments, weeks)``: distinct releases with a stage window in the week.
        peak: ``(environments, weeks)``: the most stage windows there on one day of the week.
    """

    weeks: tuple[dt.date, ...]
    environments: tuple[str, ...]
    capacities: tuple[int, ...]
    counts: IntMatrix
    peak: IntMatrix

    @property
    def crowded(self) -> npt.NDArray[np.bool_]:
        """``(environments, weeks)``: whether the peak is over the capacity."""
        return self.peak > np.asarray(self.capacities, dtype=np.int64)[:, None]


def release_load(
    plan: Plan, *, window: Window, team: str | None = None, train: str | None = None
) -> ReleaseLoad:
    """Count the releases per environment and week over the weeks ``window`` touches.

    Cancelled releases take no part. With ``team`` or ``train`` only their releases count, so
    ``peak`` then shows how much of the capacity they take alone.

    Args:
        plan: The plan.
        window: The days to cover (widened to whole weeks).
        team: Only this team's releases.
        train: Only this train's releases.

    Returns:
        The counts.

    Raises:
        UnknownObjectError: ``team`` or ``train`` is not in the plan.
    """
    first = monday_of(window.start)
    n_weeks = (monday_of(window.end) - first).days // 7 + 1
    n_days = 7 * n_weeks
    releases = [
        r
        for r in releases_in_scope(plan, team=team, train=train).values()
        if r.status != "cancelled"
    ]
    environments = [e.name for e in sorted(plan.environments, key=lambda e: (e.order, e.name))]
    capacities = [e.capacity for e in sorted(plan.environments, key=lambda e: (e.order, e.name))]
    extra = sorted({s.environment for r in releases for s in r.stages} - set(environments))
    environments += extra
    capacities += [1] * len(extra)
    row = {name: i for i, name in enumerate(environments)}
    # Per environment: +1/-1 at each window's ends, summed up into daily occupancy.
    delta = np.zeros((len(environments), n_days + 1), dtype=np.int64)
    used: set[tuple[int, int, str]] = set()
    for release in releases:
        for stage in release.stages:
            a = max((stage.start - first).days, 0)
            b = min((stage.end - first).days, n_days - 1)
            if a > b:
                continue
            e = row[stage.environment]
            delta[e, a] += 1
            delta[e, b + 1] -= 1
            used.update((e, w, release.key) for w in range(a // 7, b // 7 + 1))
    daily = np.cumsum(delta[:, :n_days], axis=1)
    counts = np.zeros((len(environments), n_weeks), dtype=np.int64)
    for e, w, _ in used:
        counts[e, w] += 1
    peak = daily.reshape(len(environments), n_weeks, 7).max(axis=2)
    weeks = tuple(first + dt.timedelta(weeks=w) for w in range(n_weeks))
    return ReleaseLoad(weeks, tuple(environments), tuple(capacities), counts, peak)
