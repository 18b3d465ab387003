"""The window's first look: the Timeline and the Map paint a sketch before the first analysis."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from relplan.layout.graph_map import lay_out
from relplan.store.workspace import Workspace
from relplan.ui.analysis import PlanAnalyser, PlanAnalysis, analyse_plan
from relplan.ui.main_window import MainWindow
from relplan.ui.session import WorkspaceSession
from relplan.ui.tasks import Lane, OnDone, OnError, TaskRunner
from tests.ui.conftest import DEMO_TODAY


class HoldingRunner(TaskRunner):
    """The real runner, except that the analyses (network-lane jobs other than the Map's
    layouts) wait for :meth:`release`."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = True
        self.held: list[tuple[Callable[[], Any], OnDone | None, OnError | None]] = []

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        lane: Lane = "db",
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
    ) -> None:
        if lane == "net" and self.hold and getattr(fn, "func", None) is not lay_out:
            self._task_started()  # counts as pending: the window is not settled meanwhile
            self.held.append((fn, on_done, on_error))
            return
        super().submit(fn, lane=lane, on_done=on_done, on_error=on_error)

    def release(self) -> None:
        self.hold = False
        held, self.held = self.held, []
        for fn, on_done, on_error in held:
            self._task_finished()
            self.submit(fn, lane="net", on_done=on_done, on_error=on_error)


@pytest.fixture
def holding(qapp: Any) -> Iterator[HoldingRunner]:
    runner = HoldingRunner()
    yield runner
    runner.release()
    assert runner.shutdown(5000)


def open_window(qtbot: Any, ws: Workspace, runner: HoldingRunner, view: str) -> MainWindow:
    window = MainWindow(WorkspaceSession(runner, ws), today=lambda: DEMO_TODAY)
    qtbot.addWidget(window)
    window.show_view(view)
    window.show()
    return window


def close(qtbot: Any, window: MainWindow, runner: HoldingRunner) -> None:
    runner.release()
    qtbot.waitUntil(lambda: runner.idle)
    window.session.close()
    qtbot.waitUntil(lambda: runner.idle)


def test_the_analyser_sketches_releases_then_edges_then_analyses(
    qtbot: Any, demo_ws: Workspace, runner: TaskRunner
) -> None:
    session = WorkspaceSession(runner, demo_ws)
    analyser = PlanAnalyser(session, today=lambda: DEMO_TODAY)
    seen: list[PlanAnalysis] = []
    analyser.sketched.connect(seen.append)
    analyser.analysed.connect(seen.append)
    analyser.request()
    qtbot.waitUntil(lambda: not analyser.pending and runner.idle)
    first, second, final = seen
    assert first.sketch
    assert second.sketch
    assert not final.sketch
    full = analyse_plan(demo_ws.plan(), today=DEMO_TODAY)
    assert first.graph is not None
    assert second.graph is not None
    assert final.graph is not None
    assert set(first.graph.releases) == {r.key for r in full.plan.releases}
    assert not first.graph.links  # the releases first: no edges yet
    assert second.graph.links.keys() == full.graph.links.keys() != set()  # then every edge
    assert not first.problems
    assert second.schedule is None
    assert not first.plan.work_items  # nor the items loaded
    # The analysis reused the sketch's index, and found what an analysis of its own finds.
    assert final.graph.index is second.graph.index
    assert final.problems == full.problems
    assert final.schedule == full.schedule
    assert final.graph.links == full.graph.links
    # Later requests (after a write, say) sketch nothing: the last analysis stays shown.
    analyser.request()
    qtbot.waitUntil(lambda: not analyser.pending and runner.idle)
    assert len(seen) == 4
    assert not seen[-1].sketch
    session.close()


def test_the_timeline_paints_bars_before_the_analysis(
    qtbot: Any, demo_ws: Workspace, holding: HoldingRunner
) -> None:
    window = open_window(qtbot, demo_ws, holding, "Timeline")
    timeline = window.timeline
    qtbot.waitUntil(timeline.shows_data)
    assert window.analyser.latest is None
    assert "updating" in timeline.title.text()
    graph = timeline.graph
    assert graph is not None
    assert graph.schedule is None  # no forecast ghosts or critical path yet
    qtbot.waitUntil(lambda: bool(timeline.graph is not None and timeline.graph.links))
    assert window.analyser.latest is None  # the edges came with the second sketch
    holding.release()
    qtbot.waitUntil(lambda: window.analyser.latest is not None and not window.views_busy())
    assert "updating" not in timeline.title.text()
    graph = timeline.graph
    assert graph is not None
    assert graph.schedule is not None
    assert graph.schedule.critical_path
    close(qtbot, window, holding)


def test_the_map_paints_before_the_analysis(
    qtbot: Any, demo_ws: Workspace, holding: HoldingRunner
) -> None:
    window = open_window(qtbot, demo_ws, holding, "Map")
    graph_map = window.map
    qtbot.waitUntil(
        lambda: bool(graph_map.graph is not None and graph_map.graph.links) and not graph_map.busy()
    )
    assert window.analyser.latest is None
    assert graph_map.shows_data()
    assert graph_map.status.text().endswith("updating…")
    assert not any(n.critical for n in graph_map.map.nodes)  # type: ignore[union-attr]
    holding.release()
    qtbot.waitUntil(lambda: window.analyser.latest is not None and not window.views_busy())
    assert not graph_map.status.text().endswith("updating…")
    graph = graph_map.graph
    assert graph is not None
    assert graph.schedule is not None
    close(qtbot, window, holding)


def test_an_analysis_delivered_is_frozen_out_of_the_cyclic_gc(
    qtbot: Any, demo_ws: Workspace, runner: TaskRunner
) -> None:
    session = WorkspaceSession(runner, demo_ws)
    analyser = PlanAnalyser(session, today=lambda: DEMO_TODAY)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    analyser.request()
    qtbot.waitUntil(lambda: not analyser.pending and runner.idle)
    latest = analyser.latest
    assert latest is not None
    # A full collection would walk the plan's objects again and again: they are frozen.
    assert gc.get_freeze_count() >= len(latest.plan.work_items)
    session.close()
