"""``relplan check``: every problem in a plan.

Kinds (shared/spec/analysis.md): ``cycle``, ``dependency_violation``, ``freeze_conflict``,
``environment_conflict`` (errors), ``gate_pending``, ``stage_outside_release`` and
``released_with_open_gates`` (warnings), and the release lifecycle's ``gate_missing``,
``gate_late``, ``rollout_invalid``, ``flag_before_release`` and ``flag_stale``
(:mod:`relplan.planning.lifecycle`). Cancelled releases take part in
cycle detection only; a release without dates takes no part in the date checks
(workspace-format.md, "Dependencies").

The four date checks are separate functions over a release mapping so that ``impact`` can re-run
them for the releases a slip moves, without the cycle pass over the whole graph.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from relplan.domain.model import RELEASE_PREFIX, Freeze, Plan, Release
from relplan.domain.rules import open_gates, outside_release
from relplan.planning.cycles import find_cycle_problems
from relplan.planning.freezes import FreezeDays
from relplan.planning.graph import PlanIndex, ReleaseEdge, index_plan
from relplan.planning.lifecycle import lifecycle_problems
from relplan.planning.links import LinkIndex
from relplan.planning.problems import (
    ENVIRONMENT_PREFIX,
    ERROR,
    FREEZE_PREFIX,
    WARNING,
    Problem,
    ProblemJSON,
    sort_problems,
)

# networkx takes ~0.15 s to import: only the functions that build a graph load it.
if TYPE_CHECKING:
    pass

__all__ = [
    "ENVIRONMENT_PREFIX",
    "ERROR",
    "FREEZE_PREFIX",
    "WARNING",
    "Problem",
    "ProblemJSON",
    "check_plan",
    "sort_problems",
]

_GATE_HORIZON_DAYS: Final = 7


def check_plan(plan: Plan, *, today: dt.date, index: PlanIndex | None = None) -> list[Problem]:
    """Every problem of a plan, sorted as ``relplan check`` prints them.

    Args:
        plan: The plan.
        today: The day gates are judged against.
        index: The plan's index, when the caller has it (e.g. built from a workspace's compact
            columns by :meth:`PlanIndex.from_columns`, so ``plan`` need not hold its items).

    Returns:
        The problems, errors first, then by kind and subjects.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> plan = Plan(
        ...     releases=(
        ...         Release("PAY", "P", "T", start=dt.date(2026, 11, 2), target=dt.date(2026, 11, 30)),
        ...         Release("WEB", "W", "T", start=dt.date(2026, 11, 28), target=dt.date(2026, 12, 9)),
        ...     ),
        ...     dependencies=(Dependency("release:PAY", "release:WEB", "FS", 1),),
        ... )
        >>> [p] = check_plan(plan, today=dt.date(2026, 10, 1))
        >>> p.kind, p.subjects
        ('dependency_violation', ('release:PAY', 'release:WEB'))
        >>> print(p.message)
        WEB starts 2026-11-28 but must start on or after 2026-12-02 (FS +1 day after PAY ends 2026-11-30): 4 days short
    """  # noqa: E501 (a doctest output line cannot wrap)
    if index is None:
        index = index_plan(plan)
    problems = cycle_problems(index)
    active = active_releases(index.releases.values())
    problems += dependency_violations(index, day_ordinals(active.values()))
    problems += freeze_conflicts(active.values(), plan.freezes, zone=plan.timezone)
    problems += environment_conflicts(active.values(), capacities(plan))
    problems += pending_gates(active.values(), today=today)
    problems += stages_outside(active.values())
    problems += released_with_open_gates(index.releases.values())
    problems += lifecycle_problems(plan, today=today)
    return sort_problems(problems)


def active_releases(releases: Iterable[Release]) -> dict[str, Release]:
    """The releases that take part in date checks: dated and not cancelled, by key."""
    return {
        r.key: r
        for r in releases
        if r.start is not None and r.target is not None and r.status != "cancelled"
    }


def day_ordinals(releases: Iterable[Release]) -> dict[str, tuple[int, int]]:
    """``(start, target)`` day ordinals of dated releases, by key."""
    return {
        r.key: (r.start.toordinal(), r.target.toordinal())
        for r in releases
        if r.start is not None and r.target is not None
    }


def capacities(plan: Plan) -> dict[str, int]:
    """Each environment's capacity by name."""
    return {env.name: env.capacity for env in plan.environments}


# --- cycle --------------------------------------------------------------------------------------


