"""The Map lays itself out off the GUI thread, drops stale layouts and adds its items in chunks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem

from relplan.layout.graph_map import MapRequest
from relplan.store.workspace import Workspace
from relplan.ui.analysis import analyse_plan
from relplan.ui.tasks import BaseTaskRunner, TaskRunner
from relplan.ui.views import graph_map
from relplan.ui.views.graph_map import DependencyMapView, EdgesItem, NodeItem
from relplan.ui.views.map_items import EdgeLayer
from tests.ui.conftest import DEMO_TODAY


class RecordingRunner(BaseTaskRunner):
    """Keeps every submitted job until the test runs it (in any order it likes)."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[tuple[Callable[[], Any], Any, str]] = []

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        lane: str = "db",
        on_done: Any = None,
        on_error: Any = None,
    ) -> None:
        self._task_started()
        self.jobs.append((fn, on_done, lane))

    def run(self, index: int) -> None:
        fn, on_done, _lane = self.jobs.pop(index)
        self._task_finished()
        on_done(fn())

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        return True


def shown_keys(view: DependencyMapView) -> set[str]:
    return {i.node.key for i in view.view.scene().items() if isinstance(i, NodeItem)}


def make_view(qtbot: Any, runner: BaseTaskRunner) -> DependencyMapView:
    view = DependencyMapView(runner=runner)
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_layout_runs_on_a_worker_thread(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, demo_ws: Workspace, runner: TaskRunner
) -> None:
    threads: list[threading.Thread] = []
    real = graph_map.lay_out

    def recorded(graph: Any, request: MapRequest) -> Any:
        threads.append(threading.current_thread())
        return real(graph, request)

    monkeypatch.setattr(graph_map, "lay_out", recorded)
    view = make_view(qtbot, runner)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    assert view.busy()
    qtbot.waitUntil(lambda: not view.busy() and runner.idle)
    view.set_mode("teams")
    qtbot.waitUntil(lambda: not view.busy() and runner.idle)
    assert len(threads) == 2
    assert all(t is not threading.main_thread() for t in threads)
    assert view.mode == "teams"
    assert view.map is not None
    assert shown_keys(view) == {n.key for n in view.map.nodes}


def test_a_stale_layout_is_dropped(qtbot: Any, demo_ws: Workspace) -> None:
    runner = RecordingRunner()
    view = make_view(qtbot, runner)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    assert view.map is None
    assert [lane for *_, lane in runner.jobs] == ["net"]
    team = sorted({r.team for r in plan.releases})[0]
    view.set_filter(frozenset({team}), None, None)
    assert len(runner.jobs) == 2
    runner.run(1)  # the newer layout (one team) arrives first...
    assert view.map is not None
    filtered = view.map
    ours = {n.key for n in filtered.nodes if n.role == ""}
    assert ours == {r.key for r in plan.releases if r.team == team}
    runner.run(0)  # ...and the older one (every team) after it: dropped
    assert view.map is filtered
    qtbot.waitUntil(lambda: not view.busy())
    assert shown_keys(view) == {n.key for n in filtered.nodes}
    assert runner.idle


def test_items_are_added_a_chunk_per_turn(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, demo_ws: Workspace
) -> None:
    monkeypatch.setattr(graph_map, "ITEM_CHUNK", 7)
    runner = RecordingRunner()
    view = make_view(qtbot, runner)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    counts: list[int] = []
    add_items = view._add_items

    def recorded(items: Any) -> None:
        add_items(items)
        counts.append(len(view.view.scene().items()))

    monkeypatch.setattr(view, "_add_items", recorded)
    runner.run(0)
    assert view.map is not None
    # One item per edge on a small map, and the layer that paints them.
    total = len(view.map.nodes) + len(view.map.edges) + 1
    assert total > 14
    assert view.view.scene().items() == []  # nothing in the turn the layout arrived in
    assert view.busy()
    qtbot.waitUntil(lambda: not view.busy())
    assert counts == [*range(7, total, 7), total]  # then 7 more per turn
    assert shown_keys(view) == {n.key for n in view.map.nodes}
    # A relayout while items are still being added stops the old ones.
    view.set_mode("teams")
    runner.run(0)
    view.set_mode("releases")
    runner.run(0)
    qtbot.waitUntil(lambda: not view.busy())
    assert shown_keys(view) == {n.key for n in view.map.nodes}
    assert all(n.kind == "release" for n in view.map.nodes)


def test_the_live_map_paints_its_edges_as_one_cached_layer(qtbot: Any, demo_ws: Workspace) -> None:
    runner = RecordingRunner()
    view = make_view(qtbot, runner)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    runner.run(0)
    qtbot.waitUntil(lambda: not view.busy())
    items = view.view.scene().items()
    [layer] = [i for i in items if isinstance(i, EdgeLayer)]
    edges = [i for i in items if isinstance(i, EdgesItem)]
    assert layer.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert sorted(map(id, layer.members)) == sorted(map(id, edges))
    assert all(e.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents for e in edges)
    assert layer.zValue() < min(i.zValue() for i in items if isinstance(i, NodeItem))
    # The edge items still answer hit tests: an edge's tooltip tells its story.
    edge = edges[0]
    point = edge.path.pointAtPercent(0.5)
    view.view.centerOn(point)
    text = view.view.tooltip_at(QPointF(view.view.mapFromScene(point)))
    link = edge.edges[0].link
    assert f"{link.predecessor} → {link.successor}" in text
