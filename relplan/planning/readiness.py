"""``relplan readiness``: per release, how much is done, what blocks it and when it will finish.

Definitions are those of shared/spec/analysis.md (``readiness``, amended 2026-12-04).

- ``percent_done`` counts points when every item of the release has points (adding up to more
  than zero), else items; a release without items is 100 % done (nothing remains).
- ``open_blockers``: the distinct not-done items of *other* releases at the prerequisite end of a
  dependency whose dependent end is the release or one of its items.
- The forecast (:mod:`relplan.planning.forecast`): a team's open releases share its throughput
  as a queue by target, simulated week by week; released and cancelled releases have none.
- ``verdict``: ``released``/``cancelled`` for such releases; else ``ready`` when every item is
  done and every gate approved; else ``late`` when the target has passed or the P50 finish is
  after it or missing; else ``at_risk`` when the P85 finish is after it, or an open blocker
  belongs to a release whose P85 finish is after this release's target or missing; else
  ``on_track``. Each comes with a ``reason`` for people that names the dates and the blocking
  release.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Dependency, Plan, Release, WorkItem
from relplan.errors import UnknownObjectError
from relplan.planning.forecast import (
    MAX_WEEKS,
    OPEN_STATUSES,
    RUNS,
    SEED,
    THROUGHPUT_WEEKS,
    DoneItem,
    Forecast,
    done_items,
    finish_days,
    percentile_days,
    plan_zone,
    queue_order,
    team_forecasts,
    weekly_throughput,
)
from relplan.planning.tally import Tally, tallies_of_rows

__all__ = [
    "JSON_KEYS",
    "MAX_WEEKS",
    "RUNS",
    "SEED",
    "THROUGHPUT_WEEKS",
    "VERDICTS",
    "Blocker",
    "ItemFacts",
    "Readiness",
    "ReleaseReadiness",
    "Tally",
    "finish_days",
    "percentile_days",
    "plan_zone",
    "readiness_of",
    "risk_order",
    "tallies_of_rows",
    "weekly_throughput",
]

#: Every verdict, most urgent first (the JSON codes).
VERDICTS: Final = ("late", "at_risk", "on_track", "ready", "released", "cancelled")
_RISK_RANK: Final = {verdict: rank for rank, verdict in enumerate(VERDICTS)}
_BLOCKER_RELEASES_SHOWN: Final = 3


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
        status: Its status.
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
            forecast (released, cancelled, no throughput, or too many runs never finish).
        forecast_p85: The day by which 85 % of the runs finish; None without a forecast.
        verdict: ``released``, ``cancelled``, ``ready``, ``late``, ``at_risk`` or ``on_track``.
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
        runs: Monte Carlo runs per team.
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


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


#: An open blocker: ``(dependent release, prerequisite item ref, that item's release)``.
Blocker = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What readiness reads of the work items and the dependencies, gathered in one pass.

    From a plan's objects (:meth:`of_plan`) or from a workspace's grouped queries
    (:meth:`of_rows` of :meth:`relplan.store.workspace.Workspace.readiness_rows`, which does
    not build 100,000 item objects); :func:`readiness_of` judges both alike.

    Attributes:
        tallies: By release key, its items counted (releases without items: absent).
        done: The done items with a resolve time (:data:`~relplan.planning.forecast.DoneItem`);
            those resolved before the throughput window may be left out.
        blockers: Every dependency whose prerequisite is an open item of a release and whose
            dependent is another release or an item of another release.
    """

    tallies: Mapping[str, Tally]
    done: Sequence[DoneItem]
    blockers: Sequence[Blocker]

    @classmethod
    def of_plan(cls, plan: Plan) -> ItemFacts:
        """The facts of a plan's work items and dependencies.

        The facts of the last plan asked about are kept, by the identity of its (immutable)
        work item and dependency tuples: the Dashboard asks again for every filter, and an
        edit of a release keeps both tuples, so the 100,000 items are not read again.
        """
        last = _LAST_FACTS[0]
        if last is not None and last[0] is plan.work_items and last[1] is plan.dependencies:
            return last[2]
        facts = cls._gather(plan)
        _LAST_FACTS[0] = (plan.work_items, plan.dependencies, facts)
        return facts

    @classmethod
    def _gather(cls, plan: Plan) -> ItemFacts:
        tallies: dict[str, Tally] = {}
        for item in plan.work_items:
            if item.release is None:
                continue
            tally = tallies.get(item.release)
            if tally is None:
                tally = tallies[item.release] = Tally()
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
        item_release = {ITEM_PREFIX + i.key: i.release for i in plan.work_items}
        open_items = {ITEM_PREFIX + i.key for i in plan.work_items if i.category != "done"}
        blockers = []
        for dep in plan.dependencies:
            if dep.from_ref not in open_items:
                continue
            if dep.to_ref.startswith(RELEASE_PREFIX):
                dependent: str | None = dep.to_ref[len(RELEASE_PREFIX) :]
            else:
                dependent = item_release.get(dep.to_ref)
            source = item_release.get(dep.from_ref)
            if dependent is not None and source is not None and source != dependent:
                blockers.append((dependent, dep.from_ref, source))
        return cls(tallies, done_items(plan.work_items), blockers)

    @classmethod
    def of_rows(
        cls,
        tallies: Iterable[tuple[str, int, int, int, float, float, float, int]],
        done: Iterable[tuple[str | None, str | None, str]],
        blockers: Iterable[Blocker],
    ) -> ItemFacts:
        """The facts from a workspace's rows (see ``Workspace.readiness_rows``).

        Args:
            tallies: ``(release, items, done, in_progress, points_done, points_in_progress,
                points_total, all_pointed)`` per release with items.
            done: ``(team, release, resolved ISO time)`` of done items.
            blockers: As :attr:`blockers`.
        """
        parse = dt.datetime.fromisoformat
        return cls(
            tallies_of_rows(tallies),
            [(team, release, parse(at)) for team, release, at in done],
            list(blockers),
        )


