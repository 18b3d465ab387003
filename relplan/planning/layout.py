"""Coordinates for the timeline (Gantt) and the dependency map; the views only draw them.

:class:`PlanGraph` flags every release edge once per analysis (implied, critical, broken, on a
cycle, crossing teams). :class:`TimelineLayout` puts releases in rows grouped by team or train,
x in days from an origin; a row's items are built when a view first asks for them, so 2,000
releases cost what the visible rows cost. :func:`map_layout`, :func:`team_map_layout` and
:func:`item_map_layout` lay graphs out left to right by topological generation, ordered within a
generation by barycentres. Everything returned is plain tuples and numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Plan, Release
from relplan.planning.freezes import occurrences

if TYPE_CHECKING:
    import networkx as nx

    from relplan.planning.check import Problem
    from relplan.planning.schedule import ReleaseSchedule, Schedule

__all__ = [
    "Arrow",
    "FreezeBand",
    "Link",
    "MapLayout",
    "MapNode",
    "PlanGraph",
    "RowItems",
    "TimelineLayout",
    "TimelineRow",
    "ViewFilter",
    "arrow_path",
    "dragged_dates",
    "item_map_layout",
    "map_layout",
    "team_map_layout",
]

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
    """What a view shows: empty ``teams`` means every team; ``first``/``last`` clip the dates."""

    teams: frozenset[str] = frozenset()
    train: str | None = None
    environment: str | None = None
    first: dt.date | None = None
    last: dt.date | None = None

    def keeps(self, release: Release) -> bool:
        """Whether the release passes (with an environment: it has a stage there; with dates:
        it overlaps them, so undated releases drop out)."""
        if (self.teams and release.team not in self.teams) or (
            self.train is not None and release.train != self.train
        ):
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
        self, plan: Plan, *, schedule: Schedule | None = None, problems: Sequence[Problem] = ()
    ) -> None:
        from relplan.planning.graph import index_plan

        self.plan, self.schedule = plan, schedule
        self.index = index_plan(plan)
        self.releases: dict[str, Release] = self.index.releases
        self.problems: dict[str, list[Problem]] = {}
        self.cycle_of: dict[str, int] = {}
        broken: set[tuple[str, str]] = set()
        for n, problem in enumerate(problems):
            keys = [s[_CUT:] for s in problem.subjects if s.startswith(RELEASE_PREFIX)]
            for key in keys:
                self.problems.setdefault(key, []).append(problem)
            if problem.kind == "dependency_violation" and len(keys) == 2:
                broken.add((min(keys), max(keys)))
            elif problem.kind == "cycle":
                self.cycle_of.update(dict.fromkeys(keys, n))
        critical = set(itertools.pairwise(schedule.critical_path)) if schedule else set()
        team = {key: r.team for key, r in self.releases.items()}
        implied, cycle_of = self.index.implied, self.cycle_of
        self.links: dict[tuple[str, str], Link] = {}
        self.succ: dict[str, list[str]] = {}
        self.pred: dict[str, list[str]] = {}
        for p, s, type_, lag in self.index.edge_tuples():  # inline: ~100,000 edges when large
            pair = (p, s)
            c = cycle_of.get(p)
            cycle = c is not None and c == cycle_of.get(s)
            broke = (min(pair), max(pair)) in broken
            crossing = team[p] != team[s]
            self.links[pair] = Link(
                p, s, type_, lag, pair in implied, pair in critical, broke, cycle, crossing
            )
            self.succ.setdefault(p, []).append(s)
            self.pred.setdefault(s, []).append(p)

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


class TimelineRow(NamedTuple):
    """One row: a group header (``kind="group"``, ``key`` the group's) or a release."""

    row: int
    kind: str
    group: str
    key: str
    label: str


class RowItems(NamedTuple):
    """What a release row draws, x in days from the origin (ends exclusive).

    Attributes:
        row: The row.
        key: The release.
        bar: ``(x0, x1)`` from start to target; None when undated.
        segments: ``(x0, x1, environment, rank)`` per stage; rank: the environment's order.
        milestones: ``(x, name)``, x at the middle of the day.
        ghost: The forecast ``(x0, x1)`` (early start..early finish) when it differs.
        critical: On the critical path.
    """

    row: int
    key: str
    bar: tuple[float, float] | None
    segments: tuple[tuple[float, float, str, int], ...]
    milestones: tuple[tuple[float, str], ...]
    ghost: tuple[float, float] | None
    critical: bool


class Arrow(NamedTuple):
    """A dependency from ``(x0, row0)`` to ``(x1, row1)`` (days, rows)."""

    link: Link
    x0: float
    row0: int
    x1: float
    row1: int


class FreezeBand(NamedTuple):
    """A freeze occurrence over days ``x0..x1``; ``rows``: its teams' row spans (inclusive),
    empty when it covers every team."""

    x0: float
    x1: float
    name: str
    environments: tuple[str, ...]
    teams: tuple[str, ...]
    rows: tuple[tuple[int, int], ...]


class TimelineLayout:
    """Releases in rows grouped by team or train, x in days from :attr:`origin`.

    Args:
        graph: The plan graph.
        view: What to show; ``first``/``last`` fix the range (else the releases' span, padded).
        group_by: ``team`` or ``train``; groups by key, releases by start, target, key.
        pad_days: Days added to each side of the releases' span.
        today: The range when nothing is dated.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Plan, Release
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=(Release("A", "A", "X", start=d, target=d + dt.timedelta(4)),))
        >>> t = TimelineLayout(PlanGraph(plan), pad_days=2)
        >>> [r.kind for r in t.rows], str(t.origin), t.span_days, t.items(0, 1)[0].bar
        (['group', 'release'], '2026-10-31', 9, (2.0, 7.0))
        >>> t.hit(1, 6.9), t.hit(1, 3.0), t.hit(1, 8.0)
        (('A', 'end'), ('A', 'body'), None)
    """

    def __init__(
        self,
        graph: PlanGraph,
        view: ViewFilter = ALL,
        *,
        group_by: Literal["team", "train"] = "team",
        pad_days: int = 7,
        today: dt.date = dt.date(2000, 1, 1),
    ) -> None:
        self.graph, self.view, self.group_by = graph, view, group_by
        releases = [graph.releases[k] for k in graph.keys(view)]
        starts = [r.start for r in releases if r.start and r.target]
        targets = [r.target for r in releases if r.start and r.target]
        pad = dt.timedelta(days=pad_days)
        self.origin: dt.date = view.first or (min(starts) - pad if starts else today)
        last = view.last or (max(targets) + pad if targets else self.origin)
        self.span_days: int = max((last - self.origin).days + 1, 1)
        plan = graph.plan
        names = {t.key: t.name for t in (plan.teams if group_by == "team" else plan.trains)}
        groups: dict[str, list[Release]] = {}
        for r in releases:
            groups.setdefault((r.team if group_by == "team" else r.train) or "", []).append(r)
        far = dt.date.max
        rows: list[TimelineRow] = []
        for group in sorted(groups, key=lambda g: (g == "", g)):
            rows.append(TimelineRow(len(rows), "group", group, group, names.get(group, group)))
            for r in sorted(groups[group], key=lambda r: (r.start or far, r.target or far, r.key)):
                rows.append(TimelineRow(len(rows), "release", group, r.key, r.name))
        self.rows: tuple[TimelineRow, ...] = tuple(rows)
        self._row_of = {row.key: row.row for row in rows if row.kind == "release"}
        self._items: dict[int, RowItems] = {}
        self._by_row: dict[int, list[Link]] | None = None
        self._bands: tuple[FreezeBand, ...] | None = None
        by_order = sorted(plan.environments, key=lambda e: e.order)
        self._ranks = {e.name: n for n, e in enumerate(by_order)}

    def x(self, day: dt.date) -> float:
        """Days from the origin to ``day``."""
        return float((day - self.origin).days)

    def day(self, x: float) -> dt.date:
        """The day at ``x``."""
        return self.origin + dt.timedelta(days=math.floor(x))

    def row_of(self, key: str) -> int | None:
        """The row of a release, or None when it is not shown."""
        return self._row_of.get(key)

    def items(self, first_row: int, last_row: int) -> list[RowItems]:
        """The items of the release rows in ``first_row..last_row`` (built on first use)."""
        found = []
        for n in range(max(first_row, 0), min(last_row, len(self.rows) - 1) + 1):
            if self.rows[n].kind == "release":
                items = self._items.get(n)
                if items is None:
                    items = self._items[n] = self._build(self.rows[n])
                found.append(items)
        return found

    def _build(self, row: TimelineRow) -> RowItems:
        r, x, env = self.graph.releases[row.key], self.x, self.view.environment
        bar = (x(r.start), x(r.target) + 1) if r.start and r.target else None
        segments = tuple(
            (x(s.start), x(s.end) + 1, s.environment, self._ranks.get(s.environment, -1))
            for s in r.stages
            if env is None or s.environment == env
        )
        milestones = tuple((x(m.date) + 0.5, m.name) for m in r.milestones)
        f = self.graph.forecast(r.key)
        ghost = None
        if f is not None and (f.early_start, f.early_finish) != (f.start, f.target):
            ghost = (x(f.early_start), x(f.early_finish) + 1)
        return RowItems(row.row, r.key, bar, segments, milestones, ghost, bool(f and f.critical))

    def arrows(
        self, first_row: int, last_row: int, *, implied: bool = True, around: Collection[str] = ()
    ) -> list[Arrow]:
        """Arrows with an end in rows ``first_row..last_row`` (both ends shown and dated).

        Args:
            first_row: The first row in view.
            last_row: The last row in view.
            implied: Include edges implied by work items.
            around: Releases whose edges are included anyway (say, the selected one).
        """
        if self._by_row is None:  # the first call indexes every edge by its rows
            self._by_row = {}
            for link in self.graph.links.values():
                a, b = self._row_of.get(link.predecessor), self._row_of.get(link.successor)
                if a is not None and b is not None and a != b:
                    self._by_row.setdefault(a, []).append(link)
                    self._by_row.setdefault(b, []).append(link)
        seen: dict[tuple[str, str], Arrow] = {}
        for n in range(first_row, last_row + 1):
            for link in self._by_row.get(n, ()):
                pair = (link.predecessor, link.successor)
                if pair in seen or (link.implied and not implied and not set(pair) & set(around)):
                    continue
                p, s = self.graph.releases[pair[0]], self.graph.releases[pair[1]]
                if p.start and p.target and s.start and s.target:
                    x0 = self.x(p.target) + 1 if link.type in ("FS", "FF") else self.x(p.start)
                    x1 = self.x(s.target) + 1 if link.type in ("FF", "SF") else self.x(s.start)
                    seen[pair] = Arrow(link, x0, self._row_of[p.key], x1, self._row_of[s.key])
        return list(seen.values())

    def freeze_bands(self) -> tuple[FreezeBand, ...]:
        """The freeze occurrences in range (those covering the view's environment); worked out
        on the first call, as every repaint asks."""
        if self._bands is None:
            self._bands = tuple(self._freeze_bands())
        return self._bands

    def _freeze_bands(self) -> list[FreezeBand]:
        last = self.origin + dt.timedelta(days=self.span_days - 1)
        teams = [
            (row.key if self.group_by == "team" else None)
            if row.kind == "group"
            else self.graph.releases[row.key].team
            for row in self.rows
        ]
        bands = []
        for freeze in self.graph.plan.freezes:
            if not freeze.covers(environment=self.view.environment, team=None):
                continue
            spans: list[tuple[int, int]] = []
            if freeze.teams:
                hit = [n for n, team in enumerate(teams) if team in freeze.teams]
                for _, run in itertools.groupby(enumerate(hit), lambda p: p[1] - p[0]):
                    members = [n for _, n in run]
                    spans.append((members[0], members[-1]))
                if not spans:
                    continue
            zone = self.graph.plan.timezone
            for o in occurrences(freeze, first=self.origin, last=last, zone=zone):
                x0, x1 = self.x(o.first_day), self.x(o.last_day) + 1
                scope = (freeze.environments, freeze.teams, tuple(spans))
                bands.append(FreezeBand(x0, x1, freeze.name, *scope))
        return bands

    def hit(self, row: int, x: float, *, grip_days: float = 0.5) -> tuple[str, str] | None:
        """The bar at ``(x, row)``: ``(key, "end")`` within ``grip_days`` of its right end,
        else ``(key, "body")``; None when there is none."""
        if not 0 <= row < len(self.rows) or self.rows[row].kind != "release":
            return None
        bar = self.items(row, row)[0].bar
        if bar is None or not bar[0] <= x <= bar[1] + grip_days:
            return None
        return self.rows[row].key, "end" if x >= bar[1] - grip_days else "body"


def dragged_dates(
    start: dt.date, target: dt.date, delta_days: int, *, part: str
) -> tuple[dt.date, dt.date]:
    """A release's dates after a drag: ``body`` moves both, ``end`` the target only (never
    before the start).

    Examples:
        >>> d = dt.date(2026, 11, 2)
        >>> dragged_dates(d, d + dt.timedelta(4), -9, part="end")
        (datetime.date(2026, 11, 2), datetime.date(2026, 11, 2))
    """
    delta = dt.timedelta(days=delta_days)
    if part == "end":
        return start, max(start, target + delta)
    return start + delta, target + delta


def arrow_path(arrow: Arrow, *, day_px: float, row_px: float, stub_px: float = 8) -> list[Point]:
    """An elbow polyline in pixels: out of the predecessor's end (or start), into the
    successor's start from the left (or its target from the right).

    Examples:
        >>> arrow_path(Arrow(Link("A", "B", "FS", 0), 5, 0, 10, 2), day_px=2, row_px=10, stub_px=4)
        [(10, 5.0), (14, 5.0), (14, 20.0), (16, 20.0), (16, 25.0), (20, 25.0)]
    """
    out = 1 if arrow.link.type in ("FS", "FF") else -1
    into = -1 if arrow.link.type in ("FF", "SF") else 1
    x0, x1 = arrow.x0 * day_px, arrow.x1 * day_px
    y0, y1 = (arrow.row0 + 0.5) * row_px, (arrow.row1 + 0.5) * row_px
    ym = y1 - math.copysign(row_px / 2, y1 - y0)
    a, b = x0 + out * stub_px, x1 - into * stub_px
    return [(x0, y0), (a, y0), (a, ym), (b, ym), (b, y1), (x1, y1)]


# --- dependency map ----------------------------------------------------------------------------


class MapNode(NamedTuple):
    """A box of the map (top-left ``x, y``, size ``w, h``).

    Attributes:
        key: A release key, team key or item ref.
        kind: ``release``, ``team``, ``item`` or ``ref`` (a release end on the item map).
        label: The first line.
        detail: The second line.
        group: The team (its colour).
        generation: The column.
        status: The release status or item category.
        role: ``focus``; ``context`` (a neighbour outside the filter); ``external`` (another
            release's item); or ``""``.
        critical: On the critical path.
        cycle: On a dependency cycle.
        problems: How many problems name it.
    """

    key: str
    kind: str
    label: str
    detail: str
    group: str
    x: float = 0.0
    y: float = 0.0
    w: float = NODE_W
    h: float = NODE_H
    generation: int = 0
    status: str = ""
    role: str = ""
    critical: bool = False
    cycle: bool = False
    problems: int = 0


class MapEdge(NamedTuple):
    """An edge: its link and a cubic Bézier ``(p0, c1, c2, p3)``."""

    link: Link
    path: tuple[Point, Point, Point, Point]


@dataclass(frozen=True, slots=True)
class MapLayout:
    """A laid-out map; ``hidden_edges`` counts the edges left out to keep it readable."""

    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    width: float
    height: float
    hidden_edges: int = 0


def _columns(keys: Sequence[str], pairs: Iterable[tuple[str, str]]) -> list[list[list[str]]]:
    """Topological generations of blocks: each strongly connected component is one block."""
    import networkx as nx  # here, not at the top: the window imports this module at start-up

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(keys)
    graph.add_edges_from(pairs)
    cond = nx.condensation(graph)
    return [
        sorted((sorted(cond.nodes[c]["members"]) for c in gen), key=lambda b: b[0])
        for gen in nx.topological_generations(cond)
    ]


def _ordered(
    columns: list[list[list[str]]], pairs: Iterable[tuple[str, str]], *, sweeps: int = 2
) -> list[list[str]]:
    """Sort the blocks of each column by their neighbours' mean position, sweeping right then
    left (a block keeps its members together)."""
    pred: dict[str, list[str]] = {}
    succ: dict[str, list[str]] = {}
    for p, s in pairs:
        succ.setdefault(p, []).append(s)
        pred.setdefault(s, []).append(p)
    pos: dict[str, float] = {}

    def place(column: list[list[str]]) -> None:
        flat = [k for block in column for k in block]
        pos.update((k, n - (len(flat) - 1) / 2) for n, k in enumerate(flat))  # centred

    def centre(block: list[str], adjacency: Mapping[str, list[str]]) -> float:
        near = [pos[n] for k in block for n in adjacency.get(k, ()) if n in pos and n not in block]
        return sum(near) / len(near) if near else sum(pos[k] for k in block) / len(block)

    for column in columns:
        place(column)
    for _ in range(sweeps):
        for order, adjacency in ((columns[1:], pred), (columns[-2::-1], succ)):
            for column in order:
                column.sort(key=lambda block: centre(block, adjacency))
                place(column)
    return [[k for block in column for k in block] for column in columns]


def _place(
    columns: list[list[str]], links: Iterable[Link], nodes: Mapping[str, MapNode]
) -> MapLayout:
    """Place node templates column by column (centred) and route each link as a Bézier."""
    pitch = NODE_H + ROW_GAP
    tallest = max((len(c) for c in columns), default=0)
    placed: dict[str, MapNode] = {}
    for gen, column in enumerate(columns):
        top = (tallest - len(column)) * pitch / 2
        for n, key in enumerate(column):
            x = gen * (NODE_W + COLUMN_GAP)
            placed[key] = nodes[key]._replace(x=x, y=top + n * pitch, generation=gen)
    edges = []
    for link in links:
        a, b = placed.get(link.predecessor), placed.get(link.successor)
        if a is None or b is None or a is b:
            continue
        if b.generation != a.generation:  # an S between the columns, backwards ones lower
            ahead = b.generation > a.generation
            y0, y1 = (
                (a.y + a.h / 2, b.y + b.h / 2) if ahead else (a.y + a.h * 0.75, b.y + b.h * 0.75)
            )
            p0, p3 = ((a.x + a.w, y0), (b.x, y1)) if ahead else ((a.x, y0), (b.x + b.w, y1))
            bend = math.copysign(max(COLUMN_GAP / 2, abs(p3[0] - p0[0]) / 2), p3[0] - p0[0])
            c1, c2 = (p0[0] + bend, p0[1]), (p3[0] - bend, p3[1])
        else:  # within a column (a cycle): out to the right and back in
            p0, p3 = (a.x + a.w, a.y + a.h / 2), (b.x + b.w, b.y + b.h / 2)
            reach = COLUMN_GAP * 0.7 + abs(p3[1] - p0[1]) * 0.15
            c1, c2 = (p0[0] + reach, p0[1]), (p3[0] + reach, p3[1])
        edges.append(MapEdge(link, (p0, c1, c2, p3)))
    width = max(len(columns) * (NODE_W + COLUMN_GAP) - COLUMN_GAP, 0.0)
    return MapLayout(tuple(placed.values()), tuple(edges), width, tallest * pitch)


def _release_node(graph: PlanGraph, key: str, role: str) -> MapNode:
    r, f = graph.releases[key], graph.forecast(key)
    dates = f"{r.start:%d %b} – {r.target:%d %b %Y}" if r.start and r.target else "no dates"
    flags: dict[str, Any] = {"critical": bool(f and f.critical), "cycle": key in graph.cycle_of}
    flags["problems"] = len(graph.problems.get(key, ()))
    return MapNode(key, "release", key, dates, r.team, status=r.status, role=role, **flags)


def map_layout(
    graph: PlanGraph,
    keys: Iterable[str],
    *,
    focus: str | None = None,
    depth: int | None = 1,
    direction: Direction = "both",
    context: bool = False,
    sweeps: int = 2,
    max_edges: int | None = 5_000,
) -> MapLayout:
    """The release map of ``keys``, or of ``focus``'s upstream and downstream among them.

    Args:
        graph: The plan graph.
        keys: The releases to show (e.g. :meth:`PlanGraph.keys` of a filter).
        focus: Show only this release, its upstream and its downstream (and the edges within
            each side).
        depth: With ``focus``: how many edges away (None: all).
        direction: With ``focus``: ``up``, ``down`` or ``both``.
        context: Add the direct neighbours outside ``keys`` (``role="context"``).
        sweeps: Barycentre sweeps.
        max_edges: Above this many edges (None: never) each release keeps one: an upstream
            release its link towards the focus, any other its nearest incoming link; broken,
            cycle and critical edges stay. ``hidden_edges`` counts the others.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=tuple(Release(k, k, "T", start=d, target=d) for k in "ABC"),
        ...             dependencies=(Dependency("release:A", "release:B"),
        ...                           Dependency("release:B", "release:C")))
        >>> g = PlanGraph(plan)
        >>> [(n.key, n.generation) for n in map_layout(g, "ABC").nodes]
        [('A', 0), ('B', 1), ('C', 2)]
        >>> [(n.key, n.role) for n in map_layout(g, "ABC", focus="C").nodes]
        [('B', ''), ('C', 'focus')]
    """
    roles = dict.fromkeys(keys, "")
    if context:
        for key in list(roles):
            for other in itertools.chain(graph.succ.get(key, ()), graph.pred.get(key, ())):
                roles.setdefault(other, "context")
    links = [graph.links[p, s] for p in roles for s in graph.succ.get(p, ()) if s in roles]
    if focus is None or focus not in roles:
        order = sorted(roles, key=lambda k: (graph.releases[k].team, k))
        pairs = [(lk[0], lk[1]) for lk in links if lk[0] != lk[1]]
        columns = _columns(order, pairs)
    else:  # columns by distance: upstream to the left, downstream to the right
        up, down = graph.neighbourhood([focus], depth=depth, direction=direction)
        column = {k: -d for k, d in up.items() if k in roles}
        column.update((k, d) for k, d in down.items() if k in roles)
        roles = {k: "focus" if k == focus else roles[k] for k in column}
        # Only the edges of shortest paths to or from the focus, one column apart.
        links = [
            lk
            for lk in links
            if lk[0] in column and lk[1] in column and column[lk[1]] - column[lk[0]] == 1
        ]
        pairs = [(lk[0], lk[1]) for lk in links]
        left = min(column.values())
        columns = [[] for _ in range(max(column.values()) - left + 1)]
        for k in sorted(column, key=lambda k: (graph.releases[k].team, k)):
            columns[column[k] - left].append([k])
    ordered = _ordered(columns, pairs, sweeps=sweeps)
    shown = links
    if max_edges is not None and len(links) > max_edges:
        gen = {k: n for n, column in enumerate(ordered) for k in column}
        upstream = {k for k in gen if gen[k] < gen[focus]} if focus in gen else set()
        best: dict[str, Link] = {}
        for lk in sorted(links, key=lambda lk: (abs(gen[lk[1]] - gen[lk[0]]), lk[0], lk[1])):
            if lk[0] != lk[1]:
                best.setdefault(lk[0] if lk[0] in upstream else lk[1], lk)
        kept = set(best.values())
        shown = [lk for lk in links if lk in kept or lk.broken or lk.cycle or lk.critical]
    layout = _place(ordered, shown, {k: _release_node(graph, k, roles[k]) for k in roles})
    return dataclasses.replace(layout, hidden_edges=len(links) - len(shown))


def team_map_layout(
    graph: PlanGraph, keys: Iterable[str], *, max_edges: int | None = 240
) -> MapLayout:
    """One node per team of ``keys``, with their release edges aggregated between teams.

    Teams often depend on each other both ways, so cycles are not condensed here: a greedy
    feedback-arc order (Eades, Lin and Smyth) sets the columns (about ``sqrt(n)`` of them at
    most), and edges against the order loop back.

    Args:
        graph: The plan graph.
        keys: The releases that count.
        max_edges: Keep at most this many unflagged edges, heaviest first (None: all); broken,
            cycle and critical edges are always kept.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Dependency, Plan, Release
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=tuple(Release(k, k, k[0], start=d, target=d)
        ...                            for k in ("A1", "B1", "B2")),
        ...             dependencies=(Dependency("release:A1", "release:B1"),
        ...                           Dependency("release:A1", "release:B2")))
        >>> m = team_map_layout(PlanGraph(plan), ["A1", "B1", "B2"])
        >>> [(n.key, n.generation, n.detail) for n in m.nodes], m.edges[0].link.weight
        ([('A', 0, '1 release'), ('B', 1, '2 releases')], 2)
    """
    members: dict[str, list[str]] = {}
    for key in sorted(keys):
        members.setdefault(graph.releases[key].team, []).append(key)
    team = {k: r.team for k, r in graph.releases.items()}
    agg: dict[tuple[str, str], Link] = {}
    for p in itertools.chain.from_iterable(members.values()):
        for s in graph.succ.get(p, ()):
            pair = (team[p], team[s])
            if pair[0] == pair[1] or s not in members.get(pair[1], ()):
                continue
            link, old = graph.links[p, s], agg.get(pair)
            agg[pair] = (
                link._replace(predecessor=pair[0], successor=pair[1], crossing=True)
                if old is None
                else old._replace(
                    type=old.type if old.type == link.type else "",
                    lag_days=min(old.lag_days, link.lag_days),
                    implied=old.implied and link.implied,
                    critical=old.critical or link.critical,
                    broken=old.broken or link.broken,
                    cycle=old.cycle or link.cycle,
                    weight=old.weight + 1,
                )
            )
    order = _feedback_order(list(members), agg)
    rank = {t: n for n, t in enumerate(order)}
    gen: dict[str, int] = {}
    for t in order:  # longest path over the edges that go forward in the order
        gen[t] = max((gen[p] + 1 for p, s in agg if s == t and rank[p] < rank[t]), default=0)
    count = max(gen.values(), default=0) + 1
    cap = min(count, math.ceil(math.sqrt(len(order))) + 1)
    columns: list[list[list[str]]] = [[] for _ in range(cap)]
    for t in order:
        columns[gen[t] * cap // count].append([t])
    flagged = [lk for lk in agg.values() if lk.broken or lk.cycle or lk.critical]
    rest = sorted((lk for lk in agg.values() if lk not in flagged), key=lambda lk: -lk.weight)
    kept = flagged + (rest if max_edges is None else rest[:max_edges])
    names = {t.key: t.name for t in graph.plan.teams}
    nodes = {}
    for t, ks in members.items():
        detail = f"{len(ks)} release{'s' * (len(ks) != 1)}"
        problems = sum(len(graph.problems.get(k, ())) for k in ks)
        cycle = any(k in graph.cycle_of for k in ks)
        nodes[t] = MapNode(t, "team", names.get(t, t), detail, t, cycle=cycle, problems=problems)
    layout = _place(_ordered([c for c in columns if c], list(agg)), kept, nodes)
    return MapLayout(layout.nodes, layout.edges, layout.width, layout.height, len(agg) - len(kept))


def _feedback_order(nodes: list[str], links: Mapping[tuple[str, str], Link]) -> list[str]:
    """Eades–Lin–Smyth: sinks go to the back, sources to the front, else the node with the
    most outgoing weight over incoming."""
    front: list[str] = []
    back: list[str] = []
    rest = set(nodes)
    while rest:
        out, into = dict.fromkeys(rest, 0), dict.fromkeys(rest, 0)
        for (p, s), link in links.items():
            if p in rest and s in rest:
                out[p] += link.weight
                into[s] += link.weight
        sinks = sorted((n for n in rest if not out[n]), reverse=True)
        sources = sorted(n for n in rest if not into[n])
        pick = sinks or sources or [max(sorted(rest), key=lambda n: out[n] - into[n])]
        (back if sinks else front).extend(pick)
        rest.difference_update(pick)
    return front + back[::-1]


def item_map_layout(graph: PlanGraph, key: str) -> tuple[MapLayout, tuple[str, ...]]:
    """The item-level links of one release: its items and the items and releases they link to.

    Args:
        graph: The plan graph.
        key: The release.

    Returns:
        The map (nodes outside the release have ``role="external"``; links crossing releases
        are flagged ``crossing``), and the keys of the release's items that have no link.

    Examples:
        >>> from relplan.domain.model import Dependency, Plan, Release, WorkItem
        >>> plan = Plan(releases=(Release("A", "A", "T"), Release("B", "B", "T")),
        ...             work_items=(WorkItem("A-1", "x", release="A"),
        ...                         WorkItem("A-2", "y", release="A"),
        ...                         WorkItem("B-1", "z", release="B")),
        ...             dependencies=(Dependency("item:A-1", "item:B-1"),))
        >>> m, unlinked = item_map_layout(PlanGraph(plan), "A")
        >>> [(n.key, n.role) for n in m.nodes], unlinked, m.edges[0].link.crossing
        ([('item:A-1', ''), ('item:B-1', 'external')], ('A-2',), True)
    """
    items = {ITEM_PREFIX + i.key: i for i in graph.plan.work_items}
    own = {ref for ref, i in items.items() if i.release == key}
    links: list[Link] = []
    nodes: dict[str, MapNode] = {}
    for dep in graph.plan.dependencies:
        if dep.from_ref not in own and dep.to_ref not in own:
            continue
        homes = []
        for ref in (dep.from_ref, dep.to_ref):
            item = items.get(ref)
            r = graph.releases.get(ref[_CUT:]) if ref.startswith(RELEASE_PREFIX) else None
            homes.append(item.release if item else ref)
            if item is not None:
                role = "" if ref in own else "external"
                where = f"{item.release or 'no release'} · " if role else ""
                node = MapNode(ref, "item", item.key, where + item.title, item.team or "")
                nodes[ref] = node._replace(status=item.category, role=role)
            else:
                label, detail = (r.key, r.name) if r else (ref, "unknown")
                node = MapNode(ref, "ref", label, detail, r.team if r else "", role="external")
                nodes[ref] = node
        crossing = homes[0] != homes[1]
        links.append(Link(dep.from_ref, dep.to_ref, dep.type, dep.lag_days, crossing=crossing))
    order = sorted(nodes, key=lambda ref: (nodes[ref].role != "", ref))
    pairs = [(lk[0], lk[1]) for lk in links if lk[0] != lk[1]]
    layout = _place(_ordered(_columns(order, pairs), pairs), links, nodes)
    return layout, tuple(sorted(items[ref].key for ref in own if ref not in nodes))
