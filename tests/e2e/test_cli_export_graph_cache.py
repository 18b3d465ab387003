"""``relplan export graphml|dot`` without ``--items`` reads its edges from the analysis cache.

The release-level graph's dependencies and implied edges are kept between commands (issue 12);
the file written from the cache must be the one the whole plan gives, byte for byte, and a
change to the dependencies must show in the next export.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from relplan.cli import run
from relplan.formats.graph_export import export_graph, graph_records
from relplan.formats.graph_links import GraphLinks, _decode, _encode, graph_links
from relplan.formats.graphml_writer import to_graphml
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.graph import index_plan
from relplan.store.workspace import Workspace
from tests.helpers.tangled import add_dangling, tangled_document

TODAY = "2026-11-20"


@pytest.fixture(params=["tangled", "tangled-acyclic"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / f"{request.param}.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(tangled_document(3, acyclic="acyclic" in request.param)))
        add_dangling(ws.conn)
    return str(path)


def export(db: str, out: Path, *words: str) -> bytes:
    assert run(["--db", db, "export", *words, "--out", str(out), "--today", TODAY]) == 0
    return out.read_bytes()


def whole_plans(db: str) -> bytes:
    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    return to_graphml(export_graph(plan)).encode("utf-8")


def test_a_cached_export_equals_the_whole_plans_and_reads_no_dependencies(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = export(db, tmp_path / "a.graphml", "graphml")
    assert first == whole_plans(db)

    def refuse(self: Workspace) -> None:
        raise AssertionError("the dependencies were read although the cache is current")

    monkeypatch.setattr(Workspace, "dependency_rows", refuse)
    monkeypatch.setattr(Workspace, "item_releases", refuse)
    assert export(db, tmp_path / "b.graphml", "graphml") == first


def test_a_changed_dependency_shows_in_the_next_export(db: str, tmp_path: Path) -> None:
    before = export(db, tmp_path / "a.graphml", "graphml")
    with Workspace.open(db, create=False) as ws, ws.conn:
        gone = ws.conn.execute(
            "SELECT from_ref, to_ref FROM dependencies WHERE from_ref LIKE 'item:%' "
            "ORDER BY from_ref, to_ref LIMIT 5"
        ).fetchall()
        ws.conn.executemany("DELETE FROM dependencies WHERE from_ref = ? AND to_ref = ?", gone)
        ws.conn.execute(
            "INSERT INTO dependencies VALUES ('release:GONE-3', 'release:GONE-1', 'SS', 2)"
        )
    after = export(db, tmp_path / "b.graphml", "graphml")
    assert after != before
    assert after == whole_plans(db)
    assert b"release:GONE-3" in after


def test_graph_links_survive_the_cache_and_give_the_same_records(db: str) -> None:
    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    index = index_plan(plan)
    links = GraphLinks.of_index(index)
    assert links.unknown_releases == ("release:GONE-1", "release:GONE-2")
    assert links.implied
    assert links.release_dependencies
    assert _decode(_encode(links)) == links
    plain = graph_records(plan, index=index)
    cached = graph_records(plan, index=index, links=links)
    assert cached.nodes == plain.nodes
    assert cached.successors == plain.successors
    assert list(cached.edges()) == list(plain.edges())


def test_graph_links_are_computed_once_per_state(db: str) -> None:
    calls: list[int] = []

    class Cache:
        def __init__(self) -> None:
            self.text: str | None = None

        def cached(self, name, compute, encode, decode):  # type: ignore[no-untyped-def]
            if self.text is None:
                calls.append(1)
                self.text = encode(compute())
            return decode(self.text)

    with Workspace.open(db, create=False) as ws:
        index = index_plan(ws.plan())
    cache = Cache()
    assert graph_links(index, cache) == graph_links(index, cache) == GraphLinks.of_index(index)
    assert calls == [1]


def test_a_cut_timeline_from_cached_links_equals_one_from_the_columns(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relplan.ui import export_views

    monkeypatch.setattr(export_views, "TIMELINE_ROWS", 4)  # a cut of the plan
    first = export(db, tmp_path / "a.png", "png", "--view", "timeline")  # computes the cache

    def refuse(self: Workspace) -> None:
        raise AssertionError("the dependencies were read although the cache is current")

    monkeypatch.setattr(Workspace, "dependency_rows", refuse)
    monkeypatch.setattr(Workspace, "item_releases", refuse)
    assert export(db, tmp_path / "b.png", "png", "--view", "timeline") == first
    assert export(db, tmp_path / "c.png", "png", "--view", "graph")


def test_items_graphs_from_cached_links_equal_the_whole_plans(db: str, tmp_path: Path) -> None:
    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    expected = to_graphml(export_graph(plan, items=True)).encode("utf-8")
    assert export(db, tmp_path / "a.graphml", "graphml", "--items") == expected  # computes
    assert export(db, tmp_path / "b.graphml", "graphml", "--items") == expected  # cached
    index = index_plan(plan)
    links = GraphLinks.of_index(index)
    plain = graph_records(plan, index=index, items=True)
    cached = graph_records(plan, index=index, items=True, links=links)
    assert list(cached.edges()) == list(plain.edges())
    assert cached.nodes == plain.nodes


def test_the_schedule_marks_are_kept_until_a_release_date_changes(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relplan.formats import graph_links as module

    first = export(db, tmp_path / "a.graphml", "graphml")  # computes the marks
    assert first == whole_plans(db)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the schedule was computed although its marks are current")

    with monkeypatch.context() as patch:
        patch.setattr(module, "schedule_plan", refuse)
        assert export(db, tmp_path / "b.graphml", "graphml") == first

    # A later target moves the schedule but no dependency: the links counter stays, the
    # digest of the releases' dates does not.
    with Workspace.open(db, create=False) as ws, ws.conn:
        key = ws.conn.execute(
            "SELECT key FROM releases WHERE target IS NOT NULL AND status != 'released' "
            "ORDER BY key LIMIT 1"
        ).fetchone()[0]
        ws.conn.execute(
            "UPDATE releases SET target = date(target, '+40 days') WHERE key = ?", (key,)
        )
    after = export(db, tmp_path / "c.graphml", "graphml")
    assert after == whole_plans(db)
    assert after != first


def test_filtered_item_graphs_from_rows_equal_the_whole_plans(db: str, tmp_path: Path) -> None:
    from relplan.formats.export_filter import ExportFilter

    with Workspace.open(db, create=False) as ws:
        plan = ws.plan()
    team = sorted({r.team for r in plan.releases})[0]
    selection = ExportFilter(teams=frozenset({team}))
    expected = to_graphml(export_graph(plan, items=True, selection=selection)).encode("utf-8")
    got = export(db, tmp_path / "a.graphml", "graphml", "--items", "--team", team)
    assert got == expected
    assert b'<node id="item:' in got


def test_empty_and_damaged_graph_links_entries() -> None:
    empty = GraphLinks((), (), ())
    assert _decode(_encode(empty)) == empty
    text = _encode(GraphLinks((("release:A", "release:B", "FS", 0),), ("release:Z",), ()))
    assert _decode(text).release_dependencies == (("release:A", "release:B", "FS", 0),)
    with pytest.raises(ValueError, match="longer"):  # unequal columns: computed again
        _decode(text.replace('"FS"]', '"FS","SS"]'))
