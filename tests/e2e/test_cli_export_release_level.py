"""Each ``relplan export`` reads only what it needs, and writes what the whole plan gives.

The commands load releases and compact columns instead of the whole plan (issue 12); every file
here is compared, byte for byte, with what the same export function writes from ``ws.plan()``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from relplan.cli import run
from relplan.demo import generate
from relplan.formats.graph_export import export_graph, to_dot
from relplan.formats.graphml_writer import to_graphml
from relplan.formats.ics import ExportFilter
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from tests.helpers.tangled import add_dangling, tangled_document

TODAY = "2026-11-20"


@pytest.fixture(scope="module", params=["small-demo", "tangled", "tangled-acyclic"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = str(request.param)
    path = tmp_path_factory.mktemp("release-level") / f"{name}.relplan"
    if name == "small-demo":
        document = generate("small", seed=5, today=dt.date.fromisoformat(TODAY))
    else:
        document = tangled_document(7, acyclic=name.endswith("acyclic"))
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document))
        if name == "tangled":
            add_dangling(ws.conn)
    return str(path)


def export(db: str, out: Path, *words: str) -> bytes:
    code = run(["--db", db, "export", *words, "--out", str(out), "--today", TODAY])
    assert code == 0
    return out.read_bytes()


def selection(ws: Workspace, name: str) -> tuple[list[str], ExportFilter]:
    """The command-line words and the filter of a named selection in this workspace."""
    if name == "teams":
        teams = sorted(t.key for t in ws.teams())[:2]
        return [w for t in teams for w in ("--team", t)], ExportFilter(teams=frozenset(teams))
    if name == "train":
        train = sorted(t.key for t in ws.release_plan().trains)[0]
        return ["--train", train], ExportFilter(train=train)
    if name == "dates":
        first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
        words = ["--from", str(first), "--to", str(last)]
        return words, ExportFilter(date_from=first, date_to=last)
    return [], ExportFilter()


@pytest.mark.parametrize("items", [False, True])
@pytest.mark.parametrize("name", ["all", "teams", "train", "dates"])
def test_graphs_equal_the_whole_plans(db: str, tmp_path: Path, items: bool, name: str) -> None:
    with Workspace.open(db, create=False) as ws:
        words, keep = selection(ws, name)
        plan = ws.plan()
        colors = {t.key: t.color for t in ws.teams() if t.color}
        stem = ws.path.stem
    graph = export_graph(plan, selection=keep, items=items)
    assert graph.number_of_edges()
    flags = [*words, *(["--items"] if items else [])]
    graphml = export(db, tmp_path / "g.graphml", "graphml", *flags)
    assert graphml == to_graphml(graph).encode("utf-8")
    dot = export(db, tmp_path / "g.dot", "dot", *flags)
    assert dot == to_dot(graph, name=stem, colors=colors).encode("utf-8")


def test_the_dora_chart_equals_the_whole_plans(db: str, tmp_path: Path) -> None:
    from relplan.charts.dashboard import save_figure
    from relplan.charts.dora import dora_figure
    from relplan.metrics.dora import dora_weekly
    from relplan.metrics.scope import resolve_window

    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    window = resolve_window(None, None, today=dt.date.fromisoformat(TODAY))
    old = tmp_path / "old.svg"
    save_figure(dora_figure(dora_weekly(plan, window=window)), str(old), "svg")
    new = export(db, tmp_path / "new.svg", "svg", "--chart", "dora")
    assert new == old.read_bytes()


@pytest.mark.parametrize("name", ["all", "teams", "train", "dates"])
def test_the_calendar_equals_the_whole_plans(db: str, tmp_path: Path, name: str) -> None:
    import io
    from dataclasses import replace

    from relplan.formats.ics import workspace_context, write_calendar

    stamp = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    with Workspace.open(db, create=False) as ws:
        words, keep = selection(ws, name)
        plan = ws.plan()
        context = workspace_context(
            ws, plan, today=dt.date.fromisoformat(TODAY), selection=keep, stamp=stamp
        )
    old = io.StringIO(newline="")
    # The whole plan's work items and problems, as the export read them before.
    write_calendar(plan, replace(context, progress=None), old, selection=keep)
    assert "20010203T040506Z" not in old.getvalue()  # every event has its own time
    assert "Open problems (" in old.getvalue()
    assert export(db, tmp_path / "c.ics", "ics", *words) == old.getvalue().encode("utf-8")


def whole_plan_view(db: str, view_name: str, out: Path, teams: frozenset[str]) -> bytes:
    """The picture as the export drew it from the whole plan (its steps, with ``ws.plan()``)."""
    import importlib

    from relplan.ui import export_views
    from relplan.ui.analysis import analyse_plan

    export_views.application()
    today = dt.date.fromisoformat(TODAY)
    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    analysis = analyse_plan(plan, today=today)
    module_name, class_name = export_views.VIEWS[view_name].split(":")
    view = getattr(importlib.import_module(module_name), class_name)()
    view.set_filter(teams, None, None)
    shown = None
    if view_name == "timeline":
        days = export_views.TIMELINE_DAYS
        first, last = today - dt.timedelta(days), today + dt.timedelta(days)
        view.set_date_range(first, last)
        shown = export_views._timeline_releases(plan, teams, None, (first, last), today)
        if shown is not None:
            view.title_note = f"of {shown[1]} (those nearest {today})"
    view.set_data(plan if shown is None else shown[0], analysis)
    view.export_image(str(out))
    view.deleteLater()
    return out.read_bytes()


@pytest.mark.parametrize("rows", [60, 4])
@pytest.mark.parametrize("teams", [(), ("PAY", "OPS")])
@pytest.mark.parametrize("view", ["timeline", "graph"])
def test_views_equal_the_whole_plans(
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    view: str,
    teams: tuple[str, ...],
    rows: int,
) -> None:
    from relplan.ui import export_views

    # With 4 rows the timeline shows a cut of the plan: its arrows still come from the items.
    monkeypatch.setattr(export_views, "TIMELINE_ROWS", rows)
    old = whole_plan_view(db, view, tmp_path / "old.png", frozenset(teams))
    words = [w for t in teams for w in ("--team", t)]
    assert export(db, tmp_path / "new.png", "png", "--view", view, *words) == old


def test_the_workspace_json_equals_the_whole_plans(db: str, tmp_path: Path) -> None:
    from relplan.formats.workspace_json import dump_plan

    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    assert any(i.created for i in plan.work_items)
    assert any(i.points is not None for i in plan.work_items)
    assert export(db, tmp_path / "w.json", "json") == dump_plan(plan).encode("utf-8")
