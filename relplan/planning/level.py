"""Levelling: later dates that clear dependency violations, freeze conflicts and overbooking.

Definitions are those of ``relplan level`` in shared/spec/analysis.md (added 2026-12-04): a
serial schedule. Fixed releases are placed first at their own dates; the movable ones are then
placed one by one in a topological order of the release graph (ties: smallest ``(start, key)``),
each at the smallest whole-day shift ``0 <= s <= 365`` that satisfies its placed predecessors'
edges, the freezes that cover it and every environment's capacity. Whole releases move through
:func:`relplan.edits.shift.shift_release`, so stage windows and milestones move with them.

Days are integer ordinals and each environment's load is a dict of day -> releases, so one shift
is tried in a few dictionary lookups per stage day.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypedDict

from relplan.domain.model import Plan, Release
from relplan.edits.shift import shift_release
from relplan.errors import UnknownObjectError
from relplan.planning.check import (
    Problem,
    ProblemJSON,
    active_releases,
    capacities,
    day_ordinals,
    dependency_violations,
    environment_conflicts,
    freeze_conflicts,
    sort_problems,
)
from relplan.planning.freezes import FreezeDays
from relplan.planning.graph import PlanIndex, index_plan
from relplan.planning.schedule import ReleaseNetwork

__all__ = ["MAX_SHIFT", "LevelJSON", "Levelling", "Move", "MoveJSON", "level_plan"]

#: The largest shift tried, in days.
MAX_SHIFT: Final = 365
#: The kinds of ``check`` problem that levelling clears.
LEVEL_KINDS: Final = frozenset({"dependency_violation", "freeze_conflict", "environment_conflict"})


class MoveJSON(TypedDict):
    """One moved release of ``level --json``."""

    key: str
    start: str
    target: str
    new_start: str
    new_target: str
    days: int
    reasons: list[str]


class LevelJSON(TypedDict):
    """The object ``level --json`` prints."""

    moved: list[MoveJSON]
    unresolved: list[ProblemJSON]
    total_slip_days: int
    end_before: str | None
    end_after: str | None


@dataclass(frozen=True, slots=True)
class Move:
    """One release that levelling moves later.

    Attributes:
        key: The release key.
        start: The planned start.
        target: The planned target.
        days: How many days it moves (> 0).
        reasons: Why, in words, one per constraint that forced the shift.
    """

    key: str
    start: dt.date
    target: dt.date
    days: int
    reasons: tuple[str, ...]

    @property
    def new_start(self) -> dt.date:
        """The levelled start."""
        return self.start + dt.timedelta(days=self.days)

    @property
    def new_target(self) -> dt.date:
        """The levelled target."""
        return self.target + dt.timedelta(days=self.days)

    def to_json(self) -> MoveJSON:
        """The move as ``level --json`` prints it."""
        return {
            "key": self.key,
            "start": self.start.isoformat(),
            "target": self.target.isoformat(),
            "new_start": self.new_start.isoformat(),
            "new_target": self.new_target.isoformat(),
            "days": self.days,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class Levelling:
    """The result of :func:`level_plan`.

    Attributes:
        moved: The releases that move, sorted by key.
        unresolved: The ``check`` problems of the three kinds the levelled plan still has.
        end_before: The latest target of the releases that take part (of the train's with a
            train) before levelling; None when none take part.
        end_after: The same after levelling.
        releases: Every release of the plan, levelled (to write or to preview).
    """

    moved: tuple[Move, ...]
    unresolved: tuple[Problem, ...]
    end_before: dt.date | None
    end_after: dt.date | None
    releases: tuple[Release, ...] = ()

    @property
    def total_slip_days(self) -> int:
        """The sum of every move's days."""
        return sum(m.days for m in self.moved)

    def changed(self) -> list[Release]:
        """The levelled versions of the moved releases, to write."""
        keys = {m.key for m in self.moved}
        return [r for r in self.releases if r.key in keys]

    def to_json(self) -> LevelJSON:
        """The levelling as ``level --json`` prints it."""
        return {
            "moved": [m.to_json() for m in self.moved],
            "unresolved": [p.to_json() for p in self.unresolved],
            "total_slip_days": self.total_slip_days,
            "end_before": None if self.end_before is None else self.end_before.isoformat(),
            "end_after": None if self.end_after is None else self.end_after.isoformat(),
        }


