"""The Dependency map on the demo workspace: modes, focus, search, drill-down, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage

from relplan.store.workspace import Workspace
from relplan.ui import palette
from relplan.ui.analysis import analyse_plan
from relplan.ui.views import graph_map
from relplan.ui.views.base import PlanView
from relplan.ui.views.graph_map import DependencyMapView, EdgesItem, NodeItem
from tests.ui.conftest import DEMO_TODAY


@pytest.fixture
def map_view(qtbot: Any, demo_ws: Workspace) -> DependencyMapView:
    view = DependencyMapView()
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    return view


def nodes(view: DependencyMapView) -> dict[str, NodeItem]:
    return {i.node.key: i for i in view.view.scene().items() if isinstance(i, NodeItem)}


def edge_items(view: DependencyMapView) -> list[EdgesItem]:
    return [i for i in view.view.scene().items() if isinstance(i, EdgesItem)]


def viewport_point(view: DependencyMapView, key: str) -> Any:
    item = nodes(view)[key]
    centre = item.mapToScene(QPointF(item.node.w / 2, item.node.h / 2))
    view.view.centerOn(centre)
    return view.view.mapFromScene(centre)


def hub(view: DependencyMapView) -> str:
    """The release with the most dependencies."""
    graph = view.graph
    assert graph is not None
    return max(
        graph.releases, key=lambda k: (len(graph.succ.get(k, ())) + len(graph.pred.get(k, ())), k)
    )


def test_a_small_plan_opens_on_every_release(map_view: DependencyMapView) -> None:
    assert isinstance(map_view, PlanView)
    assert map_view.mode == "releases"
    assert len(nodes(map_view)) == 40
    assert map_view.map is not None
    assert sum(len(i.edges) for i in edge_items(map_view)) == len(map_view.map.edges)
    assert all(len(i.edges) == 1 for i in edge_items(map_view))  # one item each: tooltips
    assert map_view.status.text().startswith("40 releases,")


def test_a_big_plan_opens_on_teams(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, demo_ws: Workspace
) -> None:
    monkeypatch.setattr(graph_map, "RELEASE_LIMIT", 10)
    view = DependencyMapView()
    qtbot.addWidget(view)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    assert view.mode == "teams"
    assert set(nodes(view)) == {t.key for t in plan.teams}
    assert view.mode_box.currentData() == "teams"
    view.set_focus(plan.releases[5].key)
    view.clear_focus()
    assert view.mode == "teams"


def test_edges_are_coloured_by_what_is_wrong(map_view: DependencyMapView) -> None:
    theme = map_view.theme
    broken = [i for i in edge_items(map_view) if i.edges[0].link.broken]
    critical = [
        i for i in edge_items(map_view) if i.edges[0].link.critical and not i.edges[0].link.broken
    ]
    assert broken
    assert all(i.pen.color().name() == theme.error for i in broken)
    assert all(i.pen.color().name() == graph_map.CRITICAL for i in critical)
    implied = [i for i in edge_items(map_view) if i.edges[0].link.implied]
    assert implied
    assert all(i.pen.style() == Qt.PenStyle.DashLine for i in implied)
    plain = [
        i
        for i in edge_items(map_view)
        if i.edges[0].link.crossing and not (i.edges[0].link.broken or i.edges[0].link.critical)
    ]
    assert all(i.pen.widthF() == 1.5 for i in plain)  # cross-team: emphasised


def test_collapsing_by_team_aggregates_edges(qtbot: Any, map_view: DependencyMapView) -> None:
    map_view.mode_box.setCurrentIndex(map_view.mode_box.findData("teams"))
    map_view.mode_box.activated.emit(map_view.mode_box.currentIndex())
    assert map_view.mode == "teams"
    assert len(nodes(map_view)) == 8
    weights = [i.edges[0].link.weight for i in edge_items(map_view)]
    assert max(weights) > 1
    team = next(iter(nodes(map_view)))
    qtbot.mouseDClick(
        map_view.view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(map_view, team)
    )
    assert map_view.mode == "releases"
    assert map_view.team == team
    roles = {i.node.key: i.node.role for i in nodes(map_view).values()}
    graph = map_view.graph
    assert graph is not None
    assert {k for k, r in roles.items() if not r} == {
        k for k in graph.releases if graph.releases[k].team == team
    }
    assert "context" in roles.values()
    map_view.go_back()
    assert (map_view.mode, map_view.team) == ("teams", None)


def test_focus_depth_and_direction(map_view: DependencyMapView) -> None:
    key = hub(map_view)
    graph = map_view.graph
    assert graph is not None
    map_view.set_focus(key, depth=1)
    near = set(graph.succ.get(key, ())) | set(graph.pred.get(key, ())) | {key}
    assert set(nodes(map_view)) == near
    assert nodes(map_view)[key].node.role == "focus"
    assert map_view.clear_button.isVisibleTo(map_view)
    assert f"around {key}" in map_view.title.text()
    map_view.set_focus(key, depth=None)
    up, down = graph.neighbourhood([key], depth=None)
    assert set(nodes(map_view)) == set(up) | set(down)
    assert map_view.depth_box.currentText() == "All"
    map_view.set_focus(key)  # keeps the depth chosen
    assert map_view.depth_box.currentText() == "All"
    map_view.set_focus(key, depth=2, direction="up")
    up, _ = graph.neighbourhood([key], depth=2, direction="up")
    assert set(nodes(map_view)) == set(up)
    map_view.clear_focus()
    assert len(nodes(map_view)) == 40


def test_search_highlights_and_enter_focuses(qtbot: Any, map_view: DependencyMapView) -> None:
    assert map_view.focus_search()
    qtbot.keyClicks(map_view.search, "PAY")
    assert map_view.matches
    assert all(k.startswith("PAY") for k in map_view.matches)
    qtbot.keyClick(map_view.search, Qt.Key.Key_Return)
    assert map_view.focus == sorted(map_view.matches)[0]


def test_double_click_drills_into_item_links_and_back(
    qtbot: Any, map_view: DependencyMapView
) -> None:
    key = hub(map_view)
    qtbot.mouseDClick(
        map_view.view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(map_view, key)
    )
    assert (map_view.mode, map_view.items_of) == ("items", key)
    assert map_view.title.text() == f"Item links of {key}"
    kinds = {i.node.kind for i in nodes(map_view).values()}
    assert "item" in kinds
    assert any(i.node.role == "external" for i in nodes(map_view).values())
    with qtbot.waitSignal(map_view.release_activated) as activated:
        qtbot.mouseClick(map_view.open_button, Qt.MouseButton.LeftButton)
    assert activated.args == [key]
    qtbot.mouseClick(map_view.back_button, Qt.MouseButton.LeftButton)
    assert map_view.mode == "releases"
    assert len(nodes(map_view)) == 40


def test_enter_on_a_selected_release_activates_it(qtbot: Any, map_view: DependencyMapView) -> None:
    key = hub(map_view)
    nodes(map_view)[key].setSelected(True)
    map_view.view.setFocus()
    with qtbot.waitSignal(map_view.release_activated) as activated:
        qtbot.keyClick(map_view.view, Qt.Key.Key_Return)
    assert activated.args == [key]


def test_tooltips_of_nodes_and_edges(map_view: DependencyMapView) -> None:
    key = hub(map_view)
    text = map_view.view.tooltip_at(QPointF(viewport_point(map_view, key)))
    assert f"<b>{key}</b>" in text
    assert "Planned" in text
    implied = next(i for i in edge_items(map_view) if i.edges[0].link.implied)
    assert "Implied by item:" not in implied.tooltip()  # keys are shown without prefixes
    assert "Implied by" in implied.tooltip()
    middle = implied.path.pointAtPercent(0.5)
    map_view.view.centerOn(middle)
    text = map_view.view.tooltip_at(QPointF(map_view.view.mapFromScene(middle)))
    assert "→" in text
    map_view.set_mode("teams")
    team = next(iter(nodes(map_view).values()))
    assert "releases" in team.tooltip()
    assert "release dependencies" in next(
        i.tooltip() for i in edge_items(map_view) if i.edges[0].link.weight > 1
    )


def test_many_edges_are_painted_in_batches(
    monkeypatch: pytest.MonkeyPatch, map_view: DependencyMapView
) -> None:
    monkeypatch.setattr(graph_map, "EDGE_ITEM_LIMIT", 10)
    map_view.relayout()
    items = edge_items(map_view)
    assert len(items) < 10
    assert map_view.map is not None
    assert sum(len(i.edges) for i in items) == len(map_view.map.edges)
    assert all(i.tooltip() == "" for i in items if len(i.edges) > 1)


def test_filter_shows_neighbours_faded(map_view: DependencyMapView) -> None:
    map_view.set_filter(frozenset({"PAY"}), None, None)
    roles = {i.node.key: i.node.role for i in nodes(map_view).values()}
    assert {k for k, r in roles.items() if not r} == {k for k in roles if k.startswith("PAY")}
    assert "context" in roles.values()
    assert "PAY (neighbours faded)" in map_view.title.text()


def test_theme_switch_rebuilds_with_the_other_colours(map_view: DependencyMapView) -> None:
    map_view.set_theme(palette.DARK)
    assert map_view.view.backgroundBrush().color().name() == palette.DARK.base
    broken = next(i for i in edge_items(map_view) if i.edges[0].link.broken)
    assert broken.pen.color().name() == palette.DARK.error


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_export_image(tmp_path: Path, map_view: DependencyMapView, suffix: str) -> None:
    path = tmp_path / f"map{suffix}"
    map_view.export_image(str(path))
    assert path.stat().st_size > 10_000
    if suffix == ".png":
        image = QImage(str(path))
        assert image.width() >= 1280  # the whole map at 1:1 (at 2x pixels)


def test_export_of_a_focused_map_never_shown(
    qtbot: Any, tmp_path: Path, demo_ws: Workspace
) -> None:
    view = DependencyMapView()
    qtbot.addWidget(view)
    plan = demo_ws.plan()
    view.set_data(plan, None)
    view.set_focus(plan.releases[-1].key, depth=None, direction="up")
    view.export_image(str(tmp_path / "focus.png"))
    assert QImage(str(tmp_path / "focus.png")).height() > 200


def test_live_boxes_keep_their_pixels_and_search_repaints_them(
    qtbot: Any, demo_ws: Workspace
) -> None:
    from PySide6.QtWidgets import QGraphicsItem

    from relplan.ui.tasks import SyncTaskRunner

    view = DependencyMapView(runner=SyncTaskRunner())
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    qtbot.waitUntil(lambda: bool(nodes(view)))
    boxes = nodes(view)
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert {box.cacheMode() for box in boxes.values()} == {cached}
    key = sorted(boxes)[0]
    point = viewport_point(view, key)

    def pixel() -> Any:
        return view.view.viewport().grab().toImage().pixelColor(point.x() + 20, point.y() + 10)

    plain = pixel()
    view.search.setText(key)  # the box is highlighted: its cached pixels must not stay
    assert key in view.matches
    highlighted = pixel()
    assert highlighted != plain
    view.search.setText("")
    assert pixel() == plain
