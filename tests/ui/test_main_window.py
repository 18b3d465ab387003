"""The main window against a real demo workspace file."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QLineEdit, QMessageBox

from relplan import __version__, config
from relplan.app import install_excepthook
from relplan.domain.model import RELEASE_STATUSES
from relplan.errors import ValidationError
from relplan.formats.workspace_io import import_file
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from relplan.ui.models.releases import Col


def _error_box(qtbot: Any, window: MainWindow) -> QMessageBox:
    boxes: list[QMessageBox] = []

    def found() -> bool:
        boxes[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        return bool(boxes)

    qtbot.waitUntil(found)
    return boxes[0]


def _choose_file(monkeypatch: pytest.MonkeyPatch, method: str, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, method, staticmethod(lambda *a, **k: (str(path), "")))


def _dated_release(ws: Workspace) -> tuple[str, dt.date, dt.date]:
    """A release with both dates and room to move its target one day earlier."""
    for row in ws.release_rows():
        if row.start and row.target and row.start < row.target:
            return row.key, dt.date.fromisoformat(row.start), dt.date.fromisoformat(row.target)
    raise AssertionError("the demo has no dated release")


def test_window_shows_every_release(window: MainWindow, demo_ws: Workspace) -> None:
    assert window.model.rowCount() == len(demo_ws.release_rows()) == 40
    assert window.table.model() is window.model
    assert "40 releases" in window.count_label.text()
    assert "Europe/Berlin" in window.zone_label.text()


def test_title_contains_the_workspace_path(window: MainWindow, demo_ws: Workspace) -> None:
    assert window.windowTitle() == f"relplan — {demo_ws.path}"


def test_team_filter_shows_only_that_team(sync_window: MainWindow, demo_ws: Workspace) -> None:
    combo = sync_window.team_filter
    teams = [team.key for team in demo_ws.teams()]
    labels = [f"{team.name} ({team.key})" for team in demo_ws.teams()]
    assert [combo.itemText(i) for i in range(combo.count())] == ["All teams", *labels]
    assert "Payments (PAY)" in labels
    assert [combo.itemData(i) for i in range(1, combo.count())] == teams
    combo.setCurrentIndex(combo.findData(teams[1]))
    model = sync_window.model
    expected = [row.key for row in demo_ws.release_rows() if row.team == teams[1]]
    assert model.keys() == expected
    assert f"Showing {len(expected)} of 40" in sync_window.count_label.text()
    combo.setCurrentIndex(0)
    assert model.rowCount() == 40


def test_search_box_filters_after_typing(qtbot: Any, sync_window: MainWindow) -> None:
    key = sync_window.model.row_at(5).key
    qtbot.keyClicks(sync_window.search, key.lower())
    qtbot.waitUntil(lambda: sync_window.model.keys() == [key])
    sync_window.search.clear()
    qtbot.waitUntil(lambda: sync_window.model.rowCount() == 40)


def test_ctrl_f_focuses_the_filter_box(qtbot: Any, sync_window: MainWindow) -> None:
    sync_window.activateWindow()
    sync_window.table.setFocus()
    sync_window.find_action.trigger()
    qtbot.waitUntil(sync_window.search.hasFocus)
    assert sync_window.find_action.shortcut().toString() == "Ctrl+F"


def test_clicking_the_target_header_sorts_by_target(qtbot: Any, sync_window: MainWindow) -> None:
    header = sync_window.table.horizontalHeader()
    x = header.sectionViewportPosition(Col.TARGET) + header.sectionSize(Col.TARGET) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    targets = [sync_window.model.row_at(r).target for r in range(40)]
    dated = [t for t in targets if t is not None]
    assert header.sortIndicatorSection() == Col.TARGET
    assert targets == (
        sorted(dated, reverse=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)
        + [None] * (40 - len(dated))
    )


def test_edit_target_then_undo_and_redo(qtbot: Any, window: MainWindow, demo_ws: Workspace) -> None:
    key, _start, target = _dated_release(demo_ws)
    new = target - dt.timedelta(days=1)
    row = window.model.keys().index(key)
    assert window.model.setData(window.model.index(row, Col.TARGET), new.isoformat())
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release(key).target == new
    assert window.undo_action.text() == f"&Undo Edit {key} target"
    assert window.undo_action.isEnabled()
    assert not window.redo_action.isEnabled()

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release(key).target == target
    assert window.model.row_for(key).target == target.isoformat()  # type: ignore[union-attr]
    assert window.redo_action.text() == f"&Redo Edit {key} target"
    # The demo was imported by another origin (the test's terminal), not by this window.
    assert window.undo_action.text() == "&Undo"
    assert not window.undo_action.isEnabled()

    window.redo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release(key).target == new
    assert window.model.row_for(key).target == new.isoformat()  # type: ignore[union-attr]
    assert [s.toString() for s in window.redo_action.shortcuts()] == ["Ctrl+Y", "Ctrl+Shift+Z"]


def test_edit_through_the_views_delegate(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    key, start, _target = _dated_release(demo_ws)
    new = start + dt.timedelta(days=1)
    index = window.model.index(window.model.keys().index(key), Col.START)
    window.table.setCurrentIndex(index)
    window.table.edit(index)
    editors = window.table.viewport().findChildren(QLineEdit)
    assert len(editors) == 1
    editors[0].setText(new.isoformat())
    qtbot.keyClick(editors[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.runner.idle and demo_ws.release(key).start == new)
    assert window.undo_action.text() == f"&Undo Edit {key} start"


def test_status_edit_through_the_combo_delegate(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    key = window.model.row_at(0).key
    new = "cancelled" if demo_ws.release(key).status != "cancelled" else "planned"
    index = window.model.index(0, Col.STATUS)
    window.table.setCurrentIndex(index)
    window.table.edit(index)
    (combo,) = window.table.viewport().findChildren(QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == list(RELEASE_STATUSES)
    assert combo.currentData() == demo_ws.release(key).status
    combo.setCurrentIndex(combo.findData(new))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.runner.idle and demo_ws.release(key).status == new)
    assert window.undo_action.text() == f"&Undo Edit {key} status"


def test_status_edit_is_stored(qtbot: Any, window: MainWindow, demo_ws: Workspace) -> None:
    key = window.model.row_at(0).key
    old = demo_ws.release(key).status
    new = "cancelled" if old != "cancelled" else "planned"
    assert window.model.setData(window.model.index(0, Col.STATUS), new)
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release(key).status == new
    assert "Saved: Edit" in window.statusBar().currentMessage()


def test_bad_date_is_refused_and_nothing_written(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    key, start, target = _dated_release(demo_ws)
    row = window.model.keys().index(key)
    before = demo_ws.release(key)
    assert not window.model.setData(window.model.index(row, Col.TARGET), "2026-13-01")
    assert "not a day" in window.statusBar().currentMessage()
    early = (start - dt.timedelta(days=5)).isoformat()
    assert not window.model.setData(window.model.index(row, Col.TARGET), early)
    assert "a release needs start <= target" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release(key) == before
    assert [c["label"] for c in demo_ws.history()] == ["Demo"]
    assert window.model.row_for(key).target == target.isoformat()  # type: ignore[union-attr]


def test_import_of_a_bad_file_lists_every_problem(
    qtbot: Any,
    window: MainWindow,
    demo_ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "bad.json"
    document = {
        "format": "relplan-workspace",
        "version": 1,
        "releases": [
            {
                "key": "X-1",
                "name": "X",
                "team": "NOPE",
                "start": "2026-05-01",
                "target": "2026-04-01",
            },
            {"key": "X-2", "name": "Y", "team": "PAY", "status": "shipped", "colour": "red"},
            {"key": "X-3", "name": "Z", "team": "PAY", "target": "2026-02-30"},
            {"key": "X-4", "name": "W", "team": "NOPE"},
        ],
    }
    bad.write_text(json.dumps(document), encoding="utf-8")
    qtbot.waitUntil(lambda: window.runner.idle)
    with pytest.raises(ValidationError) as caught:  # the very call the window makes
        import_file(demo_ws, bad)
    lines = caught.value.lines()
    assert len(lines) >= 3
    rows_before = demo_ws.release_rows()
    _choose_file(monkeypatch, "getOpenFileName", bad)

    window.import_action.trigger()
    box = _error_box(qtbot, window)
    qtbot.waitUntil(lambda: window.runner.idle)
    assert box.windowTitle() == "Invalid input"
    assert f"{len(lines)} problems" in box.text()
    for line in lines:
        assert line in box.informativeText()
        assert line in box.detailedText()
    assert demo_ws.release_rows() == rows_before
    assert [c["label"] for c in demo_ws.history()] == ["Demo"]
    box.close()


def test_import_of_a_good_file_updates_the_table(
    qtbot: Any,
    window: MainWindow,
    demo_ws: Workspace,
    demo_document: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = json.loads(json.dumps(demo_document))
    document["releases"][0]["name"] = "Renamed by import"
    key = document["releases"][0]["key"]
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document), encoding="utf-8")
    _choose_file(monkeypatch, "getOpenFileName", good)
    window.import_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert demo_ws.release(key).name == "Renamed by import"
    assert window.model.row_for(key).name == "Renamed by import"  # type: ignore[union-attr]
    assert window.undo_action.text() == "&Undo Import good.json"


def test_export_writes_json(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.json"
    _choose_file(monkeypatch, "getSaveFileName", out)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and out.exists())
    assert len(json.loads(out.read_text(encoding="utf-8"))["releases"]) == 40
    assert "Exported" in window.statusBar().currentMessage()


def test_opening_a_non_workspace_file_shows_a_clear_error(
    qtbot: Any,
    window: MainWindow,
    demo_ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = tmp_path / "notes.relplan"
    other.write_bytes(b"these are my notes, not a database\n")
    _choose_file(monkeypatch, "getOpenFileName", other)
    window.open_action.trigger()
    box = _error_box(qtbot, window)
    assert box.windowTitle() == "Cannot open workspace"
    assert "not an SQLite database" in box.informativeText()
    assert other.read_bytes() == b"these are my notes, not a database\n"
    assert window.windowTitle() == f"relplan — {demo_ws.path}"
    assert window.model.rowCount() == 40
    box.close()


def test_new_workspace_switches_and_recent_goes_back(
    qtbot: Any,
    window: MainWindow,
    demo_ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config.save_settings(config.load_settings().opened(demo_ws.path))
    fresh = tmp_path / "fresh"
    _choose_file(monkeypatch, "getSaveFileName", fresh)
    window.new_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 0 and window.runner.idle)
    expected = fresh.with_suffix(".relplan").resolve()
    assert expected.exists()
    assert window.windowTitle() == f"relplan — {expected}"
    assert config.load_settings().recent[:2] == (str(expected), str(demo_ws.path))
    assert not window.undo_action.isEnabled()
    assert window.count_label.text().strip() == "0 releases"

    window.recent_menu.aboutToShow.emit()
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions] == [f"&1  {demo_ws.path}"]
    actions[0].trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 40 and window.runner.idle)
    assert window.windowTitle() == f"relplan — {demo_ws.path}"
    # The demo was imported from the test's terminal: this window's undo stack is empty.
    assert window.undo_action.text() == "&Undo"
    assert [c["label"] for c in window.session.workspace.history()] == ["Demo"]


def test_new_refuses_an_existing_file(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "taken.relplan"
    existing.write_text("mine", encoding="utf-8")
    warned: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text: warned.append(text))
    )
    _choose_file(monkeypatch, "getSaveFileName", existing)
    window.new_action.trigger()
    assert "already exists" in warned[0]
    assert existing.read_text(encoding="utf-8") == "mine"
    assert window.runner.idle


def test_a_write_refused_by_the_core_check_is_shown_and_reverted(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    key, start, target = _dated_release(demo_ws)
    window.session.edit_release(key, {"target": start - dt.timedelta(days=5)})
    box = _error_box(qtbot, window)
    qtbot.waitUntil(lambda: window.runner.idle)
    assert box.windowTitle() == "Invalid input"
    assert "a release needs start <= target" in box.informativeText()
    assert demo_ws.release(key).target == target
    assert window.model.row_for(key).target == target.isoformat()  # type: ignore[union-attr]
    box.close()


def test_busy_indicator_shows_during_long_work(qtbot: Any, window: MainWindow) -> None:
    gate = threading.Event()
    window.runner.submit(lambda: gate.wait(5))
    qtbot.waitUntil(window.busy_bar.isVisible, timeout=2000)
    assert window.busy_label.text() == "Working…"
    gate.set()
    qtbot.waitUntil(lambda: not window.busy_bar.isVisible())


def test_excepthook_shows_uncaught_errors(
    qtbot: Any, window: MainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    uninstall = install_excepthook(window)
    try:
        try:
            raise RuntimeError("slot blew up")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        uninstall()
    box = _error_box(qtbot, window)
    assert "RuntimeError: slot blew up" in box.informativeText()
    assert "slot blew up" in caplog.text
    box.close()


def test_undo_with_empty_history_only_says_so(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.session.open_workspace(tmp_path / "empty.relplan", create=True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 0 and window.runner.idle)
    window.session.undo()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert window.statusBar().currentMessage() == "Nothing to undo."
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_about_names_version_paths_and_qt(window: MainWindow, demo_ws: Workspace) -> None:
    text = window.about_text()
    assert __version__ in text
    assert str(demo_ws.path) in text
    assert str(config.data_dir()) in text
    assert "Qt:" in text


def test_geometry_is_saved_on_close(window: MainWindow) -> None:
    window.resize(900, 600)
    window.close()
    store = QSettings("relplan", "relplan")
    assert store.value("main_window/geometry") is not None
    assert store.value("main_window/header") is not None


def test_a_read_only_workspace_says_so_in_the_title(
    qtbot: Any, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from relplan.ui.tasks import SyncTaskRunner
    from tests.ui.conftest import make_window

    path = demo_ws.path
    demo_ws.close()
    real = os.access
    # The tests run as root, for whom chmod changes nothing: make every file look unwritable.
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real(p, mode)
    )
    ws = Workspace.open(path, create=False)
    try:
        window = make_window(qtbot, ws, SyncTaskRunner())
        assert window.windowTitle() == f"relplan — {path} (read-only)"
        assert window.model.rowCount() > 0
    finally:
        ws.close()