def cycle_problems(index: PlanIndex) -> list[Problem]:
    """One ``cycle`` problem per strongly connected component of more than one node or with a
    self-loop (:func:`~relplan.planning.cycles.find_cycle_problems`); a :class:`LinkIndex` has
    them already, found when its links were and kept with them.

    Args:
        index: The plan's index.

    Returns:
        The problems, unsorted.
    """
    if isinstance(index, LinkIndex):
        return [Problem(*row) for row in index.cycles]
    return find_cycle_problems(index)


# --- dependency_violation ----------------------------------------------------------------------


def dependency_violations(index: PlanIndex, days: Mapping[str, tuple[int, int]]) -> list[Problem]:
    """A ``dependency_violation`` per release edge whose constraint the planned dates break.

    Args:
        index: The plan's index (its explicit and implied release edges).
        days: ``(start, target)`` ordinals of the releases that take part; an edge with an end
            missing here is not checked.

    Returns:
        The problems, unsorted.
    """
    return violation_problems(index, broken_edges(index.edge_tuples(), days), days)


BrokenEdge = tuple[str, str, str, int, int]
"""``(predecessor, successor, type, lag_days, days_short)`` of a broken release edge."""


def broken_edges(
    edges: Iterable[tuple[str, str, str, int]], days: Mapping[str, tuple[int, int]]
) -> list[BrokenEdge]:
    """The edges whose constraint the dates break, with the days by which they are broken.

    Args:
        edges: ``(predecessor, successor, type, lag_days)`` release edges.
        days: ``(start, target)`` ordinals of the releases that take part; an edge with an end
            missing here is not checked. Self-loops are left to the cycle check.

    Returns:
        The broken edges.
    """
    broken: list[BrokenEdge] = []
    get = days.get
    for p, s, type_, lag in edges:
        p_days = get(p)
        s_days = get(s)
        if p_days is None or s_days is None or p == s:
            continue
        # How many days the successor is too early; inline, as a large plan has ~100,000 edges.
        if type_ == "FF":  # s.target >= p.target + lag
            short = p_days[1] + lag - s_days[1]
        elif type_ == "SS":  # s.start >= p.start + lag
            short = p_days[0] + lag - s_days[0]
        elif type_ == "SF":  # s.target + 1 >= p.start + lag
            short = p_days[0] + lag - 1 - s_days[1]
        else:  # FS: s.start >= p.target + 1 + lag
            short = p_days[1] + 1 + lag - s_days[0]
        if short > 0:
            broken.append((p, s, type_, lag, short))
    return broken


def violation_problems(
    index: PlanIndex, broken: Sequence[BrokenEdge], days: Mapping[str, tuple[int, int]]
) -> list[Problem]:
    """The ``dependency_violation`` problems of broken edges (see :func:`broken_edges`).

    Args:
        index: The plan's index, to name the items behind implied edges.
        broken: The broken edges.
        days: The ``(start, target)`` ordinals they were found with.

    Returns:
        One problem per broken edge.
    """
    origins = index.implied_by([(p, s) for p, s, *_ in broken if (p, s) in index.implied])
    return [
        _violation(ReleaseEdge(p, s, type_, lag, origins.get((p, s), ())), days[p], days[s], short)
        for p, s, type_, lag, short in broken
    ]


def _violation(edge: ReleaseEdge, p: tuple[int, int], s: tuple[int, int], short: int) -> Problem:
    day = dt.date.fromordinal
    type_ = edge.type if edge.type in ("SS", "FF", "SF") else "FS"
    s_verb, s_day = ("start", s[0]) if type_ in ("FS", "SS") else ("end", s[1])
    p_verb, p_day = ("starts", p[0]) if type_ in ("SS", "SF") else ("ends", p[1])
    bound = s_day + short
    origin = edge.describe_origin()
    message = (
        f"{edge.successor} {s_verb}s {day(s_day)} but must {s_verb} on or after {day(bound)} "
        f"({edge.type} {_lag(edge.lag_days)} after {edge.predecessor} {p_verb} {day(p_day)}"
        f"{', ' + origin if origin else ''}): {_days(short)} short"
    )
    subjects = tuple(sorted((RELEASE_PREFIX + edge.predecessor, RELEASE_PREFIX + edge.successor)))
    return Problem("dependency_violation", ERROR, subjects, message)


# --- freeze_conflict ---------------------------------------------------------------------------


