"""Coordinates for the dependency map; the view only draws them.

:func:`map_layout`, :func:`team_map_layout` and :func:`item_map_layout` lay graphs out left to
right by topological generation, ordered within a generation by barycentres.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX
from relplan.planning.graph_order import cyclic_core

if TYPE_CHECKING:
    import networkx as nx

from relplan.layout.graph import (
    _CUT,
    COLUMN_GAP,
    NODE_H,
    NODE_W,
    ROW_GAP,
    Direction,
    Link,
    PlanGraph,
    Point,
)


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
    """Topological generations of blocks: each strongly connected component is one block.

    Plain adjacency lists and Kahn's rounds rather than a networkx condensation: a large plan's
    release map has ~100,000 edges, and building a networkx graph of them cost seconds. Only
    the cyclic core (usually empty or small) goes to networkx for its components.
    """
    succ: dict[str, list[str]] = {k: [] for k in keys}
    for p, s in pairs:  # get, not setdefault(p, []): no new empty list for each of 100,000
        targets = succ.get(p)
        if targets is None:
            succ[p] = [s]
        else:
            targets.append(s)
        if s not in succ:
            succ[s] = []
    block_of = {k: k for k in succ}  # a node's block, named by its first member
    members: dict[str, list[str]] = {k: [k] for k in succ}
    core = cyclic_core(succ)
    if core:
        import networkx as nx  # here, not at the top: the window imports this module at start-up

        sub: nx.DiGraph[str] = nx.DiGraph()
        sub.add_nodes_from(core)
        sub.add_edges_from((p, s) for p in core for s in succ[p] if s in core)
        for component in nx.strongly_connected_components(sub):
            block = sorted(component)
            for k in block:
                del members[k]
                block_of[k] = block[0]
            members[block[0]] = block
    indegree = dict.fromkeys(members, 0)
    block_succ: dict[str, set[str]] = {b: set() for b in members}
    if not core:  # every block is one node: the same sets and counts, without the lookups
        for p, out in succ.items():
            found = block_succ[p]
            found.update(out)
            found.discard(p)
        for ends in block_succ.values():
            for s in ends:
                indegree[s] += 1
    for p, targets in succ.items() if core else ():
        bp = block_of[p]
        for s in targets:
            bs = block_of[s]
            if bs != bp and bs not in block_succ[bp]:
                block_succ[bp].add(bs)
                indegree[bs] += 1
    generation = [b for b, n in indegree.items() if not n]
    columns = []
    while generation:  # Kahn's algorithm by rounds: a round is a generation
        columns.append(sorted((members[b] for b in generation), key=lambda m: m[0]))
        following = []
        for b in generation:
            for s in block_succ[b]:
                indegree[s] -= 1
                if not indegree[s]:
                    following.append(s)
        generation = following
    return columns


def _ordered(
    columns: list[list[list[str]]], pairs: Iterable[tuple[str, str]], *, sweeps: int = 2
) -> list[list[str]]:
    """Sort the blocks of each column by their neighbours' mean position, sweeping right then
    left (a block keeps its members together)."""
    pred: dict[str, list[str]] = {}
    succ: dict[str, list[str]] = {}
    for p, s in pairs:
        targets, sources = succ.get(p), pred.get(s)
        if targets is None:
            succ[p] = [s]
        else:
            targets.append(s)
        if sources is None:
            pred[s] = [p]
        else:
            sources.append(p)
    pos: dict[str, float] = {}

    def place(column: list[list[str]]) -> None:
        flat = [k for block in column for k in block]
        pos.update((k, n - (len(flat) - 1) / 2) for n, k in enumerate(flat))  # centred

    def centre(block: list[str], adjacency: Mapping[str, list[str]]) -> float:
        if len(block) == 1:  # most blocks: no cycle; the same sum, at C speed
            k = block[0]
            ends = adjacency.get(k, ())
            if ends and k not in ends and all(map(pos.__contains__, ends)):
                return sum(map(pos.__getitem__, ends)) / len(ends)
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
        pairs = [lk[:2] for lk in links if lk[0] != lk[1]]  # (predecessor, successor)
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
        # The shortest link per release, in one pass: sorting ~100,000 links held the GIL (and
        # so the window's thread) for ~0.1 s in one C call.
        best: dict[str, tuple[tuple[int, str, str], Link]] = {}
        for lk in links:
            if lk[0] != lk[1]:
                key = lk[0] if lk[0] in upstream else lk[1]
                rank = (abs(gen[lk[1]] - gen[lk[0]]), lk[0], lk[1])
                old = best.get(key)
                if old is None or rank < old[0]:
                    best[key] = (rank, lk)
        kept = {lk for _, lk in best.values()}
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
    counted = {k for ks in members.values() for k in ks}
    grouped: dict[tuple[str, str], list[Link]] = {}
    for p in itertools.chain.from_iterable(members.values()):
        for s in graph.succ.get(p, ()):
            pair = (team[p], team[s])
            if pair[0] != pair[1] and s in counted:
                grouped.setdefault(pair, []).append(graph.links[p, s])
    agg: dict[tuple[str, str], Link] = {}
    for pair, links in grouped.items():  # folded once per team pair: ~100,000 edges when large
        first = links[0]
        agg[pair] = first._replace(
            predecessor=pair[0],
            successor=pair[1],
            type=first.type if all(lk.type == first.type for lk in links) else "",
            lag_days=min(lk.lag_days for lk in links),
            implied=all(lk.implied for lk in links),
            critical=any(lk.critical for lk in links),
            broken=any(lk.broken for lk in links),
            cycle=any(lk.cycle for lk in links),
            crossing=True,
            weight=len(links),
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


@dataclass(frozen=True, slots=True)
class MapRequest:
    """What the map view asks to be laid out (see :func:`lay_out`).

    Attributes:
        mode: ``teams``, ``releases`` or ``items``.
        keys: The releases that pass the view's filter.
        context: Add the direct neighbours outside ``keys``, faded (releases mode).
        items_of: The release whose item links are shown (items mode).
        focus: The release whose neighbourhood is shown (releases mode; None: all).
        depth: With ``focus``: how many edges away (None: all).
        direction: With ``focus``: ``up``, ``down`` or ``both``.
    """

    mode: str
    keys: tuple[str, ...]
    context: bool = False
    items_of: str | None = None
    focus: str | None = None
    depth: int | None = 1
    direction: Direction = "both"


class MapResult(NamedTuple):
    """A laid-out map with what the view needs besides.

    Attributes:
        layout: The map.
        unlinked: Items mode: the keys of the release's items without links.
        bounds: ``(left, top, right, bottom)`` of what the boxes (badges included) and the
            edges (arrowheads included) cover, so the view frames the map before drawing it.
    """

    layout: MapLayout
    unlinked: tuple[str, ...]
    bounds: tuple[float, float, float, float]


def map_bounds(layout: MapLayout) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` of a map's boxes, with the badge above a box's right
    corner, and of its edges' control points, with room for an arrowhead (zeros when empty)."""
    if not layout.nodes and not layout.edges:
        return (0.0, 0.0, 0.0, 0.0)
    xs = [x for n in layout.nodes for x in (n.x - 3, n.x + n.w + 9)]
    ys = [y for n in layout.nodes for y in (n.y - 9, n.y + n.h + 3)]
    points = [p for e in layout.edges for p in e.path]
    xs += [x for x, _ in points]
    ys += [y for _, y in points]
    pad = 8 if points else 0
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def lay_out(graph: PlanGraph, request: MapRequest) -> MapResult:
    """The map a :class:`MapRequest` asks for (pure: the view runs it on a worker thread).

    Args:
        graph: The plan graph.
        request: The mode, releases and focus.

    Returns:
        The layout, (items mode) the release's items without links, and the bounds.
    """
    unlinked: tuple[str, ...] = ()
    if request.mode == "items" and request.items_of is not None:
        layout, unlinked = item_map_layout(graph, request.items_of)
    elif request.mode == "teams":
        layout = team_map_layout(graph, request.keys)
    else:
        layout = map_layout(
            graph,
            request.keys,
            focus=request.focus,
            depth=request.depth,
            direction=request.direction,
            context=request.context,
        )
    return MapResult(layout, unlinked, map_bounds(layout))
