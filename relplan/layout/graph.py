"""The plan's release graph as the views see it: every edge flagged once per analysis.

:class:`PlanGraph` flags every release edge once per analysis (implied, critical, broken, on a
cycle, crossing teams); :class:`ViewFilter` is the window's team/train/environment filter.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from relplan.domain.model import RELEASE_PREFIX, Plan, Release

if TYPE_CHECKING:
    from relplan.planning.check import Problem
    from relplan.planning.graph import PlanIndex
    from relplan.planning.schedule import ReleaseSchedule, Schedule
Direction = Literal["up", "down", "both"]
Point = tuple[float, float]
NODE_W: Final = 176.0
NODE_H: Final = 46.0
COLUMN_GAP: Final = 84.0
ROW_GAP: Final = 16.0
_CUT: Final = len(RELEASE_PREFIX)


class Link(NamedTuple):
    """A release edge (or an aggregate of them) and what the views highlight.

    Attributes:
        predecessor: The prerequisite (a release key; a team key or an item ref on those maps).
        successor: The dependent.
        type: ``FS``, ``SS``, ``FF`` or ``SF`` (``""`` for an aggregate of mixed types).
        lag_days: The lag (the smallest, for an aggregate).
        implied: Work items imply it (drawn dashed).
        critical: It joins two consecutive releases of the critical path.
        broken: The planned dates break it (a ``dependency_violation``).
        cycle: It lies on a dependency cycle.
        crossing: It crosses teams (releases, teams) or releases (items).
        weight: How many release edges it stands for.
    """

    predecessor: str
    successor: str
    type: str
    lag_days: int
    implied: bool = False
    critical: bool = False
    broken: bool = False
    cycle: bool = False
    crossing: bool = False
    weight: int = 1


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """What a view shows: empty ``teams`` means every team; ``first``/``last`` clip the dates;
    ``hide_done`` leaves released and cancelled releases out."""

    teams: frozenset[str] = frozenset()
    train: str | None = None
    environment: str | None = None
    first: dt.date | None = None
    last: dt.date | None = None
    hide_done: bool = False

    def keeps(self, release: Release) -> bool:
        """Whether the release passes (with an environment: it has a stage there; with dates:
        it overlaps them, so undated releases drop out)."""
        if (self.teams and release.team not in self.teams) or (
            self.train is not None and release.train != self.train
        ):
            return False
        if self.hide_done and release.status in ("released", "cancelled"):
            return False
        env = self.environment
        if env is not None and all(s.environment != env for s in release.stages):
            return False
        if self.first is None and self.last is None:
            return True
        if release.start is None or release.target is None:
            return False
        return (self.last is None or release.start <= self.last) and (
            self.first is None or release.target >= self.first
        )


ALL: Final = ViewFilter()


class PlanGraph:
    """A plan's release edges flagged from one analysis, with adjacency and lookups.

    Args:
        plan: The plan.
        schedule: Its forecast (None: no critical path, no forecast bars).
        problems: Its ``check`` problems.
        index: Its index (default: built from ``plan``), e.g. from a workspace's compact
            columns, when ``plan`` holds releases only.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=(Release("A", "Alpha", "X", start=d, target=d),
        ...                       Release("B", "Beta", "Y", start=d, target=d)),
        ...             dependencies=(Dependency("release:A", "release:B"),))
        >>> g = PlanGraph(plan)
        >>> g.links["A", "B"].crossing, g.succ["A"], g.search("bet")
        (True, ['B'], ['B'])
    """

    def __init__(
        self,
        plan: Plan,
        *,
        schedule: Schedule | None = None,
        problems: Sequence[Problem] = (),
        index: PlanIndex | None = None,
    ) -> None:
        from relplan.planning.graph import index_plan

        self.plan, self.schedule = plan, schedule
        # The index the analyses were run on, when the caller has it (building one for the
        # large demo takes ~0.5 s).
        self.index = index if index is not None else index_plan(plan)
        self.releases: dict[str, Release] = self.index.releases
        self.problems: dict[str, list[Problem]] = {}
        self.cycle_of: dict[str, int] = {}
        broken: set[tuple[str, str]] = set()  # both ways round
        for n, problem in enumerate(problems):
            keys = [s[_CUT:] for s in problem.subjects if s.startswith(RELEASE_PREFIX)]
            for key in keys:
                self.problems.setdefault(key, []).append(problem)
            if problem.kind == "dependency_violation" and len(keys) == 2:
                broken.update(((keys[0], keys[1]), (keys[1], keys[0])))
            elif problem.kind == "cycle":
                self.cycle_of.update(dict.fromkeys(keys, n))
        critical = set(itertools.pairwise(schedule.critical_path)) if schedule else set()
        team = {key: r.team for key, r in self.releases.items()}
        implied, cycle_of = self.index.implied, self.cycle_of
        self.links: dict[tuple[str, str], Link] = {}
        self._links_of: dict[str, list[Link]] | None = None
        self.succ: dict[str, list[str]] = {}
        self.pred: dict[str, list[str]] = {}
        # Inline and lean: ~100,000 edges when large, and the sketch of a big plan waits for it.
        links, succ, pred = self.links, self.succ, self.pred
        make = tuple.__new__  # a NamedTuple's own __new__ is a Python function, 3x slower
        for p, s, type_, lag in self.index.edge_tuples():
            pair = (p, s)
            cycle = bool(cycle_of) and cycle_of.get(p, -1) == cycle_of.get(s, -2)
            links[pair] = make(
                Link,
                (
                    p, s, type_, lag, pair in implied, pair in critical, pair in broken, cycle,
                    team[p] != team[s], 1,
                ),
            )  # fmt: skip
            targets = succ.get(p)
            if targets is None:
                succ[p] = [s]
            else:
                targets.append(s)
            sources = pred.get(s)
            if sources is None:
                pred[s] = [p]
            else:
                sources.append(p)

    def links_of(self) -> dict[str, list[Link]]:
        """Each release's links, as predecessor or successor, in :attr:`links`' order.

        Built on first use and kept (the window's analysis builds it on its worker, so that
        the Timeline's first paint after an edit does not index ~90,000 links on the GUI
        thread); do not change it.
        """
        if self._links_of is None:
            by: dict[str, list[Link]] = {}
            get = by.get
            for link in self.links.values():
                for end in (link[0], link[1]):  # predecessor, successor
                    found = get(end)
                    if found is None:
                        by[end] = [link]
                    else:
                        found.append(link)
            self._links_of = by
        return self._links_of

    def forecast(self, key: str) -> ReleaseSchedule | None:
        """The release's forecast, or None."""
        return self.schedule.release(key) if self.schedule is not None else None

    def implied_by(self, predecessor: str, successor: str) -> tuple[tuple[str, str], ...]:
        """The ``(item:A, item:B)`` dependencies implying an edge (empty for explicit ones)."""
        edge = self.index.edge(predecessor, successor)
        return edge.implied_by if edge is not None else ()

    def keys(self, view: ViewFilter = ALL) -> list[str]:
        """The keys of the releases that pass ``view``, in plan order."""
        return [r.key for r in self.plan.releases if view.keeps(r)]

    def search(self, text: str, keys: Iterable[str] | None = None) -> list[str]:
        """Releases whose key or name contains ``text``, or whose team is it (any case); an
        exact key comes first, then by key."""
        needle = text.strip().casefold()
        if not needle:
            return []
        rels = self.releases
        found = [
            k
            for k in (rels if keys is None else keys)
            if needle in k.casefold()
            or needle in rels[k].name.casefold()
            or needle == rels[k].team.casefold()
        ]
        return sorted(found, key=lambda k: (k.casefold() != needle, k))

    def neighbourhood(
        self, seeds: Iterable[str], *, depth: int | None = 1, direction: Direction = "both"
    ) -> tuple[dict[str, int], dict[str, int]]:
        """The releases upstream and downstream of ``seeds``, with their distance in edges.

        Args:
            seeds: Release keys (distance 0 on both sides).
            depth: How many edges away (None: all the way).
            direction: ``up`` (prerequisites), ``down`` (dependents) or ``both``; the side not
                asked for holds the seeds only.

        Returns:
            ``(upstream, downstream)``: distance by key.
        """
        found = []
        for side, adjacency in (("up", self.pred), ("down", self.succ)):
            seen = dict.fromkeys(seeds, 0)
            frontier, level = sorted(seen), 0
            while frontier and direction in (side, "both") and (depth is None or level < depth):
                level += 1
                nxt = {n for k in frontier for n in adjacency.get(k, ()) if n not in seen}
                frontier = sorted(nxt)
                seen.update(dict.fromkeys(frontier, level))
            found.append(seen)
        return found[0], found[1]


# --- timeline ----------------------------------------------------------------------------------