def freeze_conflicts(
    releases: Iterable[Release], freezes: Sequence[Freeze], *, zone: str = "UTC"
) -> list[Problem]:
    """A ``freeze_conflict`` per release and freeze that conflict.

    A stage window conflicts when the freeze covers its environment and the release's team and
    they share a day; a release with no stages conflicts when its ``target`` lies in a freeze
    that covers its team (whichever environments the freeze names). Every occurrence of a
    recurring freeze is a freeze, and a window with times of day covers each day it touches
    (:mod:`relplan.planning.freezes`); several occurrences still make one problem.

    Args:
        releases: Releases that take part in date checks.
        freezes: The plan's freezes.
        zone: The planning zone (to read a rule's ``UNTIL`` given in UTC).

    Returns:
        The problems, unsorted.
    """
    if not freezes:
        return []
    spans = [(r, span) for r in releases if r.target is not None and (span := _days_used(r))]
    if not spans:
        return []
    first, last = min(s[0] for _, s in spans), max(s[1] for _, s in spans)
    expanded = [FreezeDays(f, first=first, last=last, zone=zone) for f in freezes]
    problems = []
    for release, (start, end) in spans:
        assert release.target is not None
        for freeze, days in zip(freezes, expanded, strict=True):
            found = [_freeze_message(release, release.target, w) for w in days.between(start, end)]
            messages = [m for m in found if m is not None]
            if not messages:
                continue
            more = len(messages) - 1
            suffix = f" (and {more} more occurrence{'s' if more > 1 else ''})" if more else ""
            problems.append(
                Problem(
                    "freeze_conflict",
                    ERROR,
                    tuple(sorted((RELEASE_PREFIX + release.key, FREEZE_PREFIX + freeze.name))),
                    messages[0] + suffix,
                )
            )
    return problems


def _days_used(release: Release) -> tuple[dt.date, dt.date] | None:
    """The days a freeze check looks at: the stage windows', else the target day."""
    if release.stages:
        return min(s.start for s in release.stages), max(s.end for s in release.stages)
    return None if release.target is None else (release.target, release.target)


def _freeze_message(release: Release, target: dt.date, freeze: Freeze) -> str | None:
    window = f"freeze {freeze.name} ({_span(freeze.start, freeze.end)})"
    if not release.stages:
        if freeze.start <= target <= freeze.end and freeze.covers(
            environment=None, team=release.team
        ):
            return f"{release.key} targets {target}, inside {window}"
        return None
    parts = []
    for stage in release.stages:
        first = max(stage.start, freeze.start)
        last = min(stage.end, freeze.end)
        if first <= last and freeze.covers(environment=stage.environment, team=release.team):
            overlap = (last - first).days + 1
            parts.append(
                f"{stage.environment} {_span(stage.start, stage.end)} overlaps {_days(overlap)}"
            )
    if not parts:
        return None
    windows = "a stage window" if len(parts) == 1 else "stage windows"
    return f"{release.key} has {windows} in {window}: {'; '.join(parts)}"


# --- environment_conflict ----------------------------------------------------------------------


def environment_conflicts(
    releases: Iterable[Release],
    capacity: Mapping[str, int],
    *,
    environments: Iterable[str] | None = None,
) -> list[Problem]:
    """An ``environment_conflict`` per maximal run of days on which an environment holds more
    releases' stage windows than its capacity, and the set of those releases.

    A sweep over the windows' boundaries: between two boundaries the set of releases present is
    constant, and neighbouring segments with the same set over capacity merge into one run.

    Args:
        releases: Releases that take part in date checks.
        capacity: Capacity by environment name (1 for an environment not listed).
        environments: Only check these environments (default: all that have stage windows).

    Returns:
        The problems, unsorted.
    """
    only = None if environments is None else set(environments)
    windows: dict[str, list[tuple[int, int, str]]] = {}
    for release in releases:
        for stage in release.stages:
            if (only is None or stage.environment in only) and stage.start <= stage.end:
                windows.setdefault(stage.environment, []).append(
                    (stage.start.toordinal(), stage.end.toordinal() + 1, release.key)
                )
    problems = []
    for env, env_windows in windows.items():
        limit = capacity.get(env, 1)
        if len({key for _, _, key in env_windows}) <= limit:
            continue
        for first, last, keys in _overloaded_runs(env_windows, limit):
            problems.append(_environment_problem(env, limit, first, last, keys))
    return problems


