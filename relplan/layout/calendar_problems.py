"""Problems of a plan check put on the days of the calendar they concern.

Pure helpers of :mod:`relplan.layout.calendar`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Final

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Dependency, Freeze, Plan, Release
from relplan.domain.rules import outside_release
from relplan.planning.freezes import occurrences

if TYPE_CHECKING:
    from relplan.planning.check import Problem

__all__ = ["is_release", "problem_days"]

_FREEZE_PREFIX: Final = "freeze:"
_ENVIRONMENT_PREFIX: Final = "environment:"
_ONE_DAY: Final = dt.timedelta(days=1)


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


# --- problems on days --------------------------------------------------------------------------


def problem_days(
    plan: Plan,
    problems: Iterable[Problem],
    first: dt.date,
    last: dt.date,
    *,
    shown: Iterable[str] | None = None,
) -> tuple[dict[dt.date, list[Problem]], set[tuple[str, dt.date]]]:
    """The days of ``first..last`` each problem concerns, and which release it flags there.

    * ``freeze_conflict``: the days a stage window of the release (in an environment the freeze
      covers) shares with an occurrence of the freeze; for a release without stages, its target
      day when a freeze covers it.
    * ``environment_conflict``: the days on which more of the named releases have a stage window
      in the environment than it has capacity.
    * ``dependency_violation``: the dependent release's start (FS, SS) or target (FF, SF, and
      an edge implied by work items, which is FF).
    * ``gate_pending``: the release's target day.
    * ``cycle``: no day.

    Args:
        plan: The plan the problems were found in.
        problems: The problems.
        first: The first day of interest.
        last: The last day of interest.
        shown: Only problems about at least one of these releases (None: all).

    Returns:
        Problems by day, and the ``(release key, day)`` pairs they flag.
    """
    keep = None if shown is None else set(shown)
    edges = _Edges(plan)
    by_day: dict[dt.date, list[Problem]] = {}
    flagged: set[tuple[str, dt.date]] = set()
    for problem in problems:
        keys = [s.removeprefix(RELEASE_PREFIX) for s in problem.subjects if is_release(s)]
        if keep is not None and not keep.intersection(keys):
            continue
        for key, date in _problem_hits(plan, edges, problem, keys, first, last):
            if first <= date <= last:
                flagged.add((key, date))
                found = by_day.setdefault(date, [])
                if problem not in found:
                    found.append(problem)
    return by_day, flagged


def is_release(subject: str) -> bool:
    """Whether a problem subject names a release (``release:KEY``)."""
    return subject.startswith(RELEASE_PREFIX)


def _named(problem: Problem, prefix: str) -> str | None:
    return next((s.removeprefix(prefix) for s in problem.subjects if s.startswith(prefix)), None)


def _problem_hits(
    plan: Plan,
    edges: _Edges,
    problem: Problem,
    keys: Sequence[str],
    first: dt.date,
    last: dt.date,
) -> list[tuple[str, dt.date]]:
    releases = [r for r in (plan.release(k) for k in keys) if r is not None]
    if problem.kind == "freeze_conflict":
        name = _named(problem, _FREEZE_PREFIX)
        freeze = next((f for f in plan.freezes if f.name == name), None)
        if freeze is None or not releases:
            return []
        return _freeze_hits(releases[0], freeze, first, last, plan.timezone)
    if problem.kind == "environment_conflict":
        env = _named(problem, _ENVIRONMENT_PREFIX)
        capacity = {e.name: e.capacity for e in plan.environments}.get(env or "", 1)
        return _environment_hits(releases, env, capacity, first, last)
    if problem.kind == "dependency_violation" and len(releases) == 2:
        return _dependency_hits(edges, releases[0], releases[1])
    if problem.kind in ("gate_pending", "released_with_open_gates"):
        return [(r.key, r.target) for r in releases if r.target is not None]
    if problem.kind == "stage_outside_release":
        return [hit for r in releases for hit in _outside_hits(r, first, last)]
    from relplan.layout.lifecycle import lifecycle_hits

    return lifecycle_hits(plan, problem, releases)


def _outside_hits(release: Release, first: dt.date, last: dt.date) -> list[tuple[str, dt.date]]:
    """The days a stage window or milestone of ``release`` lies outside its start..target."""
    start, target = release.start, release.target
    if start is None or target is None:
        return []
    days = {
        day
        for _what, a, b in outside_release(release)
        for day in _days(max(a, first), min(b, last))
        if not start <= day <= target
    }
    return [(release.key, day) for day in sorted(days)]


def _freeze_hits(
    release: Release, freeze: Freeze, first: dt.date, last: dt.date, zone: str
) -> list[tuple[str, dt.date]]:
    hits = []
    for o in occurrences(freeze, first=first, last=last, zone=zone):
        for date in _days(max(o.first_day, first), min(o.last_day, last)):
            if release.stages:
                hit = any(
                    s.start <= date <= s.end
                    and freeze.covers(environment=s.environment, team=release.team)
                    for s in release.stages
                )
            else:
                hit = date == release.target and freeze.covers(environment=None, team=release.team)
            if hit:
                hits.append((release.key, date))
    return hits


def _environment_hits(
    releases: Sequence[Release], env: str | None, capacity: int, first: dt.date, last: dt.date
) -> list[tuple[str, dt.date]]:
    windows = [
        (r.key, max(s.start, first), min(s.end, last))
        for r in releases
        for s in r.stages
        if s.environment == env
    ]
    present: dict[dt.date, set[str]] = {}
    for key, start, end in windows:
        for date in _days(start, end):
            present.setdefault(date, set()).add(key)
    return [
        (key, date)
        for date, keys in sorted(present.items())
        if len(keys) > capacity
        for key in sorted(keys)
    ]


class _Edges:
    """The release edges of a plan by unordered pair, built on first use (one pass each).

    Attributes:
        explicit: ``{frozenset({from, to}): dependency}`` of release-level dependencies.
        implied: ``{frozenset({p, s}): (p, s)}`` of the release edges work items imply.
    """

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._explicit: dict[frozenset[str], Dependency] | None = None
        self._implied: dict[frozenset[str], tuple[str, str]] | None = None

    @property
    def explicit(self) -> dict[frozenset[str], Dependency]:
        if self._explicit is None:
            self._explicit = {}
            for dep in self._plan.dependencies:
                if dep.from_ref.startswith(RELEASE_PREFIX) and dep.to_ref.startswith(
                    RELEASE_PREFIX
                ):
                    self._explicit.setdefault(frozenset(dep.pair), dep)
        return self._explicit

    @property
    def implied(self) -> dict[frozenset[str], tuple[str, str]]:
        if self._implied is None:
            self._implied = {}
            release_of = {i.key: i.release for i in self._plan.work_items}
            for dep in self._plan.dependencies:
                if dep.from_ref.startswith(ITEM_PREFIX) and dep.to_ref.startswith(ITEM_PREFIX):
                    p = release_of.get(dep.from_ref.removeprefix(ITEM_PREFIX))
                    s = release_of.get(dep.to_ref.removeprefix(ITEM_PREFIX))
                    if p is not None and s is not None and p != s:
                        self._implied.setdefault(frozenset((p, s)), (p, s))
        return self._implied


def _dependency_hits(edges: _Edges, a: Release, b: Release) -> list[tuple[str, dt.date]]:
    """The dependent's constrained day for the dependency between ``a`` and ``b``."""
    dep = edges.explicit.get(frozenset((a.ref, b.ref)))
    if dep is not None:
        dependent = b if dep.to_ref == b.ref else a
        day = dependent.start if dep.type in ("FS", "SS") else dependent.target
        return [] if day is None else [(dependent.key, day)]
    # An edge implied by work items: finish to finish, lag 0 (graph.py), so the dependent's
    # target is the constrained day.
    pair = edges.implied.get(frozenset((a.key, b.key)))
    if pair is None:
        return []
    dependent = a if pair[1] == a.key else b
    return [] if dependent.target is None else [(dependent.key, dependent.target)]