#: The last plan's facts (see :meth:`ItemFacts.of_plan`): its items, dependencies and facts.
_LAST_FACTS: list[tuple[tuple[WorkItem, ...], tuple[Dependency, ...], ItemFacts] | None] = [None]


def _open_blockers(facts: ItemFacts, keys: set[str]) -> dict[str, Counter[str]]:
    """Per release key: the releases of its open prerequisite items, counted once per item."""
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for dependent, ref, source in facts.blockers:
        if dependent in keys:
            seen[dependent][ref] = source
    return {key: Counter(refs.values()) for key, refs in seen.items()}


def readiness_of(
    plan: Plan,
    *,
    today: dt.date,
    team: str | None = None,
    train: str | None = None,
    runs: int = RUNS,
    seed: int = SEED,
    facts: ItemFacts | None = None,
) -> Readiness:
    """The readiness of every release (of one team or train), with forecasts and verdicts.

    A team's queue holds all its open releases whatever the filter, so a release's forecast
    does not depend on what else was asked for.

    Args:
        plan: The plan.
        today: The day forecasts start from and targets are judged against.
        team: Only this team's releases.
        train: Only this train's releases.
        runs: Monte Carlo runs per team.
        seed: The simulation's seed.
        facts: What the work items and dependencies say (default: :meth:`ItemFacts.of_plan`);
            with them, ``plan`` needs its releases, teams and trains only.

    Returns:
        The releases (cancelled and released ones included), sorted by key.

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
        if (team is None or r.team == team) and (train is None or r.train == train)
    ]
    keys = {r.key for r in chosen}
    facts = ItemFacts.of_plan(plan) if facts is None else facts
    blockers = _open_blockers(facts, keys)
    # Forecasts are needed for the chosen releases and for the releases that hold their open
    # blockers; each needs its team's whole queue.
    by_key = {r.key: r for r in plan.releases}
    needed = {r.team for r in chosen} | {
        by_key[b].team for counts in blockers.values() for b in counts if b in by_key
    }
    queues: dict[str, list[Release]] = defaultdict(list)
    for release in plan.releases:
        if release.team in needed and release.status in OPEN_STATUSES:
            queues[release.team].append(release)
    tallies = defaultdict(Tally, facts.tallies)
    throughput = weekly_throughput(plan, today=today, done=facts.done)
    forecasts: dict[str, Forecast] = {}
    for name, queue in sorted(queues.items()):
        queue.sort(key=queue_order)
        remaining = {r.key: tallies[r.key].items - tallies[r.key].done for r in queue}
        forecasts.update(
            team_forecasts(name, queue, remaining, throughput.get(name, ()), runs=runs, seed=seed)
        )
    p85_of = {key: _day_after(today, f.p85) for key, f in forecasts.items()}
    releases = []
    for release in sorted(chosen, key=lambda r: r.key):
        tally = tallies[release.key]
        forecast = forecasts.get(release.key)
        p50 = None if forecast is None else _day_after(today, forecast.p50)
        p85 = None if forecast is None else _day_after(today, forecast.p85)
        by_release = tuple(
            sorted(blockers.get(release.key, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        )
        verdict, reason = _verdict(release, tally, forecast, p50, p85, by_release, p85_of, today)
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


def _day_after(today: dt.date, days: int | None) -> dt.date | None:
    return None if days is None else today + dt.timedelta(days=days)


def _verdict(
    release: Release,
    tally: Tally,
    forecast: Forecast | None,
    p50: dt.date | None,
    p85: dt.date | None,
    blockers: Sequence[tuple[str, int]],
    p85_of: Mapping[str, dt.date | None],
    today: dt.date,
) -> tuple[str, str]:
    """The verdict and its reason."""
    remaining = tally.items - tally.done
    approved = sum(g.status == "approved" for g in release.gates)
    gates_total = len(release.gates)
    target = release.target
    if release.status in ("released", "cancelled"):
        text = release.status if target is None else f"{release.status}; target was {target}"
        if remaining:
            text += f", {_count(remaining, 'item')} not done"
        return release.status, f"{text}; no forecast"
    if remaining == 0 and approved == gates_total:
        done = f"all {_count(tally.items, 'item')} done" if tally.items else "no work items"
        gates = f"all {_count(gates_total, 'gate')} approved" if gates_total else "no gates"
        return "ready", f"{done} and {gates}"
    # The blocking releases that count: their P85 finish is after this target, or missing.
    late_blockers = [
        (key, n)
        for key, n in blockers
        if (found := p85_of.get(key)) is None or (target is not None and found > target)
    ]
    if target is not None and target < today:
        verdict = "late"
        main = f"target {target} passed {_count((today - target).days, 'day')} ago"
        if remaining:
            main += f" with {_count(remaining, 'item')} not done"
    elif p50 is None or p85 is None:
        verdict = "late"
        why = forecast.missing if forecast is not None else "no forecast"
        main = f"no forecast: {why}"
        if remaining:
            main += f" ({_count(remaining, 'open item')} left)"
    elif target is not None and p50 > target:
        verdict = "late"
        main = f"P50 finish {p50} is {_count((p50 - target).days, 'day')} after target {target}"
    elif target is not None and p85 > target:
        verdict = "at_risk"
        main = f"P85 finish {p85} is {_count((p85 - target).days, 'day')} after target {target}"
    else:
        if target is None:
            main = f"no target date; P85 finish {p85}"
        else:
            ahead = (target - p85).days
            when = "on the target day" if ahead == 0 else f"{_count(ahead, 'day')} before target"
            main = f"P85 finish {p85} is {when} {target}"
        verdict = "at_risk" if late_blockers else "on_track"
    if forecast is not None and forecast.ahead and p85 is not None:
        main += f" ({_count(forecast.ahead, 'item')} ahead in {release.team}'s queue)"
    parts = [main]
    if verdict == "at_risk" and late_blockers and not (target is not None and p85 and p85 > target):
        parts.append(_late_blocker_text(late_blockers, p85_of, target))
    elif blockers:
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


def _late_blocker_text(
    late: Sequence[tuple[str, int]], p85_of: Mapping[str, dt.date | None], target: dt.date | None
) -> str:
    """Why open blockers put a release at risk: the first blocking release, with its date."""
    key, n = late[0]
    found = p85_of.get(key)
    if found is None:
        when = f"{key} has no forecast"
    else:
        when = f"{key}'s P85 finish {found} is after target {target}"
    text = f"but {_count(n, 'open blocker')} in {key}: {when}"
    if len(late) > 1:
        more = sum(m for _, m in late[1:])
        text += f" (and {_count(more, 'more blocker')} in {_count(len(late) - 1, 'release')})"
    return text


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