def _overloaded_runs(
    windows: list[tuple[int, int, str]], limit: int
) -> list[tuple[int, int, frozenset[str]]]:
    """``(first day, last day, releases)`` runs; windows are ``(start, end + 1, key)``."""
    events: dict[int, list[tuple[int, str]]] = {}
    for begin, stop, key in windows:
        events.setdefault(begin, []).append((1, key))
        events.setdefault(stop, []).append((-1, key))
    present: dict[str, int] = {}  # a release may have several windows in one environment
    runs: list[tuple[int, int, frozenset[str]]] = []
    days = sorted(events)
    for here, following in itertools.pairwise(days):
        for delta, key in events[here]:
            count = present.get(key, 0) + delta
            if count:
                present[key] = count
            else:
                del present[key]
        if len(present) <= limit:
            continue
        keys = frozenset(present)
        if runs and runs[-1][1] == here - 1 and runs[-1][2] == keys:
            runs[-1] = (runs[-1][0], following - 1, keys)
        else:
            runs.append((here, following - 1, keys))
    return runs


def _environment_problem(
    env: str, limit: int, first: int, last: int, keys: frozenset[str]
) -> Problem:
    names = sorted(keys)
    span = _span(dt.date.fromordinal(first), dt.date.fromordinal(last))
    message = (
        f"{env} holds {len(names)} releases' stage windows on {span} but its capacity is "
        f"{limit}: {', '.join(names)}"
    )
    subjects = tuple(sorted([*(RELEASE_PREFIX + k for k in names), ENVIRONMENT_PREFIX + env]))
    return Problem("environment_conflict", ERROR, subjects, message)


# --- gate_pending ------------------------------------------------------------------------------


def pending_gates(releases: Iterable[Release], *, today: dt.date) -> list[Problem]:
    """A ``gate_pending`` warning per release not yet released whose target is at most 7 days
    after ``today`` (or past) and that has a gate still ``pending`` or ``rejected``.

    Args:
        releases: Releases that take part in date checks.
        today: The day to judge against.

    Returns:
        The problems, unsorted.
    """
    horizon = today + dt.timedelta(days=_GATE_HORIZON_DAYS)
    problems = []
    for release in releases:
        target = release.target
        if target is None or target > horizon or release.status == "released":
            continue
        gates_open = open_gates(release)
        if not gates_open:
            continue
        ahead = (target - today).days
        when = (
            "today"
            if ahead == 0
            else (f"in {_days(ahead)}" if ahead > 0 else f"{_days(-ahead)} ago")
        )
        gates = ", ".join(f"{g.name} ({g.status})" for g in gates_open)
        message = f"{release.key} targets {target} ({when}) with gates not approved: {gates}"
        problems.append(Problem("gate_pending", WARNING, (RELEASE_PREFIX + release.key,), message))
    return problems


# --- stage_outside_release, released_with_open_gates (amended 2026-12-04) ---------------------


def stages_outside(releases: Iterable[Release]) -> list[Problem]:
    """A ``stage_outside_release`` warning per release with a stage window or milestone partly
    or wholly outside its ``start..target``; the message names the first such one.

    Args:
        releases: Releases that take part in date checks.

    Returns:
        The problems, unsorted.
    """
    problems = []
    for release in releases:
        found = outside_release(release)
        if not found or release.start is None or release.target is None:
            continue
        what, first, last = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        message = (
            f"{release.key}'s {what} ({_span(first, last)}) lies outside the release "
            f"({_span(release.start, release.target)}){more}"
        )
        problems.append(
            Problem("stage_outside_release", WARNING, (RELEASE_PREFIX + release.key,), message)
        )
    return problems


def released_with_open_gates(releases: Iterable[Release]) -> list[Problem]:
    """A ``released_with_open_gates`` warning per ``released`` release with a gate that is
    ``pending`` or ``rejected``.

    Args:
        releases: Every release (dates play no part).

    Returns:
        The problems, unsorted.
    """
    problems = []
    for release in releases:
        gates_open = open_gates(release) if release.status == "released" else ()
        if gates_open:
            gates = ", ".join(f"{g.name} ({g.status})" for g in gates_open)
            message = f"{release.key} is released with gates not approved: {gates}"
            problems.append(
                Problem(
                    "released_with_open_gates", WARNING, (RELEASE_PREFIX + release.key,), message
                )
            )
    return problems


# --- wording -----------------------------------------------------------------------------------


def _days(count: int) -> str:
    return f"{count} day" if count in (1, -1) else f"{count} days"


def _lag(lag: int) -> str:
    return f"{'+' if lag >= 0 else '-'}{_days(abs(lag))}"


def _span(first: dt.date, last: dt.date) -> str:
    return str(first) if first == last else f"{first}..{last}"
