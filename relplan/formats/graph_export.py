"""The dependency graph as Graphviz DOT and as GraphML.

Nodes are releases (``release:KEY``) and, with ``--items``, the work items that take part in a
dependency (``item:KEY``); edges are the release dependencies plus the release edges that item
dependencies imply (shared/spec/workspace-format.md), marked ``implied`` (dashed in DOT) with the
item pairs behind them, and with ``--items`` the item dependencies too. Nodes carry ``kind``,
``team``, dates and, when the plan has no cycle, the schedule's ``float_days`` and ``critical``
(:func:`relplan.planning.schedule.schedule_plan`).

The DOT is written here rather than with pydot or pygraphviz (neither is a dependency); the
GraphML is streamed here too, as the text networkx's own writer would give (whose element tree
of a large plan took a minute and 1.6 GB), so :func:`networkx.read_graphml` reads it back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Final, TextIO

from relplan.domain.model import RELEASE_PREFIX, Plan
from relplan.errors import DependencyCycleError
from relplan.formats.csv_export import selected_items, selected_releases
from relplan.formats.graph_links import GraphLinks
from relplan.formats.ics import ExportFilter
from relplan.planning.graph import PlanIndex, index_plan
from relplan.planning.schedule import Schedule, schedule_plan

if TYPE_CHECKING:  # networkx takes ~0.15 s to import: GraphML from records does without it
    import networkx as nx

__all__ = [
    "GraphRecords",
    "export_graph",
    "graph_records",
    "to_dot",
    "to_graphml",
    "write_graph_records",
    "write_graphml",
]

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FONT: Final = "Helvetica"

Value = str | int | float | bool


class GraphRecords:
    """The nodes and edges of an exported graph, in the order networkx would hold them, without
    a networkx graph: building one of a large plan (87,000 edges) cost more than writing it.

    Attributes:
        nodes: Node attributes by node, in insertion order.
        successors: Per node (every node, in :attr:`nodes`' order), the attributes of its
            out-edges by target, in insertion order: a networkx ``DiGraph``'s adjacency.
    """

    __slots__ = ("nodes", "successors")

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Value]] = {}
        self.successors: dict[str, dict[str, dict[str, Value]]] = {}

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
            for v, data in targets.items():
                yield u, v, data

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
            :meth:`relplan.store.workspace.Workspace.linked_work_items`).
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
) -> GraphRecords:
    """:func:`export_graph`'s graph as :class:`GraphRecords` (same arguments), for
    :func:`write_graph_records`.

    ``links`` (the index's :class:`~relplan.formats.graph_links.GraphLinks`, e.g. from a
    workspace's cache) stands in for the index's implied edges, and without ``items`` for its
    dependencies too, so they are not read.
    """
    if links is not None and not items:
        if index is None:
            index = index_plan(plan)
        return _release_records(plan, _schedule(plan, index), selection or ExportFilter(), links)
    if index is None:
        index = index_plan(plan)
    schedule = _schedule(plan, index)
    keep = selection or ExportFilter()
    filtered = bool(keep.teams or keep.train or keep.date_from or keep.date_to)
    graph = GraphRecords()
    _add_releases(graph, plan, schedule, keep)
    attrs: dict[str, Value]
    dependencies = index.dependencies
    linked = {ref for dep in dependencies for ref in dep[:2]}
    if items:
        chosen = selected_items(plan, keep) if filtered else plan.work_items
        for item in sorted((i for i in chosen if i.ref in linked), key=lambda i: i.key):
            attrs = {"kind": "item", "label": item.key, "name": item.title}
            attrs["category"] = item.category
            _put(attrs, team=item.team, release=item.release, points=item.points)
            graph.add_node(item.ref, attrs)
    if not filtered:  # ends that name nothing (drawn dotted); items' only with --items
        known = {r.ref for r in plan.releases} | {i.ref for i in plan.work_items}
        for ref in sorted(linked - known):
            if items or ref.startswith(RELEASE_PREFIX):
                graph.add_node(ref, {"kind": "unknown", "label": ref})
    successors = graph.successors
    for from_ref, to_ref, type_, lag in dependencies:
        targets = successors.get(from_ref)
        if targets is not None and to_ref in successors:
            attrs = {"type": str(type_), "lag_days": int(lag), "implied": False, "implied_by": ""}
            _add_edge(targets, to_ref, attrs)
    if links is not None:  # the implied edges as cached: no item pairs looked up
        for p, s, type_, lag, pairs in links.implied:
            attrs = {"type": type_, "lag_days": lag, "implied": True, "implied_by": pairs}
            _add_implied(successors, p, s, attrs)
        return graph
    for edge in index.edges.values():
        if not edge.implied_by:
            continue
        pairs = "; ".join(map("->".join, edge.implied_by))  # "item:A->item:B; ..."
        attrs = {"type": edge.type, "lag_days": edge.lag_days, "implied": True}
        attrs["implied_by"] = pairs
        _add_implied(successors, edge.predecessor, edge.successor, attrs)
    return graph


def _add_releases(
    graph: GraphRecords, plan: Plan, schedule: Schedule | None, keep: ExportFilter
) -> None:
    critical = set(schedule.critical_path) if schedule else set()
    for r in selected_releases(plan, keep):
        attrs: dict[str, Value] = {"kind": "release", "label": r.key, "name": r.name}
        attrs.update(team=r.team, status=r.status)
        _put(attrs, train=r.train, start=r.start, target=r.target)
        forecast = schedule.release(r.key) if schedule else None
        if forecast is not None:
            if forecast.float_days is not None:  # a released release has no float
                attrs["float_days"] = forecast.float_days
            attrs["critical"] = r.key in critical
        graph.add_node(r.ref, attrs)


def _release_records(
    plan: Plan, schedule: Schedule | None, keep: ExportFilter, links: GraphLinks
) -> GraphRecords:
    """:func:`graph_records` without items, its edges from ``links``: the same records."""
    graph = GraphRecords()
    _add_releases(graph, plan, schedule, keep)
    if not (keep.teams or keep.train or keep.date_from or keep.date_to):
        for ref in links.unknown_releases:
            graph.add_node(ref, {"kind": "unknown", "label": ref})
    successors = graph.successors
    attrs: dict[str, Value]
    for from_ref, to_ref, type_, lag in links.release_dependencies:
        targets = successors.get(from_ref)
        if targets is not None and to_ref in successors:
            attrs = {"type": type_, "lag_days": lag, "implied": False, "implied_by": ""}
            _add_edge(targets, to_ref, attrs)
    for p, s, type_, lag, pairs in links.implied:
        attrs = {"type": type_, "lag_days": lag, "implied": True, "implied_by": pairs}
        _add_implied(successors, p, s, attrs)
    return graph


def _add_implied(
    successors: dict[str, dict[str, dict[str, Value]]], p: str, s: str, attrs: dict[str, Value]
) -> None:
    targets = successors.get(RELEASE_PREFIX + p)
    v = RELEASE_PREFIX + s
    if targets is not None and v in successors:
        if v in targets:
            targets[v].update(attrs)  # as networkx's add_edge: the first edge's data updated
        else:
            targets[v] = attrs


def _add_edge(targets: dict[str, dict[str, Value]], v: str, attrs: dict[str, Value]) -> None:
    """networkx's ``add_edge``: a second edge between the same nodes updates the first's data."""
    data = targets.get(v)
    if data is None:
        targets[v] = attrs
    else:
        data.update(attrs)


def _schedule(plan: Plan, index: PlanIndex) -> Schedule | None:
    try:
        return schedule_plan(plan, index=index)
    except DependencyCycleError:
        return None  # float needs an acyclic plan; the graph is still worth drawing


def _put(attrs: dict[str, Value], **values: str | float | dt.date | None) -> None:
    for name, value in values.items():
        if value is None:
            continue
        attrs[name] = value.isoformat() if isinstance(value, dt.date) else value


def to_graphml(graph: nx.DiGraph[str]) -> str:
    """The graph as GraphML (what :func:`networkx.read_graphml` reads back).

    Args:
        graph: A graph from :func:`export_graph`.

    Returns:
        The XML text: the bytes :func:`networkx.generate_graphml` writes (pretty-printed).
    """
    out = io.StringIO()
    write_graphml(graph, out)
    return out.getvalue()


_XML_TYPES: Final = {bool: "boolean", int: "long", float: "double", str: "string"}
_GRAPHML_ROOT: Final = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)
# networkx splits its text into lines (str.splitlines) and joins them with newlines again.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e]")


#: Text that ElementTree writes as it is: printable ASCII without ``& < > "``.
_PLAIN: Final = re.compile("[ !#-%'-;=?-~]*")


def _xml(text: str, *, attribute: bool = False) -> str:
    """Text escaped as ElementTree writes it in ASCII (character references beyond)."""
    if _PLAIN.fullmatch(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\r", "&#13;")
        text = text.replace("\n", "&#10;").replace("\t", "&#09;")
    if not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    if not text.isprintable():
        text = _LINE_BREAKS.sub("\n", text)
    return text


def write_graphml(graph: nx.DiGraph[str], out: TextIO) -> None:
    """Stream the graph as GraphML to ``out``: the text of :func:`to_graphml`.

    networkx builds an ElementTree of the whole document (1.6 GB for a large plan with its
    items); this writes the same text line by line: keys first (numbered in the order
    networkx finds them, listed last first), then nodes and edges with their data.

    Args:
        graph: A graph from :func:`export_graph`.
        out: Where the text goes.
    """

    def nodes() -> Iterator[tuple[str, Attrs]]:
        yield from graph.nodes(data=True)

    _write(nodes, lambda: graph.edges(data=True), out)


def write_graph_records(graph: GraphRecords, out: TextIO) -> None:
    """Stream :class:`GraphRecords` as GraphML to ``out``: the text :func:`write_graphml`
    writes of the same graph as networkx holds it (:meth:`GraphRecords.to_networkx`).

    Args:
        graph: A graph from :func:`graph_records`.
        out: Where the text goes.
    """
    _write(graph.nodes.items, graph.edges, out)


Attrs = Mapping[str, object]


def _write(
    nodes: Callable[[], Iterable[tuple[str, Attrs]]],
    edges: Callable[[], Iterable[tuple[str, str, Attrs]]],
    out: TextIO,
) -> None:
    """GraphML of the nodes and edges (each callable gives them anew: they are read twice)."""
    keys: dict[tuple[str, str, str], str] = {}
    seen: set[tuple[str, tuple[str, ...], tuple[type, ...]]] = set()
    count = 0
    for scope, records in (
        ("node", (data for _, data in nodes())),
        ("edge", (data for *_, data in edges())),
    ):
        for data in records:
            count += scope == "node"
            signature = (scope, tuple(data), tuple(map(type, data.values())))
            if signature in seen:  # most elements repeat an earlier one's names and types
                continue
            seen.add(signature)
            for name, value in data.items():
                key = (str(name), _XML_TYPES[type(value)], scope)
                if key not in keys:
                    keys[key] = f"d{len(keys)}"
    out.write(_GRAPHML_ROOT + "\n")
    for (name, kind, scope), key_id in reversed(keys.items()):
        name_text = _xml(name, attribute=True)
        out.write(
            f'  <key id="{key_id}" for="{scope}" attr.name="{name_text}" attr.type="{kind}" />\n'
        )
    if not count:
        out.write('  <graph edgedefault="directed" />\n</graphml>\n')
        return
    out.write('  <graph edgedefault="directed">\n')
    writer = _Elements(keys)
    plain = _PLAIN.fullmatch
    ids: dict[str, str] = {}  # each node's escaped id, for its edges too
    chunk = writer.chunk
    for node, data in nodes():
        ref = ids[node] = node if plain(node) else _xml(str(node), attribute=True)
        chunk.append(writer.element(f'<node id="{ref}"', "node", data))
        if len(chunk) > 1000:
            out.write(writer.flush())
    for u, v, data in edges():
        chunk.append(writer.element(f'<edge source="{ids[u]}" target="{ids[v]}"', "edge", data))
        if len(chunk) > 1000:
            out.write(writer.flush())
    out.write(writer.flush())
    out.write("  </graph>\n</graphml>\n")


class _Elements:
    """Writes node and edge elements; elements with the same attribute names and types (most
    of them) share one prepared template, so each costs one ``str.format``."""

    def __init__(self, keys: Mapping[tuple[str, str, str], str]) -> None:
        self.keys = keys
        self.chunk: list[str] = []
        self._templates: dict[tuple[object, ...], str] = {}

    def flush(self) -> str:
        text = "".join(self.chunk)
        self.chunk.clear()
        return text

    def element(self, opening: str, scope: str, data: Attrs) -> str:
        """The element's text: ``opening`` (``<node id=...``), its data and its end."""
        if not data:
            return f"    {opening} />\n"
        values = data.values()
        texts = list(map(str, values))
        joined = " ".join(texts)
        if joined.isascii() and joined.isprintable():  # _xml's checks, once for all texts
            if "&" in joined or "<" in joined or ">" in joined:
                # No text holds a line break: escape them all in one go.
                joined = "\n".join(texts).replace("&", "&amp;")
                texts = joined.replace("<", "&lt;").replace(">", "&gt;").split("\n")
        else:
            texts = [t if _PLAIN.fullmatch(t) else _xml(t) for t in texts]
        empty = tuple(i for i, t in enumerate(texts) if not t) if "" in texts else ()
        signature = (scope, tuple(data), tuple(map(type, values)), empty)
        template = self._templates.get(signature)
        if template is None:
            template = self._templates[signature] = self._template(scope, data, empty)
        return template.format(opening, *texts)

    def _template(self, scope: str, data: Attrs, empty: tuple[int, ...]) -> str:
        """The element, ``{}`` for its opening and for each value (``<data ... />`` if empty)."""
        lines = ["    {}>\n"]
        for n, (name, value) in enumerate(data.items()):
            key_id = self.keys[name, _XML_TYPES[type(value)], scope]
            if n in empty:
                lines.append(f'      <data key="{key_id}" />{{}}\n')
            else:
                lines.append(f'      <data key="{key_id}">{{}}</data>\n')
        return "".join(lines) + f"    </{scope}>\n"


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
