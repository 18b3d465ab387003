"""The Timeline and the Map in the main window, wired as the window will wire them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from relplan.ui.main_window import MainWindow
from relplan.ui.views.graph_map import DependencyMapView
from relplan.ui.views.timeline import TimelineView


def add_views(window: MainWindow) -> tuple[TimelineView, DependencyMapView]:
    """The window's own Timeline and Map (tabs 3 and 4)."""
    assert isinstance(window.timeline, TimelineView)
    assert isinstance(window.map, DependencyMapView)
    return window.timeline, window.map


def test_the_window_feeds_both_views_and_a_move_is_analysed_again(
    qtbot: Any, sync_window: MainWindow
) -> None:
    timeline, graph_map = add_views(sync_window)
    assert timeline.graph is not None
    assert graph_map.graph is timeline.graph  # one plan graph for both
    latest = sync_window.analyser.latest
    assert latest is not None
    key = next(r.key for r in latest.plan.releases if r.status == "planned" and r.has_dates)
    before = latest.plan.release(key)
    assert before is not None
    assert before.start is not None
    assert before.target is not None
    week = dt.timedelta(days=7)
    timeline.move_requested.emit(key, "body", 7)
    qtbot.waitUntil(lambda: not sync_window.analyser.pending)
    moved = timeline.graph.releases[key]
    assert (moved.start, moved.target) == (before.start + week, before.target + week)
    assert graph_map.graph is timeline.graph
    assert sync_window.show_view("Timeline")
    sync_window.session.undo()
    qtbot.waitUntil(lambda: not sync_window.analyser.pending)
    assert timeline.graph.releases[key].start == before.start


def test_filters_reach_the_views(sync_window: MainWindow) -> None:
    timeline, graph_map = add_views(sync_window)
    for view in (timeline, graph_map):
        view.set_filter(frozenset({"PAY"}), None, None)
    assert timeline.chart.timeline is not None
    shown = {r.key for r in timeline.chart.timeline.rows if r.kind == "release"}
    assert shown
    assert all(key.startswith("PAY") for key in shown)
    assert graph_map.map is not None
    assert any(node.role == "context" for node in graph_map.map.nodes)
