"""The dependency graph as Graphviz DOT and as GraphML.

Nodes are releases and work items (``release:KEY``, ``item:KEY``); edges are the plan's
dependencies plus the release edges that item dependencies imply (shared/spec/workspace-format.md),
marked ``implied`` (dashed in DOT) with the item pairs behind them. Nodes carry ``kind``,
``team``, dates and, when the plan has no cycle, the schedule's ``float_days`` and ``critical``
(:func:`relplan.planning.schedule.schedule_plan`).

The DOT is written here rather than with pydot or pygraphviz (neither is a dependency); the
GraphML comes from networkx, so its reader gets back exactly these attributes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Final

import networkx as nx

from relplan.domain.model import Plan
from relplan.errors import DependencyCycleError
from relplan.formats.csv_export import selected_items, selected_releases
from relplan.formats.ics import ExportFilter
from relplan.planning.graph import dependency_graph
from relplan.planning.schedule import Schedule, schedule_plan

__all__ = ["export_graph", "to_dot", "to_graphml"]

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FONT: Final = "Helvetica"

Value = str | int | float | bool


def export_graph(plan: Plan, *, selection: ExportFilter | None = None) -> nx.DiGraph[str]:
    """The dependency graph with flat attributes that both DOT and GraphML can hold.

    Args:
        plan: The plan.
        selection: With a team, train or date filter, only the releases it keeps and their work
            items (and the edges between them); default: everything.

    Returns:
        A new graph. Node attributes: ``kind``, ``label`` and, where known, ``name``, ``team``,
        ``train``, ``status``, ``start``, ``target`` (ISO days), ``float_days``, ``critical``
        (releases), ``release``, ``category``, ``points`` (items). Edge attributes: ``type``,
        ``lag_days``, ``implied`` and ``implied_by`` (``item:A->item:B`` pairs joined by
        ``"; "``).
    """
    full = dependency_graph(plan)
    schedule = _schedule(plan)
    keep = selection or ExportFilter()
    filtered = bool(keep.teams or keep.train or keep.date_from or keep.date_to)
    releases = selected_releases(plan, keep)
    items = selected_items(plan, keep) if filtered else sorted(plan.work_items, key=lambda i: i.key)
    graph: nx.DiGraph[str] = nx.DiGraph()
    critical = set(schedule.critical_path) if schedule else set()
    for r in releases:
        attrs: dict[str, Value] = {"kind": "release", "label": r.key, "name": r.name}
        attrs.update(team=r.team, status=r.status)
        _put(attrs, train=r.train, start=r.start, target=r.target)
        forecast = schedule.release(r.key) if schedule else None
        if forecast is not None:
            if forecast.float_days is not None:  # a released release has no float
                attrs["float_days"] = forecast.float_days
            attrs["critical"] = r.key in critical
        graph.add_node(r.ref, **attrs)
    for item in items:
        attrs = {"kind": "item", "label": item.key, "name": item.title, "category": item.category}
        _put(attrs, team=item.team, release=item.release, points=item.points)
        graph.add_node(item.ref, **attrs)
    for node, data in full.nodes(data=True):
        if data.get("kind") == "unknown" and not filtered:
            graph.add_node(node, kind="unknown", label=node)
    for u, v, data in full.edges(data=True):
        if u in graph and v in graph:
            pairs = "; ".join(f"{a}->{b}" for a, b in data.get("implied_by", ()))
            graph.add_edge(
                u,
                v,
                type=str(data["type"]),
                lag_days=int(data["lag_days"]),
                implied=bool(data["implied"]),
                implied_by=pairs,
            )
    return graph


def _schedule(plan: Plan) -> Schedule | None:
    try:
        return schedule_plan(plan)
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
        The XML text.
    """
    return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


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