def level_plan(
    plan: Plan,
    *,
    today: dt.date,
    train: str | None = None,
    pins: Iterable[str] = (),
    index: PlanIndex | None = None,
) -> Levelling:
    """Level a plan: the serial schedule of ``relplan level``.

    Args:
        plan: The plan (its releases, freezes and environments; items may be left out when
            ``index`` is given).
        today: Releases that start on or before it are fixed.
        train: Only the train's releases and their ancestors may move.
        pins: Keys of releases that must keep their dates.
        index: The plan's index, when the caller has it.

    Returns:
        The levelling; nothing is written.

    Raises:
        DependencyCycleError: The release graph has a cycle.
        UnknownObjectError: ``train`` names no train, or a pin no release.

    Examples:
        >>> from relplan.domain.model import Dependency
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(
        ...     releases=(
        ...         Release("A", "A", "T", start=d, target=d + dt.timedelta(4)),
        ...         Release("B", "B", "T", start=d + dt.timedelta(3), target=d + dt.timedelta(7)),
        ...     ),
        ...     dependencies=(Dependency("release:A", "release:B"),),
        ... )
        >>> lv = level_plan(plan, today=dt.date(2026, 10, 1))
        >>> [(m.key, m.days, m.reasons) for m in lv.moved], lv.unresolved
        ([('B', 2, ('FS +0 after A: needs +2 days',))], ())
    """
    if index is None:
        index = index_plan(plan)
    if train is not None and all(t.key != train for t in plan.trains):
        raise UnknownObjectError("train", train)
    pinned = set(pins)
    for key in sorted(pinned):
        if key not in index.releases:
            raise UnknownObjectError("release", key)
    taking_part = index.scheduled()
    days = day_ordinals(taking_part.values())
    preds: dict[str, list[tuple[str, str, int]]] = {key: [] for key in taking_part}
    succs: dict[str, list[str]] = {key: [] for key in taking_part}
    for p, s, type_, lag in index.edge_tuples():
        if p in taking_part and s in taking_part and p != s:
            preds[s].append((p, type_, lag))
            succs[p].append(s)
    order = _order(taking_part, succs, preds, index)

    members: set[str] | None = None
    if train is not None:
        members = _ancestors({k for k, r in taking_part.items() if r.train == train}, preds)
    today_day = today.toordinal()
    fixed = {
        key
        for key, r in taking_part.items()
        if r.status == "released"
        or days[key][0] <= today_day
        or key in pinned
        or (members is not None and key not in members)
    }

    placer = _Placer(plan, taking_part, days, fixed)
    shifts: dict[str, int] = {}
    moves: list[Move] = []
    for key in order:
        if key in fixed:
            continue
        release = taking_part[key]
        shift, reasons = placer.place(release, preds[key], shifts)
        if shift:
            shifts[key] = shift
            start, target = release.start, release.target
            assert start is not None  # taking part: dated
            assert target is not None
            moves.append(Move(key, start, target, shift, tuple(reasons)))

    levelled = tuple(shift_release(r, shifts.get(r.key, 0)) for r in plan.releases)
    after = active_releases(levelled)
    unresolved = sort_problems(
        [
            *dependency_violations(index, day_ordinals(after.values())),
            *freeze_conflicts(after.values(), plan.freezes, zone=plan.timezone),
            *environment_conflicts(after.values(), capacities(plan)),
        ]
    )
    ends = [k for k, r in taking_part.items() if train is None or r.train == train]
    end_before = max((days[k][1] for k in ends), default=None)
    end_after = max((days[k][1] + shifts.get(k, 0) for k in ends), default=None)
    day = dt.date.fromordinal
    return Levelling(
        moved=tuple(sorted(moves, key=lambda m: m.key)),
        unresolved=tuple(unresolved),
        end_before=None if end_before is None else day(end_before),
        end_after=None if end_after is None else day(end_after),
        releases=levelled,
    )


def _order(
    taking_part: Mapping[str, Release],
    succs: Mapping[str, list[str]],
    preds: Mapping[str, list[tuple[str, str, int]]],
    index: PlanIndex,
) -> list[str]:
    """A topological order, always taking the ready release with the smallest (start, key)."""
    indegree = {key: len(p) for key, p in preds.items()}
    ready = [(_start(taking_part[k]), k) for k, n in indegree.items() if not n]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, key = heapq.heappop(ready)
        order.append(key)
        for nxt in succs[key]:
            indegree[nxt] -= 1
            if not indegree[nxt]:
                heapq.heappush(ready, (_start(taking_part[nxt]), nxt))
    if len(order) < len(taking_part):
        ReleaseNetwork.build(index)  # raises DependencyCycleError naming a cycle
        raise AssertionError("a release graph without a cycle left releases unsorted")
    return order


def _start(release: Release) -> int:
    assert release.start is not None
    return release.start.toordinal()


def _ancestors(keys: set[str], preds: Mapping[str, list[tuple[str, str, int]]]) -> set[str]:
    seen = set(keys)
    todo = list(seen)
    while todo:
        for prev, _, _ in preds[todo.pop()]:
            if prev not in seen:
                seen.add(prev)
                todo.append(prev)
    return seen


def _short(p_days: tuple[int, int], s_days: tuple[int, int], type_: str, lag: int) -> int:
    """How many days the successor is too early (check's formulas)."""
    if type_ == "FF":
        return p_days[1] + lag - s_days[1]
    if type_ == "SS":
        return p_days[0] + lag - s_days[0]
    if type_ == "SF":
        return p_days[0] + lag - 1 - s_days[1]
    return p_days[1] + 1 + lag - s_days[0]


