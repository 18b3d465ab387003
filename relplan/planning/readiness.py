"""``relplan readiness``: per release, how much is done, what blocks it and when it will finish.

Definitions are those of shared/spec/analysis.md (``readiness``). Cancelled releases take no part.

- ``percent_done`` counts points when every item of the release has points (adding up to more
  than zero), else items; a release without items is 100 % done (nothing remains).
- ``open_blockers``: the distinct not-done items of *other* releases at the prerequisite end of a
  dependency whose dependent end is the release or one of its items.
- The forecast is a Monte Carlo simulation: each run draws weeks (with replacement) from the
  team's done-throughput of the last 12 weeks until the remaining items are done, and the finish
  day interpolates within the last week drawn. P50/P85 are the days by which 50 %/85 % of the
  runs have finished (nothing remaining: today). Throughput counts the ``done`` items of the team
  (the item's team, else its release's) resolved in the 84 days ending ``today`` in the planning
  zone, without the items of cancelled releases. With no throughput there is no forecast (None)
  and remaining work counts as late. The seed is fixed per team, so a forecast does not depend on
  which other releases were asked for.
- ``verdict``: ``ready`` when every item is done and every gate approved; else ``late`` when the
  target has passed or the P50 finish is after it; else ``at_risk`` when the P85 finish is after
  it; else ``on_track``. Each comes with a ``reason`` for people.

The simulation is vectorised with numpy: the releases of a team share the simulated weeks (common
random numbers), and one ``searchsorted`` per team finds every run's finishing week.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Plan, Release, WorkItem
from relplan.errors import UnknownObjectError

__all__ = [
    "JSON_KEYS",
    "Readiness",
    "ReleaseReadiness",
    "finish_days",
    "percentile_days",
    "plan_zone",
    "readiness_of",
    "risk_order",
    "weekly_throughput",
]

#: Monte Carlo runs per release (the spec asks for at least 2,000).
RUNS: Final = 2_000
#: The fixed seed; each team's generator is seeded with ``[SEED, crc32(team key)]``.
SEED: Final = 6
#: How many weeks of done-throughput the forecast samples from.
THROUGHPUT_WEEKS: Final = 12
#: Runs that have not finished after this many weeks count as never finishing.
MAX_WEEKS: Final = 520
#: Weeks drawn at a time; drawing in fixed blocks keeps each team's random stream the same
#: whatever the releases asked for need.
_BLOCK_WEEKS: Final = 26
_RISK_RANK: Final = {"late": 0, "at_risk": 1, "on_track": 2, "ready": 3}
_BLOCKER_RELEASES_SHOWN: Final = 3

FloatArray = npt.NDArray[np.float64]


#: The keys of one release in ``readiness --json``: the spec's, in its order, plus ``reason``.
JSON_KEYS: Final = (
    "key", "items", "done", "in_progress", "todo", "points_done", "points_total", "percent_done",
    "gates_approved", "gates_total", "open_blockers", "forecast_p50", "forecast_p85", "verdict",
    "reason",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReleaseReadiness:
    """One release's readiness.

    Attributes:
        key: The release key.
        team: Its team.
        train: Its train, if any.
        status: Its status (never ``cancelled``: those take no part).
        target: Its target day, if any.
        items: How many work items it holds.
        done: Items in category ``done``.
        in_progress: Items in category ``in_progress``.
        todo: Items in category ``todo`` (or any other category).
        points_done: Points of the done items (items without points count 0).
        points_in_progress: Points of the items in progress.
        points_total: Points of all items.
        uses_points: Whether ``percent_done`` (and the charts) count points rather than items.
        percent_done: 0..100, unrounded.
        gates_approved: Gates with status ``approved``.
        gates_total: All gates.
        open_blockers: Distinct unresolved prerequisite items in other releases.
        blockers_by_release: ``(release key, count)`` of those blockers, most first.
        forecast_p50: The day by which half of the simulated runs finish; None without a
            forecast (no throughput).
        forecast_p85: The day by which 85 % of the runs finish; None without a forecast.
        verdict: ``ready``, ``on_track``, ``at_risk`` or ``late``.
        reason: Why, in one line for people.
    """

    key: str
    team: str
    train: str | None
    status: str
    target: dt.date | None
    items: int
    done: int
    in_progress: int
    todo: int
    points_done: float
    points_in_progress: float
    points_total: float
    uses_points: bool
    percent_done: float
    gates_approved: int
    gates_total: int
    open_blockers: int
    blockers_by_release: tuple[tuple[str, int], ...]
    forecast_p50: dt.date | None
    forecast_p85: dt.date | None
    verdict: str
    reason: str

    def shares(self) -> tuple[float, float, float]:
        """Done, in-progress and to-do shares (0..1) in the unit of ``percent_done``."""
        if self.uses_points:
            total = self.points_total
            done, progress = self.points_done, self.points_in_progress
        else:
            total, done, progress = float(self.items), float(self.done), float(self.in_progress)
        if total <= 0:
            return (1.0, 0.0, 0.0) if self.items == 0 else (0.0, 0.0, 1.0)
        return (done / total, progress / total, max(0.0, 1.0 - (done + progress) / total))

    def to_json(self) -> dict[str, object]:
        """The release as ``readiness --json`` prints it (keys: :data:`JSON_KEYS`)."""
        out: dict[str, object] = {key: getattr(self, key) for key in JSON_KEYS}
        out.update(
            percent_done=round(self.percent_done, 1),
            forecast_p50=_iso(self.forecast_p50),
            forecast_p85=_iso(self.forecast_p85),
        )
        return out


@dataclass(frozen=True, slots=True)
class Readiness:
    """The result of :func:`readiness_of`.

    Attributes:
        today: The day forecasts start from.
        releases: Every release that takes part, sorted by key.
        throughput: Per team, done items per week over the last weeks, oldest week first.
        runs: Monte Carlo runs per release.
    """

    today: dt.date
    releases: tuple[ReleaseReadiness, ...]
    throughput: Mapping[str, tuple[int, ...]]
    runs: int = RUNS

    def release(self, key: str) -> ReleaseReadiness | None:
        """The readiness of the release with this key, or None."""
        return next((r for r in self.releases if r.key == key), None)

    def by_risk(self) -> list[ReleaseReadiness]:
        """The releases, most at risk first (see :func:`risk_order`)."""
        return sorted(self.releases, key=risk_order)

    def to_json(self) -> dict[str, list[dict[str, object]]]:
        """The readiness as ``readiness --json`` prints it: ``{"releases": [...]}``."""
        return {"releases": [r.to_json() for r in self.releases]}


def risk_order(release: ReleaseReadiness) -> tuple[int, float, int, str]:
    """Sort key, most at risk first: verdict, P85 days after target, open blockers, key.

    A release without a forecast sorts as the latest of its verdict.
    """
    p85, target = release.forecast_p85, release.target
    lateness = float("inf") if p85 is None else (p85 - target).days if target else 0.0
    return (_RISK_RANK[release.verdict], -lateness, -release.open_blockers, release.key)


def plan_zone(plan: Plan) -> dt.tzinfo:
    """The plan's planning zone (UTC when the name is unknown to this machine)."""
    try:
        return ZoneInfo(plan.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _item_team(item: WorkItem, releases: Mapping[str, Release]) -> str | None:
    if item.team is not None:
        return item.team
    release = releases.get(item.release) if item.release is not None else None
    return None if release is None else release.team


def weekly_throughput(
    plan: Plan, *, today: dt.date, weeks: int = THROUGHPUT_WEEKS
) -> dict[str, tuple[int, ...]]:
    """Done items per team and week, over the ``weeks`` weeks ending ``today``.

    Week ``k`` (0 = the latest) holds the days ``today - 7k - 6 .. today - 7k`` in the planning
    zone. Items of cancelled releases do not count.

    Args:
        plan: The plan.
        today: The last day of the latest week.
        weeks: How many weeks.

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
    first_day = today - dt.timedelta(days=7 * weeks - 1)
    cutoff = dt.datetime.combine(first_day, dt.time(), zone)
    counts: dict[str, list[int]] = {t.key: [0] * weeks for t in plan.teams}
    for item in plan.work_items:
        # Cheap instant comparison first; only recent items are converted to days.
        if item.category != "done" or item.resolved is None or item.resolved < cutoff:
            continue
        release = releases.get(item.release) if item.release is not None else None
        if release is not None and release.status == "cancelled":
            continue
        day = item.resolved.astimezone(zone).date()
        if day > today:
            continue
        team = _item_team(item, releases)
        if team is None:
            continue
        slot = counts.setdefault(team, [0] * weeks)
        slot[weeks - 1 - (today - day).days // 7] += 1
    return {team: tuple(c) for team, c in counts.items()}


def finish_days(
    throughput: Sequence[int],
    remaining: Sequence[int],
    *,
    runs: int = RUNS,
    rng: np.random.Generator,
    max_weeks: int = MAX_WEEKS,
) -> FloatArray:
    """Simulate when each of several amounts of remaining work is done.

    Every run draws weeks from ``throughput`` (with replacement) and adds them up; the amounts
    share the runs. A run finishes ``r`` items in week ``j`` (0-based) where its running total
    first reaches ``r``, on day ``7 j + ceil(7 (r - done before week j) / that week's count)``.

    Args:
        throughput: Done items per week to draw from (at least one week).
        remaining: Items left, one amount per release.
        runs: How many runs.
        rng: The random generator (its stream is consumed in blocks of 26 weeks).
        max_weeks: Runs not finished after this many weeks give ``inf``.

    Returns:
        A ``(len(remaining), runs)`` array of days after today (0 for nothing remaining,
        ``inf`` for never).

    Examples:
        >>> import numpy as np
        >>> days = finish_days([5], [0, 5, 7], runs=3, rng=np.random.default_rng(0))
        >>> days.tolist()
        [[0.0, 0.0, 0.0], [7.0, 7.0, 7.0], [10.0, 10.0, 10.0]]
    """
    weekly = np.asarray(throughput, dtype=np.int64)
    wanted = np.asarray(remaining, dtype=np.int64)
    out = np.zeros((wanted.size, runs), dtype=np.float64)
    todo = wanted > 0
    if not todo.any():
        return out
    if weekly.size == 0 or weekly.max() <= 0:
        out[todo] = np.inf
        return out
    goal = int(wanted.max())
    blocks: list[npt.NDArray[np.int64]] = []
    total = np.zeros(runs, dtype=np.int64)
    while sum(b.shape[1] for b in blocks) < max_weeks and total.min() < goal:
        block = weekly[rng.integers(0, weekly.size, size=(runs, _BLOCK_WEEKS))]
        blocks.append(block)
        total = total + block.sum(axis=1)
    drawn = np.concatenate(blocks, axis=1)[:, :max_weeks]
    cumulative = np.cumsum(drawn, axis=1)
    n_weeks = cumulative.shape[1]
    # One searchsorted for every (release, run): each run's row is lifted above the previous
    # one, so the flattened array stays sorted.
    lift = int(cumulative[:, -1].max()) + 1
    offsets = np.arange(runs, dtype=np.int64) * lift
    flat = (cumulative + offsets[:, None]).ravel()
    queries = wanted[todo][:, None] + offsets[None, :]
    week = np.searchsorted(flat, queries, side="left") - (np.arange(runs) * n_weeks)[None, :]
    never = week >= n_weeks
    week = np.minimum(week, n_weeks - 1)
    row = np.broadcast_to(np.arange(runs), week.shape)
    before = np.where(week > 0, cumulative[row, np.maximum(week - 1, 0)], 0)
    count = np.maximum(drawn[row, week], 1)
    left = wanted[todo][:, None] - before
    days = 7 * week + (7 * left + count - 1) // count  # ceil without floats
    out[todo] = np.where(never, np.inf, days.astype(np.float64))
    return out


def percentile_days(days: FloatArray, fractions: Sequence[float]) -> FloatArray:
    """Per row of ``days``, the smallest day by which each fraction of the runs has finished.

    Examples:
        >>> import numpy as np
        >>> percentile_days(np.array([[3.0, 1.0, 2.0, 4.0]]), (0.5, 0.85)).tolist()
        [[2.0, 4.0]]
    """
    ordered = np.sort(days, axis=-1)
    picks = [max(0, int(np.ceil(f * ordered.shape[-1] - 1e-9)) - 1) for f in fractions]
    return ordered[..., picks]


def _team_rng(seed: int, team: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(team.encode("utf-8"))])


@dataclass(slots=True)
class _Tally:
    items: int = 0
    done: int = 0
    in_progress: int = 0
    points_done: float = 0.0
    points_in_progress: float = 0.0
    points_total: float = 0.0
    all_pointed: bool = True


def _tallies(items: Iterable[WorkItem], keys: set[str]) -> dict[str, _Tally]:
    tallies = {key: _Tally() for key in keys}
    for item in items:
        tally = tallies.get(item.release) if item.release is not None else None
        if tally is None:
            continue
        tally.items += 1
        points = item.points
        if points is None:
            tally.all_pointed = False
            points = 0.0
        tally.points_total += points
        if item.category == "done":
            tally.done += 1
            tally.points_done += points
        elif item.category == "in_progress":
            tally.in_progress += 1
            tally.points_in_progress += points
    return tallies


def _open_blockers(plan: Plan, keys: set[str]) -> dict[str, Counter[str]]:
    """Per release key: the releases of its open prerequisite items, counted once per item."""
    item_release = {ITEM_PREFIX + i.key: i.release for i in plan.work_items}
    open_items = {ITEM_PREFIX + i.key for i in plan.work_items if i.category != "done"}
    seen: dict[str, set[str]] = defaultdict(set)
    for dep in plan.dependencies:
        if dep.from_ref not in open_items:
            continue
        if dep.to_ref.startswith(RELEASE_PREFIX):
            dependent: str | None = dep.to_ref[len(RELEASE_PREFIX) :]
        else:
            dependent = item_release.get(dep.to_ref)
        source = item_release.get(dep.from_ref)
        if dependent in keys and source is not None and source != dependent:
            seen[dependent].add(dep.from_ref)
    return {key: Counter(item_release[ref] or "" for ref in refs) for key, refs in seen.items()}


def readiness_of(
    plan: Plan,
    *,
    today: dt.date,
    team: str | None = None,
    train: str | None = None,
    runs: int = RUNS,
    seed: int = SEED,
) -> Readiness:
    """The readiness of every release (of one team or train), with forecasts and verdicts.

    Args:
        plan: The plan.
        today: The day forecasts start from and targets are judged against.
        team: Only this team's releases.
        train: Only this train's releases.
        runs: Monte Carlo runs per release.
        seed: The simulation's seed.

    Returns:
        The releases that take part (not cancelled), sorted by key.

    Raises:
        UnknownObjectError: ``team`` or ``train`` names nothing in the plan.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Gate, Plan, Release, WorkItem
        >>> plan = Plan(
        ...     releases=(Release("A", "A", "T", target=dt.date(2026, 12, 1),
        ...                       gates=(Gate("CAB", status="approved"),)),),
        ...     work_items=(WorkItem("A-1", "x", release="A", category="done", points=3),),
        ... )
        >>> [a] = readiness_of(plan, today=dt.date(2026, 11, 1)).releases
        >>> a.percent_done, a.verdict, a.reason
        (100.0, 'ready', 'all 1 item done and all 1 gate approved')
    """
    if team is not None and team not in {t.key for t in plan.teams}:
        raise UnknownObjectError("team", team)
    if train is not None and train not in {t.key for t in plan.trains}:
        raise UnknownObjectError("train", train)
    chosen = [
        r
        for r in plan.releases
        if r.status != "cancelled"
        and (team is None or r.team == team)
        and (train is None or r.train == train)
    ]
    keys = {r.key for r in chosen}
    tallies = _tallies(plan.work_items, keys)
    blockers = _open_blockers(plan, keys)
    throughput = weekly_throughput(plan, today=today)
    forecasts = _forecasts(chosen, tallies, throughput, runs=runs, seed=seed)
    releases = []
    for release in sorted(chosen, key=lambda r: r.key):
        tally = tallies[release.key]
        p50_days, p85_days = forecasts[release.key]
        p50 = None if p50_days is None else today + dt.timedelta(days=p50_days)
        p85 = None if p85_days is None else today + dt.timedelta(days=p85_days)
        by_release = tuple(
            sorted(blockers.get(release.key, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        )
        verdict, reason = _verdict(release, tally, p50, p85, by_release, today)
        uses_points = tally.items > 0 and tally.all_pointed and tally.points_total > 0
        if tally.items == 0:
            percent = 100.0
        elif uses_points:
            percent = 100.0 * tally.points_done / tally.points_total
        else:
            percent = 100.0 * tally.done / tally.items
        releases.append(
            ReleaseReadiness(
                key=release.key,
                team=release.team,
                train=release.train,
                status=release.status,
                target=release.target,
                items=tally.items,
                done=tally.done,
                in_progress=tally.in_progress,
                todo=tally.items - tally.done - tally.in_progress,
                points_done=tally.points_done,
                points_in_progress=tally.points_in_progress,
                points_total=tally.points_total,
                uses_points=uses_points,
                percent_done=percent,
                gates_approved=sum(g.status == "approved" for g in release.gates),
                gates_total=len(release.gates),
                open_blockers=sum(n for _, n in by_release),
                blockers_by_release=by_release,
                forecast_p50=p50,
                forecast_p85=p85,
                verdict=verdict,
                reason=reason,
            )
        )
    return Readiness(today, tuple(releases), throughput, runs)


def _forecasts(
    releases: Sequence[Release],
    tallies: Mapping[str, _Tally],
    throughput: Mapping[str, tuple[int, ...]],
    *,
    runs: int,
    seed: int,
) -> dict[str, tuple[int | None, int | None]]:
    """P50 and P85 days after today per release key (None: never)."""
    by_team: dict[str, list[Release]] = defaultdict(list)
    for release in releases:
        by_team[release.team].append(release)
    out: dict[str, tuple[int | None, int | None]] = {}
    for team, members in sorted(by_team.items()):
        remaining = [tallies[r.key].items - tallies[r.key].done for r in members]
        weekly = throughput.get(team, ())
        days = finish_days(weekly, remaining, runs=runs, rng=_team_rng(seed, team))
        for release, (p50, p85) in zip(members, percentile_days(days, (0.5, 0.85)), strict=True):
            out[release.key] = (
                None if np.isinf(p50) else int(p50),
                None if np.isinf(p85) else int(p85),
            )
    return out


def _verdict(
    release: Release,
    tally: _Tally,
    p50: dt.date | None,
    p85: dt.date | None,
    blockers: Sequence[tuple[str, int]],
    today: dt.date,
) -> tuple[str, str]:
    """The verdict and its reason."""
    remaining = tally.items - tally.done
    approved = sum(g.status == "approved" for g in release.gates)
    gates_total = len(release.gates)
    target = release.target
    if remaining == 0 and approved == gates_total:
        done = f"all {_count(tally.items, 'item')} done" if tally.items else "no work items"
        gates = f"all {_count(gates_total, 'gate')} approved" if gates_total else "no gates"
        return "ready", f"{done} and {gates}"
    if target is not None and target < today:
        verdict = "late"
        main = f"target {target} passed {_count((today - target).days, 'day')} ago"
        if remaining:
            main += f" with {_count(remaining, 'item')} not done"
    elif p50 is None or p85 is None:
        weeks = THROUGHPUT_WEEKS
        no_work = f"no work done by {release.team} in the last {weeks} weeks"
        if target is None:
            verdict, main = "on_track", f"no target date; {no_work}"
        else:
            verdict = "late"
            main = f"{no_work}, so {_count(remaining, 'open item')} cannot finish by target"
    elif target is None:
        verdict, main = "on_track", f"no target date; P85 finish {p85}"
    elif p50 > target:
        verdict = "late"
        main = f"P50 finish {p50} is {_count((p50 - target).days, 'day')} after target"
    elif p85 > target:
        verdict = "at_risk"
        main = f"P85 finish {p85} is {_count((p85 - target).days, 'day')} after target"
    else:
        verdict = "on_track"
        ahead = (target - p85).days
        when = "on the target day" if ahead == 0 else f"{_count(ahead, 'day')} before target"
        main = f"P85 finish {p85} is {when}"
    parts = [main]
    if blockers:
        parts.append(_blocker_text(blockers))
    rejected = sum(g.status == "rejected" for g in release.gates)
    if remaining == 0:
        # The work is done: the gates are what the release still waits for.
        if tally.items:
            parts.append(f"all {_count(tally.items, 'item')} done")
        parts.append(f"{approved} of {_count(gates_total, 'gate')} approved")
    elif rejected:
        parts.append(f"{_count(rejected, 'gate')} rejected")
    return verdict, "; ".join(parts)


def _blocker_text(blockers: Sequence[tuple[str, int]]) -> str:
    total = sum(n for _, n in blockers)
    if len(blockers) == 1:
        return f"{_count(total, 'open blocker')} in {blockers[0][0]}"
    shown = [f"{n} in {key}" for key, n in blockers[:_BLOCKER_RELEASES_SHOWN]]
    text = f"{_count(total, 'open blocker')}: " + ", ".join(shown)
    if len(blockers) > _BLOCKER_RELEASES_SHOWN:
        text += f" and {len(blockers) - _BLOCKER_RELEASES_SHOWN} more releases"
    return text


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
