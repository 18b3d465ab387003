"""Dependency graph exports: DOT that Graphviz renders, GraphML that networkx reads back."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from relplan.domain.model import Dependency
from relplan.formats.graph_export import export_graph, graph_records, to_dot
from relplan.formats.graphml_writer import to_graphml, write_graph_records
from relplan.formats.ics import ExportFilter
from relplan.formats.workspace_json import parse_workspace
from tests.helpers.plans import document


def plan_document() -> dict[str, Any]:
    doc = document()
    # WEB-17 -> OPS-1 across releases implies release:WEB-2026.12 -> release:OPS-1 (FF).
    doc["teams"].append({"key": "OPS", "name": 'Ops "core"', "color": "not-a-colour"})
    doc["releases"].append(
        {
            "key": "OPS-1",
            "name": "Ops\\one",
            "team": "OPS",
            "start": "2026-12-09",
            "target": "2026-12-15",
        }
    )
    doc["work_items"].append(
        {"key": "OPS-9", "title": "Line\nbreak", "team": "OPS", "release": "OPS-1"}
    )
    doc["dependencies"].append({"from": "item:WEB-17", "to": "item:OPS-9"})
    return doc


def test_graph_has_implied_edges_marked_and_schedule_attributes() -> None:
    graph = export_graph(parse_workspace(plan_document()), items=True)
    implied = graph.edges["release:WEB-2026.12", "release:OPS-1"]
    assert implied == {
        "type": "FF",
        "lag_days": 0,
        "implied": True,
        "implied_by": "item:WEB-17->item:OPS-9",
    }
    assert graph.edges["release:PAY-2026.12", "release:WEB-2026.12"]["implied"] is False
    pay = graph.nodes["release:PAY-2026.12"]
    assert pay["team"] == "PAY"
    assert (pay["start"], pay["target"]) == ("2026-11-02", "2026-12-01")
    assert isinstance(pay["float_days"], int)
    assert pay["critical"] is False
    # The schedule ends with OPS-1, whose start no edge pushes: it alone is critical.
    assert graph.nodes["release:OPS-1"]["critical"] is True
    assert graph.nodes["item:PAY-101"]["release"] == "PAY-2026.12"


def test_a_cycle_leaves_out_float_but_still_draws() -> None:
    doc = plan_document()
    doc["dependencies"].append({"from": "release:WEB-2026.12", "to": "release:PAY-2026.12"})
    graph = export_graph(parse_workspace(doc))
    assert "float_days" not in graph.nodes["release:PAY-2026.12"]
    assert graph.has_edge("release:WEB-2026.12", "release:PAY-2026.12")


def test_filter_keeps_selected_releases_and_their_items() -> None:
    graph = export_graph(
        parse_workspace(plan_document()),
        selection=ExportFilter(teams=frozenset({"WEB", "OPS"})),
        items=True,
    )
    assert sorted(graph.nodes) == [
        "item:OPS-9",
        "item:WEB-17",
        "release:OPS-1",
        "release:WEB-2026.12",
    ]
    assert sorted(graph.edges) == [
        ("item:WEB-17", "item:OPS-9"),
        ("release:WEB-2026.12", "release:OPS-1"),
    ]
    dated = export_graph(
        parse_workspace(plan_document()), selection=ExportFilter(date_from=dt.date(2026, 12, 9))
    )
    assert "release:PAY-2026.12" not in dated


def test_unknown_dependency_ends_are_drawn_dotted() -> None:
    doc = document()
    doc["dependencies"] = []
    plan = parse_workspace(doc)
    plan = replace(plan, dependencies=(Dependency("release:PAY-2026.12", "release:GONE"),))
    graph = export_graph(plan)
    assert graph.nodes["release:GONE"]["kind"] == "unknown"
    assert '"release:GONE" [label="release:GONE", shape="ellipse", style="dotted"' in to_dot(graph)


def test_graphml_reads_back_with_networkx(tmp_path: Path) -> None:
    graph = export_graph(parse_workspace(plan_document()), items=True)
    path = tmp_path / "plan.graphml"
    path.write_text(to_graphml(graph), encoding="utf-8")
    back = nx.read_graphml(path)
    assert isinstance(back, nx.DiGraph)
    assert set(back.nodes) == set(graph.nodes)
    assert set(back.edges) == set(graph.edges)
    assert back.edges["release:WEB-2026.12", "release:OPS-1"]["implied"] is True
    assert (
        back.nodes["release:PAY-2026.12"]["float_days"]
        == graph.nodes["release:PAY-2026.12"]["float_days"]
    )
    assert back.nodes["item:OPS-9"]["name"] == "Line\nbreak"


def test_dot_marks_implied_edges_and_escapes_text() -> None:
    graph = export_graph(parse_workspace(plan_document()), items=True)
    text = to_dot(graph, name='my "plan"', colors={"PAY": "#1f77b4", "OPS": "not-a-colour"})
    assert text.startswith('digraph "my \\"plan\\"" {')
    assert (
        '"release:WEB-2026.12" -> "release:OPS-1" [label="FF (implied)", style="dashed", '
        'type="FF", lag_days="0", implied="true", implied_by="item:WEB-17->item:OPS-9"];'
    ) in text
    assert '"release:PAY-2026.12" -> "release:WEB-2026.12" [label="FS +2", type="FS"' in text
    assert 'name="Ops\\\\one"' in text
    assert 'label="OPS-9\\nLine\\nbreak"' in text
    assert 'color="#1f77b4"' in text
    assert "not-a-colour" not in text


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz 'dot' is not installed (.ci/setup-calendar.sh)"
)
def test_graphviz_renders_the_dot_without_complaint(tmp_path: Path) -> None:
    graph = export_graph(parse_workspace(plan_document()), items=True)
    path = tmp_path / "plan.dot"
    path.write_text(to_dot(graph, colors={"PAY": "#1f77b4"}), encoding="utf-8")
    done = subprocess.run(
        ["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "<svg" in done.stdout
    assert "<title>release:OPS&#45;1</title>" in done.stdout  # node ids become SVG titles
    assert "FF (implied)" in done.stdout
    assert "stroke-dasharray" in done.stdout  # the dashed implied edge


def test_by_default_the_graph_holds_releases_and_release_edges_only() -> None:
    doc = plan_document()
    doc["work_items"].append({"key": "PAY-200", "title": "alone", "release": "PAY-2026.12"})
    plan = parse_workspace(doc)
    releases = export_graph(plan)
    assert {data["kind"] for _, data in releases.nodes(data=True)} == {"release"}
    assert sorted(releases.edges) == [
        ("release:PAY-2026.12", "release:WEB-2026.12"),
        ("release:WEB-2026.12", "release:OPS-1"),
    ]
    assert releases.edges["release:WEB-2026.12", "release:OPS-1"]["implied"] is True
    with_items = export_graph(plan, items=True)
    # Items in a dependency are added with their edges; an item in none is not.
    assert {"item:PAY-101", "item:WEB-17", "item:OPS-9"} <= set(with_items.nodes)
    assert "item:PAY-200" not in with_items
    assert with_items.has_edge("item:WEB-17", "item:OPS-9")


def test_graphml_is_the_text_networkx_writes() -> None:
    doc = plan_document()
    doc["work_items"][0]["title"] = 'Größe <&> "quoted" and \U0001f680'
    doc["work_items"][0]["points"] = 2.5
    graph = export_graph(parse_workspace(doc), items=True)
    assert to_graphml(graph) == "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def test_graph_records_write_the_text_networkx_writes_of_the_same_graph() -> None:
    doc = plan_document()
    doc["work_items"][0]["title"] = "R&D <fast> path"  # printable ASCII that needs escaping
    doc["work_items"][1]["title"] = "Line\nbreak & Größe"  # neither printable nor ASCII
    plan = parse_workspace(doc)
    for items in (False, True):
        records = graph_records(plan, items=items)
        graph = export_graph(plan, items=items)
        assert list(records.nodes.items()) == list(graph.nodes(data=True))
        assert list(records.edges()) == list(graph.edges(data=True))
        out = io.StringIO()
        write_graph_records(records, out)
        assert out.getvalue() == "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def test_edges_with_odd_texts_write_as_networkx_writes_them() -> None:
    from relplan.formats.graph_export import GraphRecords

    records = GraphRecords()
    for ref in ("release:A", "release:B&C", "release:D", "item:Größe"):
        records.add_node(ref, {"kind": "release", "label": ref})
    records.successors["release:A"]["release:B&C"] = ("", 0, False, "")
    records.successors["release:A"]["release:D"] = ("F<F", -2, True, "item:Größe->item:X")
    records.successors["release:B&C"]["release:A"] = ("SS", 3, True, "item:A&B->item:C; x")
    records.successors["release:D"]["item:Größe"] = ("FS", 0, True, "item:Line\nbreak->item:Z")
    records.successors["item:Größe"]["release:A"] = ("FS", 1, False, "")
    out = io.StringIO()
    write_graph_records(records, out)
    graph = records.to_networkx()
    assert out.getvalue() == "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"
    back = nx.read_graphml(io.BytesIO(out.getvalue().encode("utf-8")))
    assert back.edges["release:A", "release:D"]["implied_by"] == "item:Größe->item:X"
    assert back.edges["release:A", "release:D"]["type"] == "F<F"


def test_item_rows_give_the_graph_the_work_items_give() -> None:
    plan = parse_workspace(plan_document())
    rows = [(i.key, i.title, i.category, i.team, i.release, i.points) for i in plan.work_items]
    for selection in (None, ExportFilter(teams=frozenset({"OPS"}))):
        by_rows = graph_records(plan, items=True, selection=selection, item_rows=reversed(rows))
        plain = graph_records(plan, items=True, selection=selection)
        assert list(by_rows.nodes.items()) == list(plain.nodes.items())
        assert list(by_rows.edges()) == list(plain.edges())
        assert any(ref.startswith("item:") for ref in by_rows.nodes)