class _Placer:
    """Places releases one at a time, keeping each environment's load by day."""

    def __init__(
        self,
        plan: Plan,
        taking_part: Mapping[str, Release],
        days: Mapping[str, tuple[int, int]],
        fixed: Iterable[str],
    ) -> None:
        self.days = days
        # Why the shifts tried so far failed: reasons, and environment names with their full days.
        self._seen: list[str] = []
        self._full: dict[str, set[int]] = {}
        self.capacity = capacities(plan)
        self.load: dict[str, dict[int, int]] = {}
        self.placed: dict[str, tuple[int, int]] = {}
        for key in fixed:
            self._take(taking_part[key], 0)
        first = min((d[0] for d in days.values()), default=0)
        last = max((d[1] for d in days.values()), default=0)
        for release in taking_part.values():
            for stage in release.stages:
                first = min(first, stage.start.toordinal())
                last = max(last, stage.end.toordinal())
        self.freezes = (
            [
                (
                    f,
                    FreezeDays(
                        f,
                        first=dt.date.fromordinal(first),
                        last=dt.date.fromordinal(last + MAX_SHIFT),
                        zone=plan.timezone,
                    ),
                )
                for f in plan.freezes
            ]
            if days
            else []
        )

    def _take(self, release: Release, shift: int) -> None:
        start, target = self.days[release.key]
        self.placed[release.key] = (start + shift, target + shift)
        for env, used in _stage_days(release, shift).items():
            load = self.load.setdefault(env, {})
            for day in used:
                load[day] = load.get(day, 0) + 1

    def place(
        self,
        release: Release,
        preds: Sequence[tuple[str, str, int]],
        shifts: Mapping[str, int],
    ) -> tuple[int, list[str]]:
        """Place a movable release; gives its shift and the reasons for it."""
        own = self.days[release.key]
        reasons: list[str] = []
        low = 0
        bounds = []
        for pred, type_, lag in preds:
            short = _short(self.placed[pred], own, type_, lag)
            if short > 0:
                bounds.append((short, pred, type_, lag))
                low = max(low, short)
        # Only the tightest edges forced the shift; looser ones would have allowed less.
        for short, pred, type_, lag in sorted(bounds, key=lambda b: b[1]):
            if short == low:
                moved = shifts.get(pred, 0)
                after = f", itself moved +{moved}" if moved else ""
                reasons.append(f"{type_} {lag:+d} after {pred}{after}: needs +{_days(short)}")
        for shift in range(low, MAX_SHIFT + 1):
            blocked = self._blocked(release, shift)
            if not blocked:
                self._take(release, shift)
                reasons += self._reasons()
                return shift, reasons
            self._seen.extend(blocked)
        # Fits nowhere: it keeps its dates and its problems show as unresolved.
        self._reasons()
        self._take(release, 0)
        return 0, []

    def _reasons(self) -> list[str]:
        """The distinct reasons met for this release, in order; forgets them for the next."""
        reasons = []
        for why in dict.fromkeys(self._seen):
            days = self._full.get(why)
            if days is None:
                reasons.append(why)
            else:
                span = _span(dt.date.fromordinal(min(days)), dt.date.fromordinal(max(days)))
                reasons.append(f"{why} is full (capacity {self.capacity.get(why, 1)}) on {span}")
        self._seen.clear()
        self._full.clear()
        return reasons

    def _blocked(self, release: Release, shift: int) -> list[str]:
        """Why ``release`` cannot take ``shift``: a reason per freeze, the name of each full
        environment (its full days are kept in ``_full``)."""
        why: list[str] = []
        delta = dt.timedelta(days=shift)
        for freeze, windows in self.freezes:
            if release.stages:
                for stage in release.stages:
                    first, last = stage.start + delta, stage.end + delta
                    if windows.between(first, last) and freeze.covers(
                        environment=stage.environment, team=release.team
                    ):
                        why.append(f"{stage.environment} window leaves freeze {freeze.name}")
            else:
                assert release.target is not None
                target = release.target + delta
                if windows.between(target, target) and freeze.covers(
                    environment=None, team=release.team
                ):
                    why.append(f"target leaves freeze {freeze.name}")
        for env, used in _stage_days(release, shift).items():
            load = self.load.get(env)
            if load is None:
                continue
            limit = self.capacity.get(env, 1)
            full = [day for day in used if load.get(day, 0) + 1 > limit]
            if full:
                days = self._full.setdefault(env, set())
                days.update(full)
                why.append(env)
        return why


def _span(first: dt.date, last: dt.date) -> str:
    return str(first) if first == last else f"{first}..{last}"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _stage_days(release: Release, shift: int) -> dict[str, set[int]]:
    """The days each environment holds ``release``'s stage windows, shifted."""
    used: dict[str, set[int]] = {}
    for stage in release.stages:
        first = stage.start.toordinal() + shift
        last = stage.end.toordinal() + shift
        if first <= last:
            used.setdefault(stage.environment, set()).update(range(first, last + 1))
    return used
