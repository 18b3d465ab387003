"""The forecast schedule: early and late dates, float, slip and the critical path.

Definitions are those of ``relplan schedule`` in shared/spec/analysis.md. Work items take part only
through the release edges they imply; cancelled releases, releases without dates and the edges that
touch them take no part. Released releases are fixed history (amended 2026-12-04): they keep their
planned dates and bound their successors, but take no part in ``end``, the backward pass or the
critical path, so they have no late dates and no float.

Dates are computed as day ordinals (``datetime.date.toordinal``): integer arithmetic in the passes
is what keeps a schedule of 2,000 releases and ~100,000 release edges well under a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from relplan.domain.model import RELEASE_PREFIX, Plan
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.graph import PlanIndex, index_plan
from relplan.planning.graph_order import kahn_order, topological_order

# networkx takes ~0.15 s to import: only the functions that build a graph load it.
if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ReleaseNetwork",
    "ReleaseSchedule",
    "ReleaseScheduleJSON",
    "Schedule",
    "ScheduleJSON",
    "schedule_plan",
]


class ReleaseScheduleJSON(TypedDict):
    """One release of ``schedule --json``."""

    key: str
    start: str
    target: str
    early_start: str
    early_finish: str
    late_start: str | None
    late_finish: str | None
    float: int | None
    slip: int


class ScheduleJSON(TypedDict):
    """The object ``schedule --json`` prints."""

    end: str | None
    critical_path: list[str]
    releases: list[ReleaseScheduleJSON]


@dataclass(frozen=True, slots=True)
class ReleaseSchedule:
    """One release's forecast.

    Attributes:
        key: The release key.
        start: The planned start.
        target: The planned target (last day).
        early_start: ES, the earliest start the dependencies allow (never before ``start``).
        early_finish: EF = ES + duration - 1.
        late_start: LS = LF - duration + 1 (None for a released release).
        late_finish: LF, the latest finish that does not delay ``end`` (None when released).
        float_days: LS - ES (None for a released release: history has no float).
        slip_days: EF - target (0 when on plan, and always for a released release).
        critical: Whether the release is on the critical path.
        released: Whether the release is released (fixed history: no late dates, no float).
    """

    key: str
    start: dt.date
    target: dt.date
    early_start: dt.date
    early_finish: dt.date
    late_start: dt.date | None
    late_finish: dt.date | None
    float_days: int | None
    slip_days: int
    critical: bool = False
    released: bool = False

    @property
    def duration_days(self) -> int:
        """The release's length in days, both ends included."""
        return (self.target - self.start).days + 1

    def to_json(self) -> ReleaseScheduleJSON:
        """The release as ``schedule --json`` prints it."""
        return {
            "key": self.key,
            "start": self.start.isoformat(),
            "target": self.target.isoformat(),
            "early_start": self.early_start.isoformat(),
            "early_finish": self.early_finish.isoformat(),
            "late_start": None if self.late_start is None else self.late_start.isoformat(),
            "late_finish": None if self.late_finish is None else self.late_finish.isoformat(),
            "float": self.float_days,
            "slip": self.slip_days,
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    """The result of :func:`schedule_plan`.

    Attributes:
        end: The latest early finish (of the train's releases with ``train``); None when no
            release takes part.
        critical_path: Release keys from the first release of the critical path to the last.
        releases: Every release that takes part, sorted by key.
        train: The train the schedule was restricted to, if any.
    """

    end: dt.date | None
    critical_path: tuple[str, ...]
    releases: tuple[ReleaseSchedule, ...]
    train: str | None = None
    _by_key: dict[str, ReleaseSchedule] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def release(self, key: str) -> ReleaseSchedule | None:
        """The forecast of the release with this key, or None when it takes no part."""
        if not self._by_key and self.releases:
            self._by_key.update((r.key, r) for r in self.releases)
        return self._by_key.get(key)

    def to_json(self) -> ScheduleJSON:
        """The schedule as ``schedule --json`` prints it."""
        return {
            "end": self.end.isoformat() if self.end is not None else None,
            "critical_path": list(self.critical_path),
            "releases": [r.to_json() for r in self.releases],
        }


# Forward bound on a successor's start: (EF if uses_finish else ES)[pred] + offset, where the
# offset also folds in the successor's duration d: FS EF+1+lag, SS ES+lag, FF EF+lag-d+1,
# SF ES+lag-d.
_ForwardArc = tuple[str, bool, int]
# Backward bound on a predecessor's finish: (LF if uses_finish else LS)[succ] + offset, with d the
# predecessor's duration: FS LS-1-lag, SS LS-lag+d-1, FF LF-lag, SF LF+1-lag+d-1.
_BackwardArc = tuple[str, bool, int]


#: The last network built and its index: the window's analysis schedules an index, then its
#: forecast builds the same network (~0.25 s on a large plan). An index never changes once
#: built (an edit makes a new one), and callers only read a network.
_last_network: list[tuple[PlanIndex, ReleaseNetwork] | None] = [None]


@dataclass(frozen=True, slots=True)
class ReleaseNetwork:
    """The scheduled releases as integer arrays, in topological order; shared with ``impact``.

    Attributes:
        order: Release keys, each after all of its predecessors.
        start: Planned start day ordinals by key.
        duration: Durations in days by key.
        preds: Forward arcs ``(predecessor, uses_finish, offset)`` by key.
        succs: Backward arcs ``(successor, uses_finish, offset)`` by key.
        trains: The train of each release that has one.
        released: The released releases: their early dates are their planned dates, whatever
            their predecessors say.
    """

    order: list[str]
    start: dict[str, int]
    duration: dict[str, int]
    preds: dict[str, list[_ForwardArc]]
    succs: dict[str, list[_BackwardArc]]
    trains: dict[str, str]
    released: frozenset[str] = frozenset()

    @classmethod
    def build(cls, index: PlanIndex) -> ReleaseNetwork:
        """Build the network of an indexed plan.

        Args:
            index: The plan's index.

        Returns:
            The network.

        Raises:
            DependencyCycleError: The release graph has a cycle (named with ``release:`` refs).
        """
        last = _last_network[0]
        if last is not None and last[0] is index:  # the window's schedule, then its forecast
            return last[1]
        start: dict[str, int] = {}
        duration: dict[str, int] = {}
        trains: dict[str, str] = {}
        released: set[str] = set()
        for key, release in index.scheduled().items():
            if release.start is None or release.target is None:  # pragma: no cover
                continue  # scheduled() keeps dated releases only; this narrows the types
            first = release.start.toordinal()
            start[key] = first
            duration[key] = release.target.toordinal() - first + 1
            if release.train is not None:
                trains[key] = release.train
            if release.status == "released":
                released.add(key)
        preds: dict[str, list[_ForwardArc]] = {key: [] for key in start}
        succs: dict[str, list[_BackwardArc]] = {key: [] for key in start}
        adjacency: dict[str, list[str]] = {}
        # The arcs are built inline (not by helper calls): a large plan has ~100,000 edges.
        for p, s, type_, lag in index.edge_tuples():
            if p not in start or s not in start:
                continue
            adjacency.setdefault(p, []).append(s)
            d_p = duration[p]
            d_s = duration[s]
            if type_ == "FF":
                preds[s].append((p, True, lag - d_s + 1))
                succs[p].append((s, True, -lag))
            elif type_ == "SS":
                preds[s].append((p, False, lag))
                succs[p].append((s, False, -lag + d_p - 1))
            elif type_ == "SF":
                preds[s].append((p, False, lag - d_s))
                succs[p].append((s, True, -lag + d_p))
            else:  # FS, the format's default type
                preds[s].append((p, True, 1 + lag))
                succs[p].append((s, False, -1 - lag))
        order, rest = kahn_order(adjacency, start)
        if rest:
            raise DependencyCycleError(_cycle_in(adjacency, rest))
        network = cls(order, start, duration, preds, succs, trains, frozenset(released))
        _last_network[0] = (index, network)
        return network

    def forward(
        self,
        *,
        start: Mapping[str, int] | None = None,
        nodes: Iterable[str] | None = None,
        early: tuple[dict[str, int], dict[str, int]] | None = None,
    ) -> tuple[dict[str, int], dict[str, int]]:
        """The forward pass: early start and early finish ordinals.

        Args:
            start: Planned starts to use instead of the network's (e.g. a slipped release).
            nodes: Only recompute these nodes (in topological order); the others keep the values
                in ``early``.
            early: ``(ES, EF)`` to start from; updated copies are returned.

        Returns:
            ``(ES, EF)`` by key; a released release keeps its planned start.
        """
        starts = self.start if start is None else start
        es, ef = ({}, {}) if early is None else (dict(early[0]), dict(early[1]))
        duration = self.duration
        preds = self.preds
        released = self.released
        for key in self.order if nodes is None else nodes:
            best = starts[key]
            # A released release happened: no predecessor moves it.
            for pred, uses_finish, offset in () if key in released else preds[key]:
                bound = (ef[pred] if uses_finish else es[pred]) + offset
                if bound > best:
                    best = bound
            es[key] = best
            ef[key] = best + duration[key] - 1
        return es, ef

    def end_of(self, ef: Mapping[str, int], ends: Iterable[str] | None = None) -> int | None:
        """The plan's end: the latest early finish of ``ends`` (default: every release) that
        is not released, or of all of them when every one is released; None when none.
        """
        keys = list(self.order if ends is None else ends)
        live = [ef[key] for key in keys if key not in self.released]
        return max(live or [ef[key] for key in keys], default=None)

    def descendants(self, key: str) -> set[str]:
        """The releases reachable from ``key`` (``key`` included)."""
        seen = {key}
        todo = [key]
        succs = self.succs
        while todo:
            for nxt, _, _ in succs[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def ancestors(self, keys: Iterable[str]) -> set[str]:
        """The releases from which one of ``keys`` can be reached (``keys`` included)."""
        seen = set(keys)
        todo = list(seen)
        preds = self.preds
        while todo:
            for prev, _, _ in preds[todo.pop()]:
                if prev not in seen:
                    seen.add(prev)
                    todo.append(prev)
        return seen


def schedule_plan(
    plan: Plan, *, train: str | None = None, index: PlanIndex | None = None
) -> Schedule:
    """The forecast schedule of a plan: early/late dates, float, slip and the critical path.

    Args:
        plan: The plan.
        train: Restrict the schedule to this train's releases and their ancestors; ``end`` is
            then the latest early finish of the train's releases, and the critical path ends
            at one of them. The backward pass caps every late finish at that ``end``, as the
            spec defines it, so an ancestor that may finish after the train (through an SS or
            SF edge) shows negative float.
        index: The plan's index, when the caller has it (see :meth:`PlanIndex.from_columns`).

    Returns:
        The schedule; ``end`` is None and the lists are empty when no release takes part. When
        every release that could end it is released, ``end`` is their latest target and the
        critical path is empty.

    Raises:
        DependencyCycleError: The release graph has a cycle.
        UnknownObjectError: ``train`` names no train of the plan (kind ``"train"``).

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> plan = Plan(
        ...     releases=(
        ...         Release("A", "A", "T", start=dt.date(2026, 11, 2), target=dt.date(2026, 11, 6)),
        ...         Release("B", "B", "T", start=dt.date(2026, 11, 5), target=dt.date(2026, 11, 9)),
        ...         Release("C", "C", "T", start=dt.date(2026, 11, 2), target=dt.date(2026, 11, 3)),
        ...     ),
        ...     dependencies=(Dependency("release:A", "release:B"),),
        ... )
        >>> s = schedule_plan(plan)
        >>> s.end.isoformat(), s.critical_path
        ('2026-11-11', ('A', 'B'))
        >>> b = s.release("B")
        >>> b.early_start.isoformat(), b.slip_days, s.release("C").float_days
        ('2026-11-07', 2, 8)
    """
    if train is not None and all(t.key != train for t in plan.trains):
        raise UnknownObjectError("train", train)
    network = ReleaseNetwork.build(index if index is not None else index_plan(plan))
    if train is None:
        ends = set(network.order)
        members = ends
    else:
        ends = {key for key in network.order if network.trains.get(key) == train}
        members = network.ancestors(ends)
    if not ends:
        return Schedule(None, (), (), train)
    nodes = [key for key in network.order if key in members]
    es, ef = network.forward(nodes=nodes)
    released = network.released
    live_ends = ends - released
    # Released releases take no part in ``end`` unless nothing else could end the plan.
    end = network.end_of(ef, ends)
    assert end is not None  # ends is not empty

    # Backward pass over the members only: a successor outside them takes no part, and neither
    # does a released release (history has no late dates).
    ls: dict[str, int] = {}
    lf: dict[str, int] = {}
    for key in reversed(nodes):
        if key in released:
            continue
        best = end
        for succ, uses_finish, offset in network.succs[key]:
            if succ in members and succ not in released:
                bound = (lf[succ] if uses_finish else ls[succ]) + offset
                if bound < best:
                    best = bound
        lf[key] = best
        ls[key] = best - network.duration[key] + 1

    path = _critical_path(network, es, ef, end, live_ends) if live_ends else []
    on_path = set(path)
    day = dt.date.fromordinal
    releases = tuple(
        ReleaseSchedule(
            key=key,
            start=day(network.start[key]),
            target=day(network.start[key] + network.duration[key] - 1),
            early_start=day(es[key]),
            early_finish=day(ef[key]),
            late_start=day(ls[key]) if key in ls else None,
            late_finish=day(lf[key]) if key in lf else None,
            float_days=ls[key] - es[key] if key in ls else None,
            slip_days=ef[key] - (network.start[key] + network.duration[key] - 1),
            critical=key in on_path,
            released=key in released,
        )
        for key in sorted(members)
    )
    return Schedule(day(end), tuple(path), releases, train)


def _cycle_in(adjacency: Mapping[str, list[str]], rest: set[str]) -> list[str]:
    """Name one cycle among the nodes Kahn's algorithm could not sort, as ``release:`` refs."""
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edges_from(
        (RELEASE_PREFIX + p, RELEASE_PREFIX + s)
        for p in sorted(rest)
        for s in adjacency.get(p, ())
        if s in rest
    )
    try:
        topological_order(graph)
    except DependencyCycleError as exc:
        return exc.cycle
    raise AssertionError("kahn_order left nodes of an acyclic graph")  # pragma: no cover


def _critical_path(
    network: ReleaseNetwork,
    es: Mapping[str, int],
    ef: Mapping[str, int],
    end: int,
    ends: Iterable[str],
) -> list[str]:
    """Walk back from the smallest key finishing at ``end`` along tight predecessor edges,
    stopping before a released predecessor."""
    current = min(key for key in ends if ef[key] == end)
    path = [current]
    while True:
        target = es[current]
        tight = [
            pred
            for pred, uses_finish, offset in network.preds[current]
            if (ef[pred] if uses_finish else es[pred]) + offset == target
        ]
        if not tight:
            break
        current = min(tight)
        if current in network.released:
            break
        path.append(current)
    path.reverse()
    return path
