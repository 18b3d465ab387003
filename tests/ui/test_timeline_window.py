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
    latest = sync_window.analyser.latest
    assert latest is not None
    # Hidden views are not laid out; shown, they draw the graph built with the analysis.
    assert timeline.graph is None
    assert graph_map.graph is None
    assert sync_window.show_view("Timeline")
    assert timeline.graph is not None
    assert timeline.graph is latest.graph
    assert sync_window.show_view("Map")
    assert graph_map.graph is timeline.graph  # one plan graph for both
    key = next(r.key for r in latest.plan.releases if r.status == "planned" and r.has_dates)
    before = latest.plan.release(key)
    assert before is not None
    assert before.start is not None
    assert before.target is not None
    week = dt.timedelta(days=7)
    timeline.move_requested.emit(key, "body", 7)
    qtbot.waitUntil(lambda: not sync_window.analyser.pending)
    assert graph_map.graph is not None
    moved = graph_map.graph.releases[key]
    assert (moved.start, moved.target) == (before.start + week, before.target + week)
    assert sync_window.show_view("Timeline")
    assert graph_map.graph is timeline.graph
    sync_window.session.undo()
    qtbot.waitUntil(lambda: not sync_window.analyser.pending)
    assert timeline.graph.releases[key].start == before.start


def test_filters_reach_the_views(sync_window: MainWindow) -> None:
    timeline, graph_map = add_views(sync_window)
    sync_window.team_filter.setCurrentIndex(sync_window.team_filter.findData("PAY"))
    assert sync_window.show_view("Timeline")
    assert timeline.chart.timeline is not None
    shown = {r.key for r in timeline.chart.timeline.rows if r.kind == "release"}
    assert shown
    assert all(key.startswith("PAY") for key in shown)
    assert sync_window.show_view("Map")
    assert graph_map.map is not None
    assert any(node.role == "context" for node in graph_map.map.nodes)


def test_the_title_is_shown_whole_when_the_tab_is_shown(sync_window: MainWindow) -> None:
    timeline, _graph_map = add_views(sync_window)
    sync_window.resize(1280, 760)
    assert sync_window.show_view("Timeline")
    title = timeline.title
    assert title.text().startswith("Timeline — ")
    assert title.width() >= title.sizeHint().width()
