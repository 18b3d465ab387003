"""The readiness forecast: a team's open releases share its throughput as a queue.

Definitions are those of shared/spec/analysis.md (``readiness``, "Forecast", amended 2026-12-04):

- Throughput samples: the team's ``done`` items per week over the 12 weeks ending ``today``
  (items of cancelled releases left out: that work was thrown away).
- The team's open releases (``planned``/``in_progress``) form a queue ordered by
  ``(target, key)`` (no target: last). One run draws one sample per week (with replacement) and
  finishes remaining items in queue order; a release finishes at the end of the week (``today +
  7 w``) in which its own last item and every remaining item before it are done, ``today`` when
  it has nothing left, never when 520 weeks are not enough.
- P50/P85 are nearest-rank percentiles over the runs; none when the team finished nothing in
  the 12 weeks or more than 15 % of the runs never finish.

Vectorised with numpy: a team's runs are one ``(runs, weeks)`` matrix of draws; its cumulative
sums, each run's row lifted above the previous one, make one sorted array, and one
``searchsorted`` finds every (release, run)'s finishing week from the release's cumulative need
(its remaining items plus those before it in the queue).
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from relplan.domain.model import Plan, Release, WorkItem
from relplan.domain.zone import plan_zone

__all__ = [
    "MAX_NEVER_SHARE",
    "MAX_WEEKS",
    "OPEN_STATUSES",
    "RUNS",
    "SEED",
    "THROUGHPUT_WEEKS",
    "DoneItem",
    "Forecast",
    "done_items",
    "finish_days",
    "percentile_days",
    "plan_zone",
    "queue_order",
    "summarise",
    "team_forecasts",
    "throughput_cutoff",
    "weekly_throughput",
]

#: Monte Carlo runs per team (the spec asks for at least 2,000).
RUNS: Final = 2_000
#: The fixed seed; each team's generator is seeded with ``[SEED, crc32(team key)]``.
SEED: Final = 6
#: How many weeks of done-throughput the forecast samples from.
THROUGHPUT_WEEKS: Final = 12
#: Runs that have not finished after this many weeks have no forecast.
MAX_WEEKS: Final = 520
#: More runs than this share without a finish: no forecast at all.
MAX_NEVER_SHARE: Final = 0.15
#: Releases that wait in a team's queue.
OPEN_STATUSES: Final = frozenset({"planned", "in_progress"})
#: Weeks drawn at a time; drawing in fixed blocks keeps each team's random stream the same
#: however far its queue reaches.
_BLOCK_WEEKS: Final = 26

# numpy takes ~0.1-0.25 s to import: only the functions that draw load it, so a command that
# reads this module for its dates and cut-offs (metrics, level) does not pay for it.
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Forecast:
    """One open release's forecast.

    Attributes:
        p50: Days after today by which half of the runs finish it (None: no forecast).
        p85: Days after today by which 85 % of the runs finish it (None: no forecast).
        ahead: Remaining items of the releases before it in its team's queue.
        missing: Why there is no forecast, for people (empty when there is one).
    """

    p50: int | None
    p85: int | None
    ahead: int
    missing: str = ""


#: A done item as throughput counts it: ``(team, release, resolved)``.
DoneItem = tuple[str | None, str | None, dt.datetime]


def throughput_cutoff(plan: Plan, *, today: dt.date, weeks: int = THROUGHPUT_WEEKS) -> dt.datetime:
    """The first instant that :func:`weekly_throughput` counts: the start of its oldest week."""
    first_day = today - dt.timedelta(days=7 * weeks - 1)
    return dt.datetime.combine(first_day, dt.time(), plan_zone(plan))


def done_items(items: Iterable[WorkItem]) -> list[DoneItem]:
    """The done items with a resolve time, as :func:`weekly_throughput` reads them."""
    return [
        (i.team, i.release, i.resolved)
        for i in items
        if i.category == "done" and i.resolved is not None
    ]


def weekly_throughput(
    plan: Plan,
    *,
    today: dt.date,
    weeks: int = THROUGHPUT_WEEKS,
    done: Iterable[DoneItem] | None = None,
) -> dict[str, tuple[int, ...]]:
    """Done items per team and week, over the ``weeks`` weeks ending ``today``.

    Week ``k`` (0 = the latest) holds the days ``today - 7k - 6 .. today - 7k`` in the planning
    zone. Items of cancelled releases do not count; an item without a team counts for its
    release's team.

    Args:
        plan: The plan.
        today: The last day of the latest week.
        weeks: How many weeks.
        done: The done items (default: :func:`done_items` of ``plan.work_items``); those
            resolved before :func:`throughput_cutoff` may be left out, as a workspace's query
            does (:meth:`relplan.store.workspace.Workspace.readiness_rows`).

    Returns:
        Per team key (every team of the plan, and any other team items name), the counts,
        oldest week first.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Plan, Team, WorkItem
        >>> at = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
        >>> plan = Plan(teams=(Team("PAY", "Payments"),), work_items=(
        ...     WorkItem("A", "a", team="PAY", category="done", resolved=at),
        ...     WorkItem("B", "b", team="PAY", category="done", resolved=at - dt.timedelta(7)),
        ... ))
        >>> weekly_throughput(plan, today=dt.date(2026, 11, 30), weeks=3)["PAY"]
        (0, 1, 1)
    """
    zone = plan_zone(plan)
    releases = {r.key: r for r in plan.releases}
    cutoff = throughput_cutoff(plan, today=today, weeks=weeks)
    counts: dict[str, list[int]] = {t.key: [0] * weeks for t in plan.teams}
    for team, release_key, resolved in done_items(plan.work_items) if done is None else done:
        # Cheap instant comparison first; only recent items are converted to days.
        if resolved < cutoff:
            continue
        release = releases.get(release_key) if release_key is not None else None
        if release is not None and release.status == "cancelled":
            continue
        day = resolved.astimezone(zone).date()
        if day > today:
            continue
        owner = team if team is not None else None if release is None else release.team
        if owner is None:
            continue
        slot = counts.setdefault(owner, [0] * weeks)
        slot[weeks - 1 - (today - day).days // 7] += 1
    return {owner: tuple(c) for owner, c in counts.items()}


def queue_order(release: Release) -> tuple[int, str]:
    """A release's place in its team's queue: by target (none: last), then key."""
    target = release.target
    return (dt.date.max.toordinal() if target is None else target.toordinal(), release.key)


def finish_days(
    throughput: Sequence[int],
    remaining: Sequence[int],
    *,
    runs: int = RUNS,
    rng: np.random.Generator,
    max_weeks: int = MAX_WEEKS,
) -> FloatArray:
    """Simulate when each release of a team's queue finishes.

    Every run draws one week from ``throughput`` at a time (with replacement) and finishes the
    queue's items in order; release ``i`` finishes at the end of the first week ``w`` (1-based)
    by which the run has done ``remaining[0] + ... + remaining[i]`` items, on day ``7 w``.

    Args:
        throughput: Done items per week to draw from.
        remaining: Items left per release, in queue order.
        runs: How many runs.
        rng: The random generator (its stream is consumed in blocks of 26 weeks).
        max_weeks: Runs not finished after this many weeks give ``inf``.

    Returns:
        A ``(len(remaining), runs)`` array of days after today (0 for nothing remaining,
        ``inf`` for never).

    Examples:
        >>> import numpy as np
        >>> days = finish_days([5], [0, 5, 7, 3], runs=3, rng=np.random.default_rng(0))
        >>> days.tolist()
        [[0.0, 0.0, 0.0], [7.0, 7.0, 7.0], [21.0, 21.0, 21.0], [21.0, 21.0, 21.0]]
    """
    import numpy as np

    weekly = np.asarray(throughput, dtype=np.int64)
    left = np.asarray(remaining, dtype=np.int64)
    out = np.zeros((left.size, runs), dtype=np.float64)
    todo = left > 0
    if not todo.any():
        return out
    if weekly.size == 0 or weekly.max() <= 0:
        out[todo] = np.inf
        return out
    need = np.cumsum(left)[todo]
    goal = int(need.max())
    blocks: list[npt.NDArray[np.int64]] = []
    total = np.zeros(runs, dtype=np.int64)
    drawn_weeks = 0
    while drawn_weeks < max_weeks and total.min() < goal:
        block = weekly[rng.integers(0, weekly.size, size=(runs, _BLOCK_WEEKS))]
        blocks.append(block)
        drawn_weeks += _BLOCK_WEEKS
        total += block.sum(axis=1)
    cumulative = np.cumsum(np.concatenate(blocks, axis=1)[:, :max_weeks], axis=1)
    n_weeks = cumulative.shape[1]
    # One searchsorted for every (release, run): each run's row is lifted above the previous
    # one (by more than any need), so the flattened array stays sorted and a need a run never
    # reaches lands past the end of its row.
    lift = max(int(cumulative[:, -1].max()), goal) + 1
    offsets = np.arange(runs, dtype=np.int64) * lift
    flat = (cumulative + offsets[:, None]).ravel()
    found = np.searchsorted(flat, need[:, None] + offsets[None, :], side="left")
    week = found - (np.arange(runs, dtype=np.int64) * n_weeks)[None, :]
    out[todo] = np.where(week >= n_weeks, np.inf, 7.0 * (week + 1))
    return out


def percentile_days(days: FloatArray, fractions: Sequence[float]) -> FloatArray:
    """Per row of ``days``, the nearest-rank percentile of each fraction.

    The ``p``-th percentile of ``n`` values is the ``ceil(p n)``-th smallest.

    Examples:
        >>> import numpy as np
        >>> percentile_days(np.array([[3.0, 1.0, 2.0, 4.0]]), (0.5, 0.85)).tolist()
        [[2.0, 4.0]]
    """
    import numpy as np

    ordered = np.sort(days, axis=-1)
    picks = [max(0, math.ceil(f * ordered.shape[-1] - 1e-9) - 1) for f in fractions]
    return ordered[..., picks]


def _team_rng(seed: int, team: str) -> np.random.Generator:
    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(team.encode("utf-8"))])


def team_forecasts(
    team: str,
    queue: Sequence[Release],
    remaining: Mapping[str, int],
    throughput: Sequence[int],
    *,
    runs: int = RUNS,
    seed: int = SEED,
) -> dict[str, Forecast]:
    """The forecast of every release in one team's queue.

    Args:
        team: The team's key (it seeds the team's generator).
        queue: The team's open releases, in queue order (:func:`queue_order`).
        remaining: Items not done, by release key.
        throughput: The team's done items per week.
        runs: How many runs.
        seed: The simulation's seed.

    Returns:
        The forecast by release key.
    """
    import numpy as np

    left = [remaining.get(r.key, 0) for r in queue]
    ahead = np.concatenate(([0], np.cumsum(left)[:-1])).tolist() if left else []
    if sum(throughput) <= 0:
        why = f"no work done by {team} in the last {THROUGHPUT_WEEKS} weeks"
        return {r.key: Forecast(None, None, int(a), why) for r, a in zip(queue, ahead, strict=True)}
    days = finish_days(throughput, left, runs=runs, rng=_team_rng(seed, team))
    out = {}
    for release, before, (p50, p85, never) in zip(queue, ahead, summarise(days), strict=True):
        why = (
            ""
            if p50 is not None
            else f"{never:.0%} of the runs do not finish it within {MAX_WEEKS} weeks "
            f"at {team}'s pace"
        )
        out[release.key] = Forecast(p50, p85, int(before), why)
    return out


def summarise(days: FloatArray) -> list[tuple[int | None, int | None, float]]:
    """Per row of simulated finish days: ``(P50, P85, share of runs that never finish)``.

    The percentiles are None when more than 15 % of the runs never finish.

    Examples:
        >>> import numpy as np
        >>> row = [7.0] * 80 + [14.0] * 5 + [np.inf] * 15
        >>> summarise(np.array([row, row[:-1] + [21.0], [np.inf] * 84 + [7.0] * 16]))
        [(7, 14, 0.15), (7, 14, 0.14), (None, None, 0.84)]
    """
    import numpy as np

    never = np.isinf(days).mean(axis=1)
    picked = percentile_days(days, (0.5, 0.85))
    return [
        (None, None, float(share))
        if share > MAX_NEVER_SHARE
        else (int(p50), int(p85), float(share))
        for (p50, p85), share in zip(picked.tolist(), never.tolist(), strict=True)
    ]
