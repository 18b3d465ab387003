"""The window and other writers on the same file: reload on their changes, undo only its own."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow


def _rename_elsewhere(ws: Workspace, key: str, name: str) -> int:
    with Workspace.open(ws.path, origin="session:other") as other:
        changes = other.update_releases([replace(other.release(key), name=name)], f"Rename {key}")
    assert changes.command_id is not None
    return changes.command_id


def test_the_window_reloads_when_another_process_writes(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    key = window.model.keys()[0]
    _rename_elsewhere(demo_ws, key, "Renamed elsewhere")
    # The window's own timer notices it: no action of the window is needed.
    qtbot.waitUntil(lambda: window.model.row_for(key).name == "Renamed elsewhere", timeout=8000)
    assert "changed by another window or program" in window.statusBar().currentMessage()
    # Another origin's change is not on this window's undo stack.
    assert not window.undo_action.isEnabled()


def test_the_windows_own_writes_do_not_reload_it(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    key = window.model.keys()[0]
    window.session.edit_release(key, {"name": "Mine"})
    qtbot.waitUntil(lambda: window.runner.idle)
    loads: list[Any] = []
    window.session.refreshed.connect(loads.append)
    window.session.check_external_changes()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert loads == []
    assert window.undo_action.text() == f"&Undo Edit {key} name"


def test_undo_from_history_asks_before_taking_back_anothers_change(
    qtbot: Any, window: MainWindow, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = window.model.keys()[0]
    old_name = demo_ws.release(key).name
    other = _rename_elsewhere(demo_ws, key, "Theirs")
    offered: list[list[str]] = []
    asked: list[str] = []

    def get_item(_parent: Any, _title: str, _label: str, items: list[str], *_: Any) -> Any:
        offered.append(items)
        return items[0], True

    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])

    def question(_parent: Any, _title: str, text: str, *_: Any) -> Any:
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    monkeypatch.setattr(QMessageBox, "question", question)
    window.history_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert offered[0][0].startswith(f"#{other}  Rename {key}")
    assert "session:other" in offered[0][0]
    assert demo_ws.release(key).name == "Theirs"  # declined: nothing undone
    window.history_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    assert f"Change #{other} 'Rename {key}'" in asked[-1]
    assert demo_ws.release(key).name == old_name
