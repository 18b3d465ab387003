"""The main window as a desk of views: tabs, shortcuts, the shared filter, state, exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from relplan.domain.model import Plan
from relplan.store.workspace import Workspace
from relplan.ui.analysis import PlanAnalysis
from relplan.ui.main_window import MainWindow
from relplan.ui.models.releases import Col
from relplan.ui.palette import DARK
from relplan.ui.session import WorkspaceSession
from relplan.ui.tasks import SyncTaskRunner
from relplan.ui.views.base import PlanView

from .conftest import DEMO_TODAY


class FakeView(QWidget, PlanView):
    """A plan view that records what the window tells it."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[Plan, PlanAnalysis | None]] = []
        self.filters: list[tuple[frozenset[str], str | None, str | None]] = []
        self.themes: list[object] = []

    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        self.data.append((plan, analysis))

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        self.filters.append((teams, train, environment))

    def set_theme(self, theme: object) -> None:
        self.themes.append(theme)


def _titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def _activate(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_ctrl_1_and_ctrl_2_switch_views(qtbot: Any, sync_window: MainWindow) -> None:
    assert _titles(sync_window) == ["Releases", "Calendar", "Timeline", "Map", "Dashboard"]
    assert sync_window.current_view() is sync_window.table
    _activate(qtbot, sync_window)
    qtbot.keyClick(sync_window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert sync_window.current_view() is sync_window.calendar
    assert sync_window.view_actions["Calendar"].isChecked()
    assert not sync_window.filter_bar.search_action.isVisible()  # it belongs to Releases
    qtbot.keyClick(sync_window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert sync_window.current_view() is sync_window.table
    assert sync_window.filter_bar.search_action.isVisible()
    assert sync_window.view_actions["Releases"].shortcut().toString() == "Ctrl+1"


def test_add_view_keeps_the_order_and_drives_plan_views(
    qtbot: Any, sync_window: MainWindow
) -> None:
    # Views the window does not know go after the known ones, whatever the order they come in.
    extra, timeline = QWidget(), FakeView()
    sync_window.add_view("Extra", extra, "Ctrl+7")
    sync_window.add_view("Plugin", timeline, "Ctrl+6")
    assert _titles(sync_window) == [
        "Releases", "Calendar", "Timeline", "Map", "Dashboard", "Extra", "Plugin",
    ]  # fmt: skip
    menu = [a.text() for a in sync_window.view_menu.actions()]
    assert menu[:5] == ["&Releases", "&Calendar", "&Timeline", "&Map", "&Dashboard"]
    # A plan view gets the filter at once; the analysis, and later filters and analyses, only
    # when it is shown (the latest of each, once), so hidden views cost nothing.
    assert timeline.filters == [(frozenset(), None, None)]
    assert timeline.data == []
    sync_window.team_filter.setCurrentIndex(sync_window.team_filter.findData("PAY"))
    sync_window.check_action.trigger()
    sync_window.check_action.trigger()
    assert timeline.data == []
    assert timeline.filters == [(frozenset(), None, None)]
    sync_window.show_view("Plugin")
    assert timeline.filters[-1] == (frozenset({"PAY"}), None, None)
    assert len(timeline.data) == 1
    plan, analysis = timeline.data[0]
    assert analysis is sync_window.analyser.latest
    assert len(plan.releases) == 40
    sync_window.check_action.trigger()  # shown: every new analysis arrives at once
    assert len(timeline.data) == 2
    sync_window.show_view("Releases")
    sync_window.show_view("Plugin")  # nothing new: nothing handed over again
    assert len(timeline.data) == 2
    sync_window.show_view("Releases")
    sync_window.theme_watcher.changed.emit(DARK)
    assert timeline.themes == [DARK]
    assert sync_window.calendar.context.theme is DARK
    _activate(qtbot, sync_window)
    qtbot.keyClick(sync_window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert sync_window.current_view() is timeline
    # Its release_activated opens the editor.
    timeline.release_activated.emit("OPS-2026.06")
    qtbot.waitUntil(lambda: sync_window.editors.release_editor is not None)
    assert sync_window.editors.release_editor.data.release.key == "OPS-2026.06"  # type: ignore[union-attr]
    sync_window.editors.release_editor.reject()  # type: ignore[union-attr]


def test_the_filter_bar_drives_every_view(sync_window: MainWindow, demo_ws: Workspace) -> None:
    sync_window.show_view("Calendar")  # the view shown follows at once
    trains = [sync_window.train_filter.itemData(i) for i in range(sync_window.train_filter.count())]
    assert trains == [None, "2026-Q3", "2026-Q4", "2027-Q1"]
    envs = [
        sync_window.environment_filter.itemText(i)
        for i in range(sync_window.environment_filter.count())
    ]
    assert envs == ["All", "Dev", "QA", "Staging", "Production"]
    sync_window.team_filter.setCurrentIndex(sync_window.team_filter.findData("WEB"))
    layout = sync_window.calendar.layout_model
    assert layout is not None
    assert {r.team for r in layout.releases.values()} == {"WEB"}
    assert {sync_window.model.row_at(r).team for r in range(sync_window.model.rowCount())} == {
        "WEB"
    }
    sync_window.train_filter.setCurrentIndex(sync_window.train_filter.findData("2026-Q3"))
    layout = sync_window.calendar.layout_model
    assert layout is not None
    assert {(r.team, r.train) for r in layout.releases.values()} == {("WEB", "2026-Q3")}
    sync_window.environment_filter.setCurrentIndex(
        sync_window.environment_filter.findData("Production")
    )
    layout = sync_window.calendar.layout_model
    assert layout is not None
    assert layout.flt.environment == "Production"
    sync_window.clear_filters()
    layout = sync_window.calendar.layout_model
    assert layout is not None
    assert not layout.flt.active


def test_clicking_a_calendar_release_opens_the_editor(qtbot: Any, sync_window: MainWindow) -> None:
    sync_window.show_view("Calendar")
    calendar = sync_window.calendar
    qtbot.waitUntil(lambda: calendar.table.rowHeight(0) > 0)
    day = dt.date(2026, 6, 2)
    layout = calendar.layout_model
    assert layout is not None
    rect = calendar.table.visualRect(calendar.model.index_of(day))
    geometry = calendar.context.geometry
    point = QPoint(rect.center().x(), rect.top() + geometry.lanes_top(layout.weeks[0]) + 5)
    hit = calendar.table.hit_at(point)
    assert hit is not None
    assert hit.kind == "release"
    qtbot.mouseClick(calendar.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: sync_window.editors.release_editor is not None)
    dialog = sync_window.editors.release_editor
    assert dialog is not None
    assert dialog.data.release.key == hit.key
    assert dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: sync_window.editors.release_editor is None)


def test_edit_release_action_and_double_click_open_the_editor(
    qtbot: Any, sync_window: MainWindow
) -> None:
    key = sync_window.model.row_at(3).key
    index = sync_window.model.index(3, Col.KEY)
    sync_window.table.setCurrentIndex(index)
    sync_window.edit_release_action.trigger()
    qtbot.waitUntil(lambda: sync_window.editors.release_editor is not None)
    assert sync_window.editors.release_editor.data.release.key == key  # type: ignore[union-attr]
    sync_window.editors.release_editor.reject()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: sync_window.editors.release_editor is None)
    other = sync_window.model.row_at(4).key
    sync_window.table.doubleClicked.emit(sync_window.model.index(4, Col.KEY))
    assert sync_window.editors.release_editor.data.release.key == other  # type: ignore[union-attr]


def test_ctrl_f_focuses_the_search_of_the_current_view(qtbot: Any, sync_window: MainWindow) -> None:
    _activate(qtbot, sync_window)
    sync_window.show_view("Calendar")
    sync_window.find_action.trigger()
    qtbot.waitUntil(sync_window.calendar.search.hasFocus)
    sync_window.show_view("Releases")
    sync_window.find_action.trigger()
    qtbot.waitUntil(sync_window.search.hasFocus)


def test_a_problem_reveals_its_release_in_the_releases_view(sync_window: MainWindow) -> None:
    sync_window.show_view("Calendar")
    assert sync_window.reveal_release("OPS-2026.06")
    assert sync_window.current_view() is sync_window.table
    assert sync_window.current_release() == "OPS-2026.06"


def test_window_state_is_restored(qtbot: Any, demo_ws: Workspace) -> None:
    first = MainWindow(WorkspaceSession(SyncTaskRunner(), demo_ws), today=lambda: DEMO_TODAY)
    qtbot.addWidget(first)
    first.show()
    first.resize(720, 530)  # the offscreen screen is 800x800
    first.show_view("Calendar")
    first.calendar.set_kind("quarter")
    first.calendar.set_show_all(True)
    first.close()

    second = MainWindow(WorkspaceSession(SyncTaskRunner(), demo_ws), today=lambda: DEMO_TODAY)
    qtbot.addWidget(second)
    second.show()
    assert (second.size().width(), second.size().height()) == (720, 530)
    assert second.current_view() is second.calendar
    assert second.view_actions["Calendar"].isChecked()
    assert second.calendar.kind == "quarter"
    assert second.calendar.table.show_all
    assert second.calendar.show_all_button.isChecked()


def test_export_view_image_from_the_file_menu(
    sync_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan-calendar"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(target), "SVG image (*.svg)")),
    )
    sync_window.show_view("Releases")
    sync_window.export_image_action.trigger()
    assert "cannot be exported" in sync_window.statusBar().currentMessage()
    sync_window.show_view("Calendar")
    sync_window.export_image_action.trigger()
    written = tmp_path / "plan-calendar.svg"
    assert written.stat().st_size > 1000
    assert f"Exported {written}" in sync_window.statusBar().currentMessage()
