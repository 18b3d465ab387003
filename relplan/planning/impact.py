"""``relplan impact``: what a release's slip does to the schedule and to the plan's problems.

How it stays fast on a large plan (2,000 releases, 150,000 dependencies): the plan is indexed
once; the forward pass runs over the release graph, and the second pass (with the slip) only over
the slipped release's descendants, since nothing else can move. ``new_problems`` does not re-run
``check``: cycles do not depend on dates, and every date check of a release that neither moves
nor slips gives the same problems before and after. So the date checks run twice, before and
after, restricted to the changed releases: the release edges that touch them (after the slip,
less those between two moved releases, which hold at early dates), their freezes and gates, and
the environments they have stage windows in (recomputed whole, because an environment's runs mix
releases). Every problem of a full check whose identity can differ between the two plans names a
changed release (or one of those environments), so the difference of the two restricted sets by
identity equals the difference of two full checks (a property test compares them on random
plans).

A problem's identity is its ``(kind, subjects)`` (spec, amended 2026-12-04): a freeze conflict
whose overlap grows is the same problem with new figures, neither new nor resolved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Set
from dataclasses import dataclass
from typing import TypedDict

from relplan.domain.model import Plan, Release
from relplan.edits.shift import shift_release
from relplan.errors import UnknownObjectError
from relplan.planning.check import (
    Problem,
    ProblemJSON,
    active_releases,
    broken_edges,
    capacities,
    day_ordinals,
    environment_conflicts,
    freeze_conflicts,
    pending_gates,
    sort_problems,
    violation_problems,
)
from relplan.planning.graph import PlanIndex, index_plan
from relplan.planning.schedule import ReleaseNetwork

__all__ = [
    "Impact",
    "ImpactJSON",
    "MovedRelease",
    "MovedReleaseJSON",
    "apply_impact",
    "impact_of_slip",
    "problem_identity",
]

#: What makes two problems the same problem, whatever their messages say.
ProblemIdentity = tuple[str, tuple[str, ...]]


class MovedReleaseJSON(TypedDict):
    """One entry of ``moved`` in ``impact --json``."""

    key: str
    start: str
    target: str
    new_start: str
    new_target: str
    days: int


class ImpactJSON(TypedDict):
    """The object ``impact --json`` prints."""

    release: str
    slip: int
    moved: list[MovedReleaseJSON]
    end_before: str | None
    end_after: str | None
    new_problems: list[ProblemJSON]
    resolved_problems: list[ProblemJSON]


def problem_identity(problem: Problem) -> ProblemIdentity:
    """A problem's identity, ``(kind, subjects)``: what stays when only its figures change.

    Examples:
        >>> a = Problem("freeze_conflict", "error", ("freeze:F", "release:A"), "overlaps 1 day")
        >>> b = Problem("freeze_conflict", "error", ("freeze:F", "release:A"), "overlaps 3 days")
        >>> problem_identity(a) == problem_identity(b)
        True
    """
    return (problem.kind, problem.subjects)


@dataclass(frozen=True, slots=True)
class MovedRelease:
    """A release whose early dates change with the slip.

    Attributes:
        key: The release key.
        start: Its early start before the slip.
        target: Its early finish before the slip.
        new_start: Its early start with the slip.
        new_target: Its early finish with the slip.
        days: How far its early finish moves (negative: earlier).
    """

    key: str
    start: dt.date
    target: dt.date
    new_start: dt.date
    new_target: dt.date
    days: int

    def to_json(self) -> MovedReleaseJSON:
        """The entry as ``impact --json`` prints it."""
        return {
            "key": self.key,
            "start": self.start.isoformat(),
            "target": self.target.isoformat(),
            "new_start": self.new_start.isoformat(),
            "new_target": self.new_target.isoformat(),
            "days": self.days,
        }


@dataclass(frozen=True, slots=True)
class Impact:
    """The result of :func:`impact_of_slip`.

    Attributes:
        release: The slipped release's key.
        slip_days: How far its planned start and target move (negative: earlier).
        moved: Releases whose early dates change, sorted by key.
        end_before: The schedule's ``end`` as the plan is (None without dated releases).
        end_after: The schedule's ``end`` with the slip.
        new_problems: ``check`` problems of the plan with the slip whose identity
            (:func:`problem_identity`) the plan as it is has not, sorted as ``check`` sorts them.
        resolved_problems: ``check`` problems of the plan as it is whose identity the plan with
            the slip has not (with their messages from before), sorted as ``check`` sorts them.
    """

    release: str
    slip_days: int
    moved: tuple[MovedRelease, ...]
    end_before: dt.date | None
    end_after: dt.date | None
    new_problems: tuple[Problem, ...]
    resolved_problems: tuple[Problem, ...] = ()

    def moved_releases(self) -> list[tuple[str, dt.date, dt.date]]:
        """``(key, new_start, new_target)`` of every moved release, to apply the slip."""
        return [(m.key, m.new_start, m.new_target) for m in self.moved]

    def to_json(self) -> ImpactJSON:
        """The impact as ``impact --json`` prints it."""
        return {
            "release": self.release,
            "slip": self.slip_days,
            "moved": [m.to_json() for m in self.moved],
            "end_before": _iso(self.end_before),
            "end_after": _iso(self.end_after),
            "new_problems": [p.to_json() for p in self.new_problems],
            "resolved_problems": [p.to_json() for p in self.resolved_problems],
        }


def impact_of_slip(
    plan: Plan,
    release_key: str,
    slip_days: int,
    *,
    today: dt.date,
    index: PlanIndex | None = None,
) -> Impact:
    """What moves, and which problems appear or go away, when a release's dates slip.

    The plan with the slip has the slipped release's planned start and target moved by
    ``slip_days`` and every moved release at its new early dates (see :func:`apply_impact`).

    Args:
        plan: The plan as it is.
        release_key: The release that slips.
        slip_days: Days its planned start and target move (negative: earlier).
        today: The day gates are judged against (for the problems).
        index: The plan's index, when the caller has it (see :meth:`PlanIndex.from_columns`).

    Returns:
        The impact.

    Raises:
        UnknownObjectError: No release has this key (kind ``"release"``).
        DependencyCycleError: The release graph has a cycle.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> day = dt.date
        >>> plan = Plan(
        ...     releases=(
        ...         Release("A", "A", "T", start=day(2026, 11, 2), target=day(2026, 11, 6)),
        ...         Release("B", "B", "T", start=day(2026, 11, 9), target=day(2026, 11, 13)),
        ...     ),
        ...     dependencies=(Dependency("release:A", "release:B"),),
        ... )
        >>> impact = impact_of_slip(plan, "A", 4, today=dt.date(2026, 10, 1))
        >>> [(m.key, m.days) for m in impact.moved], str(impact.end_after)
        ([('A', 4), ('B', 2)], '2026-11-15')
    """
    original = plan.release(release_key)
    if original is None:
        raise UnknownObjectError("release", release_key)
    if index is None:
        index = index_plan(plan)
    network = ReleaseNetwork.build(index)
    es, ef = network.forward()
    end_before = network.end_of(ef)  # as ``schedule`` defines it: released ones take no part
    if release_key in network.start and slip_days:
        starts = dict(network.start)
        starts[release_key] += slip_days
        affected = network.descendants(release_key)
        nodes = [key for key in network.order if key in affected]
        es_after, ef_after = network.forward(start=starts, nodes=nodes, early=(es, ef))
    else:
        nodes = []
        es_after, ef_after = es, ef
    end_after = network.end_of(ef_after)

    day = dt.date.fromordinal
    moved = tuple(
        MovedRelease(
            key,
            day(es[key]),
            day(ef[key]),
            day(es_after[key]),
            day(ef_after[key]),
            ef_after[key] - ef[key],
        )
        for key in sorted(nodes)
        if es_after[key] != es[key] or ef_after[key] != ef[key]
    )
    impact = Impact(
        release_key,
        slip_days,
        moved,
        None if end_before is None else day(end_before),
        None if end_after is None else day(end_after),
        (),
    )
    before = index.releases
    changed = _changed_releases(before, impact)
    if not changed:
        return impact
    after = {**before, **changed}
    new, resolved = _date_problem_changes(index, before, after, {m.key for m in moved}, today=today)
    return dataclasses.replace(
        impact,
        new_problems=tuple(sort_problems(new)),
        resolved_problems=tuple(sort_problems(resolved)),
    )


def apply_impact(plan: Plan, impact: Impact) -> Plan:
    """The plan with the slip: what ``impact`` compared against the plan as it is.

    The slipped release's dates move by ``impact.slip_days``; every moved release takes its new
    early dates. A release's stage windows and milestones move with it by the same days, since
    they are planned relative to the release: each moves through
    :func:`relplan.edits.shift.shift_release`, as every whole-release move does.

    Args:
        plan: The plan the impact was computed on.
        impact: The impact.

    Returns:
        A new plan.
    """
    changed = _changed_releases({r.key: r for r in plan.releases}, impact)
    releases = tuple(changed.get(r.key, r) for r in plan.releases)
    return dataclasses.replace(plan, releases=releases)


def _changed_releases(releases: dict[str, Release], impact: Impact) -> dict[str, Release]:
    """The releases whose dates differ in the plan with the slip, as they are there."""
    changed: dict[str, Release] = {}
    slipped = releases.get(impact.release)
    if slipped is not None and slipped.start is not None and impact.slip_days:
        changed[slipped.key] = shift_release(slipped, impact.slip_days)
    for m in impact.moved:
        release = releases[m.key]
        if release.start is not None:
            changed[m.key] = shift_release(release, (m.new_start - release.start).days)
    return changed


def _date_problem_changes(
    index: PlanIndex,
    before: dict[str, Release],
    after: dict[str, Release],
    moved: Set[str],
    *,
    today: dt.date,
) -> tuple[list[Problem], list[Problem]]:
    """The date-check problems that appear and that go away with the slip, by identity.

    Only what touches a changed release is checked (see the module docstring). A problem is
    new when no problem of the plan as it is has its identity (:func:`problem_identity`), and
    resolved when no problem of the plan with the slip has it: a violation that grows from 2 to
    5 days short is neither (the panel keeps showing it, with its new figures).

    Args:
        index: The index of the plan as it is.
        before: Every release by key, as in the plan as it is.
        after: Every release by key, as in the plan with the slip.
        moved: Keys of the releases whose early dates change (each at its new early dates in
            ``after``).
        today: The day gates are judged against.

    Returns:
        ``(new, resolved)``, unsorted; new ones with their figures after the slip, resolved
        ones with their figures before.
    """
    changed = {key for key, release in after.items() if release is not before[key]}
    active_before = active_releases(before.values())
    active_after = active_releases(after.values())
    days_before = day_ordinals(active_before.values())
    days_after = day_ordinals(active_after.values())
    touching = [e for e in index.edge_tuples() if e[0] in changed or e[1] in changed]
    # An edge between two moved releases holds with the slip: both sit at early dates, which
    # the forward pass made meet every edge. Before the slip it may be broken (and resolved).
    kept = [e for e in touching if not (e[0] in moved and e[1] in moved)]
    problems_before = violation_problems(index, broken_edges(touching, days_before), days_before)
    problems_after = violation_problems(index, broken_edges(kept, days_after), days_after)
    problems_before += _release_problems(index, active_before, changed, today=today)
    problems_after += _release_problems(index, active_after, changed, today=today)
    ids_before = {problem_identity(p) for p in problems_before}
    ids_after = {problem_identity(p) for p in problems_after}
    new = [p for p in problems_after if problem_identity(p) not in ids_before]
    resolved = [p for p in problems_before if problem_identity(p) not in ids_after]
    return new, resolved


def _release_problems(
    index: PlanIndex, active: dict[str, Release], changed: Set[str], *, today: dt.date
) -> list[Problem]:
    """Freeze, environment and gate problems that can involve the ``changed`` releases."""
    plan = index.plan
    mine = [active[key] for key in sorted(changed) if key in active]
    problems = freeze_conflicts(mine, plan.freezes, zone=plan.timezone)
    environments = {stage.environment for r in mine for stage in r.stages}
    if environments:
        problems += environment_conflicts(
            active.values(), capacities(plan), environments=environments
        )
    problems += pending_gates(mine, today=today)
    return problems


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
