"""The dependency graph as Graphviz DOT and as GraphML.

Nodes are releases (``release:KEY``) and, with ``--items``, the work items that take part in a
dependency (``item:KEY``); edges are the release dependencies plus the release edges that item
dependencies imply (shared/spec/workspace-format.md), marked ``implied`` (dashed in DOT) with the
item pairs behind them, and with ``--items`` the item dependencies too. Nodes carry ``kind``,
``team``, dates and, when the plan has no cycle, the schedule's ``float_days`` and ``critical``
(:func:`relplan.planning.schedule.schedule_plan`).

The DOT is written here rather than with pydot or pygraphviz (neither is a dependency); the
GraphML is streamed by :mod:`relplan.formats.graphml_writer`, as the text networkx's own writer
would give (whose element tree of a large plan took a minute and 1.6 GB).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Final, Literal

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Plan
from relplan.formats.csv_export import selected_releases
from relplan.formats.export_filter import ExportFilter
from relplan.formats.graph_links import GraphLinks, ScheduleMarks, implied_edges
from relplan.planning.graph import PlanIndex, index_plan

if TYPE_CHECKING:  # networkx takes ~0.15 s to import: GraphML from records does without it
    import networkx as nx

__all__ = [
    "EDGE_FIELDS",
    "Edge",
    "GraphRecords",
    "ItemRow",
    "export_graph",
    "graph_records",
    "to_dot",
]

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FONT: Final = "Helvetica"

Value = str | int | float | bool


#: The data of an exported edge: ``(type, lag_days, implied, implied_by)``, every edge all four
#: (:data:`EDGE_FIELDS`); ``implied_by`` is the item pairs behind an implied edge,
#: ``item:A->item:B; ...`` (a plain tuple: a named one cost 0.5 s of a large export).
Edge = tuple[str, int, bool, str]
#: The names of an :data:`Edge`'s fields, its attributes in networkx and GraphML.
EDGE_FIELDS: Final = ("type", "lag_days", "implied", "implied_by")


class GraphRecords:
    """The nodes and edges of an exported graph, in the order networkx would hold them, without
    a networkx graph: building one of a large plan (87,000 edges) cost more than writing it.

    Attributes:
        nodes: Node attributes by node, in insertion order.
        successors: Per node (every node, in :attr:`nodes`' order), the data of its out-edges
            by target, in insertion order: a networkx ``DiGraph``'s adjacency. A second edge
            between the same nodes replaces the first's data and keeps its place, as
            networkx's ``add_edge`` updates it (every edge has all of an :data:`Edge`'s fields).
    """

    __slots__ = ("nodes", "successors")

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Value]] = {}
        self.successors: dict[str, dict[str, Edge]] = {}

    def add_node(self, ref: str, attrs: dict[str, Value]) -> None:
        """Add a node (its attributes are merged into an existing one's, as networkx does)."""
        if ref in self.nodes:
            self.nodes[ref].update(attrs)
        else:
            self.nodes[ref] = attrs
            self.successors[ref] = {}

    def edges(self) -> Iterator[tuple[str, str, dict[str, Value]]]:
        """``(u, v, attributes)`` of every edge, in networkx's ``edges(data=True)`` order."""
        for u, targets in self.successors.items():
            for v, edge in targets.items():
                yield u, v, dict(zip(EDGE_FIELDS, edge, strict=True))

    def number_of_nodes(self) -> int:
        """How many nodes."""
        return len(self.nodes)

    def number_of_edges(self) -> int:
        """How many edges."""
        return sum(map(len, self.successors.values()))

    def to_networkx(self) -> nx.DiGraph[str]:
        """The same graph as a networkx ``DiGraph``."""
        import networkx as nx

        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from(self.edges())
        return graph


def export_graph(
    plan: Plan,
    *,
    selection: ExportFilter | None = None,
    items: bool = False,
    index: PlanIndex | None = None,
) -> nx.DiGraph[str]:
    """The dependency graph with flat attributes that both DOT and GraphML can hold.

    Args:
        plan: The plan. With ``index``, its work items and dependencies are not read, except
            the work items with ``items``, of which only those in a dependency are needed (see
            :meth:`relplan.store.workspace.Workspace.linked_item_rows`).
        selection: With a team, train or date filter, only the releases it keeps (and their
            work items) and the edges between them; default: everything.
        items: Add the work items that take part in at least one dependency, and their edges
            (``--items``); by default the graph holds the releases and the release edges,
            explicit and implied.
        index: The plan's index (default: :func:`index_plan`), e.g. from a workspace's compact
            columns (:meth:`PlanIndex.from_columns`): its dependencies are the graph's.

    Returns:
        A new graph. Node attributes: ``kind``, ``label`` and, where known, ``name``, ``team``,
        ``train``, ``status``, ``start``, ``target`` (ISO days), ``float_days``, ``critical``
        (releases), ``release``, ``category``, ``points`` (items). Edge attributes: ``type``,
        ``lag_days``, ``implied`` and ``implied_by`` (``item:A->item:B`` pairs joined by
        ``"; "``).
    """
    return graph_records(plan, selection=selection, items=items, index=index).to_networkx()


def graph_records(
    plan: Plan,
    *,
    selection: ExportFilter | None = None,
    items: bool = False,
    index: PlanIndex | None = None,
    links: GraphLinks | None = None,
    item_rows: Iterable[ItemRow] | None = None,
    marks: ScheduleMarks | Literal["compute"] | None = "compute",
) -> GraphRecords:
    """:func:`export_graph`'s graph as :class:`GraphRecords` (same arguments), for
    :func:`write_graph_records`.

    ``links`` (the index's :class:`~relplan.formats.graph_links.GraphLinks`, e.g. from a
    workspace's cache) stands in for the index's implied edges, and without ``items`` for its
    dependencies too, so they are not read. ``item_rows`` (with ``items``) stand in for the
    plan's work items: those a dependency names, as :data:`ItemRow` columns (see
    :meth:`relplan.store.workspace.Workspace.linked_item_rows`), so no objects are built.
    ``marks`` are the schedule's (see :func:`~relplan.formats.graph_links.schedule_marks`;
    None: the plan has a cycle); by default they are computed.
    """
    if index is None:
        index = index_plan(plan)
    if marks == "compute":
        marks = ScheduleMarks.of_index(index)
    if links is not None and not items:
        return _release_records(plan, marks, selection or ExportFilter(), links)
    keep = selection or ExportFilter()
    filtered = bool(keep.teams or keep.train or keep.date_from or keep.date_to)
    graph = GraphRecords()
    _add_releases(graph, plan, marks, keep)
    dependencies = index.dependencies
    linked = set(map(itemgetter(0), dependencies))
    linked.update(map(itemgetter(1), dependencies))
    if item_rows is None:
        item_rows = [
            (i.key, i.title, i.category, i.team, i.release, i.points) for i in plan.work_items
        ]
    else:
        item_rows = list(item_rows)
    if items:
        chosen = _selected_rows(plan, keep, item_rows) if filtered else item_rows
        nodes = graph.nodes
        for key, title, category, team, release, points in sorted(chosen):
            ref = ITEM_PREFIX + key
            if ref not in linked:
                continue
            attrs: dict[str, Value] = {"kind": "item", "label": key, "name": title}
            attrs["category"] = category
            if team is not None:
                attrs["team"] = team
            if release is not None:
                attrs["release"] = release
            if points is not None:
                attrs["points"] = points
            if ref in nodes:
                graph.add_node(ref, attrs)
            else:
                nodes[ref] = attrs
                graph.successors[ref] = {}
    if not filtered:  # ends that name nothing (drawn dotted); items' only with --items
        known = {r.ref for r in plan.releases}
        known.update(ITEM_PREFIX + row[0] for row in item_rows)
        for ref in sorted(linked - known):
            if items or ref.startswith(RELEASE_PREFIX):
                graph.add_node(ref, {"kind": "unknown", "label": ref})
    successors = graph.successors
    for from_ref, to_ref, type_, lag in dependencies:
        targets = successors.get(from_ref)
        if targets is not None and to_ref in successors:
            targets[to_ref] = (str(type_), int(lag), False, "")
    if links is not None:  # the implied edges as cached: no item pairs looked up
        _add_implied(successors, links.implied)
        return graph
    _add_implied(successors, implied_edges(index))
    return graph


#: A work item's columns in a graph: ``(key, title, category, team, release, points)``.
ItemRow = tuple[str, str, str, str | None, str | None, float | None]


def _selected_rows(plan: Plan, keep: ExportFilter, rows: Iterable[ItemRow]) -> list[ItemRow]:
    """The item rows a filter keeps, as :func:`~relplan.formats.csv_export.selected_items`
    keeps the items: those of the releases it keeps; an item of no release when its team passes
    and no train or dates are asked for."""
    releases = {r.key for r in selected_releases(plan, keep)}
    loose = keep.train is None and keep.date_from is None and keep.date_to is None
    kept = []
    for row in rows:
        if row[4] is not None:
            if row[4] in releases:
                kept.append(row)
        elif loose and (not keep.teams or row[3] in keep.teams):
            kept.append(row)
    return kept


def _add_releases(
    graph: GraphRecords, plan: Plan, marks: ScheduleMarks | None, keep: ExportFilter
) -> None:
    floats = marks.float_days if marks is not None else {}
    critical = marks.critical if marks is not None else frozenset()
    for r in selected_releases(plan, keep):
        attrs: dict[str, Value] = {"kind": "release", "label": r.key, "name": r.name}
        attrs.update(team=r.team, status=r.status)
        _put(attrs, train=r.train, start=r.start, target=r.target)
        if r.key in floats:  # the release takes part in the schedule
            float_days = floats[r.key]
            if float_days is not None:  # a released release has no float
                attrs["float_days"] = float_days
            attrs["critical"] = r.key in critical
        graph.add_node(r.ref, attrs)


def _release_records(
    plan: Plan, marks: ScheduleMarks | None, keep: ExportFilter, links: GraphLinks
) -> GraphRecords:
    """:func:`graph_records` without items, its edges from ``links``: the same records."""
    graph = GraphRecords()
    _add_releases(graph, plan, marks, keep)
    if not (keep.teams or keep.train or keep.date_from or keep.date_to):
        for ref in links.unknown_releases:
            graph.add_node(ref, {"kind": "unknown", "label": ref})
    successors = graph.successors
    for from_ref, to_ref, type_, lag in links.release_dependencies:
        targets = successors.get(from_ref)
        if targets is not None and to_ref in successors:
            targets[to_ref] = (type_, lag, False, "")
    _add_implied(successors, links.implied)
    return graph


def _add_implied(
    successors: dict[str, dict[str, Edge]], implied: Iterable[tuple[str, str, str, int, str]]
) -> None:
    """Add the implied release edges ``(predecessor key, successor key, type, lag, pairs)``;
    one between releases that already have an edge replaces its data where it stands (as
    networkx's ``add_edge`` updates the first edge's data)."""
    for p, s, type_, lag, pairs in implied:
        targets = successors.get(RELEASE_PREFIX + p)
        v = RELEASE_PREFIX + s
        if targets is not None and v in successors:
            targets[v] = (type_, lag, True, pairs)


def _put(attrs: dict[str, Value], **values: str | float | dt.date | None) -> None:
    for name, value in values.items():
        if value is None:
            continue
        attrs[name] = value.isoformat() if isinstance(value, dt.date) else value


def _quote(value: object) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{text}"'


def _attrs(values: Mapping[str, object]) -> str:
    inner = ", ".join(f"{name}={_quote(value)}" for name, value in values.items())
    return f" [{inner}]" if inner else ""


def to_dot(
    graph: nx.DiGraph[str], *, name: str = "relplan", colors: Mapping[str, str] | None = None
) -> str:
    """The graph as Graphviz DOT: releases as boxes, items as ellipses, implied edges dashed.

    Every attribute of :func:`export_graph` is written too (Graphviz keeps attributes it does
    not know), so tools that read DOT see the same data as GraphML readers.

    Args:
        graph: A graph from :func:`export_graph`.
        name: The graph's name.
        colors: Team colours (``#rrggbb``) by team key, for the node outlines.

    Returns:
        The DOT text.
    """
    team_colors = {k: c for k, c in (colors or {}).items() if _COLOR.match(c)}
    lines = [
        f"digraph {_quote(name)} {{",
        f"  graph{_attrs({'rankdir': 'LR', 'fontname': _FONT})};",
        f"  node{_attrs({'fontname': _FONT, 'fontsize': 10})};",
        f"  edge{_attrs({'fontname': _FONT, 'fontsize': 9})};",
    ]
    for node in sorted(graph.nodes):
        data: Mapping[str, object] = graph.nodes[node]
        look: dict[str, object] = {"label": _node_label(data)}
        kind = data.get("kind")
        look["shape"] = "box" if kind == "release" else "ellipse"
        if kind == "release":
            look["style"] = "rounded,bold" if data.get("critical") else "rounded"
        elif kind == "unknown":
            look["style"] = "dotted"
        color = team_colors.get(str(data.get("team", "")))
        if color:
            look["color"] = color
        extra = {k: v for k, v in data.items() if k != "label"}
        lines.append(f"  {_quote(node)}{_attrs({**look, **extra})};")
    for u, v in sorted(graph.edges):
        edge: Mapping[str, object] = graph.edges[u, v]
        lag = edge["lag_days"]
        label = f"{edge['type']} {lag:+d}" if isinstance(lag, int) and lag else str(edge["type"])
        look = {"label": f"{label} (implied)" if edge["implied"] else label}
        if edge["implied"]:
            look["style"] = "dashed"
        lines.append(f"  {_quote(u)} -> {_quote(v)}{_attrs({**look, **edge})};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_label(data: Mapping[str, object]) -> str:
    lines = [str(data.get("label", ""))]
    if data.get("name"):
        lines.append(str(data["name"]))
    if data.get("start") or data.get("target"):
        lines.append(f"{data.get('start', '…')}..{data.get('target', '…')}")
    if "float_days" in data:
        lines.append(f"float {data['float_days']} d" + (", critical" if data["critical"] else ""))
    return "\n".join(lines)
