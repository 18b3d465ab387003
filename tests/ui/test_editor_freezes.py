"""The Freeze and Environment editors: each change one undoable command through the session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from relplan.domain.model import Environment, Freeze
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.environments import EnvironmentEditorDialog
from relplan.ui.dialogs.freezes import FreezeEditorDialog
from relplan.ui.main_window import MainWindow

MIGRATION = "Data-centre migration"


def _freezes(qtbot: Any, window: MainWindow, name: str | None = None) -> FreezeEditorDialog:
    window.open_freeze_editor(name)
    qtbot.waitUntil(lambda: window.editors.freeze_editor is not None)
    dialog = window.editors.freeze_editor
    assert dialog is not None
    return dialog


def _environments(qtbot: Any, window: MainWindow) -> EnvironmentEditorDialog:
    window.environments_action.trigger()
    qtbot.waitUntil(lambda: window.editors.environment_editor is not None)
    dialog = window.editors.environment_editor
    assert dialog is not None
    return dialog


def _stored(ws: Workspace) -> dict[str, Freeze]:
    return {f.name: f for f in ws.plan().freezes}


def _check(dialog: Any, attribute: str, values: set[str]) -> None:
    checklist = getattr(dialog, attribute)
    for row in range(checklist.count()):
        item = checklist.item(row)
        wanted = item.data(Qt.ItemDataRole.UserRole) in values
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)


def test_plan_menu_has_the_editors(sync_window: MainWindow) -> None:
    assert sync_window.freezes_action.text() == "&Freezes…"
    assert sync_window.environments_action.text() == "E&nvironments…"
    assert sync_window.freezes_action.shortcut().toString() == "Ctrl+Shift+F"


def test_add_a_freeze_then_undo(qtbot: Any, window: MainWindow, demo_ws: Workspace) -> None:
    dialog = _freezes(qtbot, window)
    count = dialog.freeze_list.count()
    dialog.new_freeze()
    dialog.name_edit.setText("Release party")
    dialog.start_edit.setDate(QDate(2026, 7, 3))
    dialog.end_edit.setDate(QDate(2026, 7, 3))
    dialog.timed_check.setChecked(True)
    _check(dialog, "environment_list", {"Production"})
    _check(dialog, "team_list", {"PAY", "WEB"})
    dialog.rule_edit.setText("FREQ=WEEKLY;BYDAY=FR;COUNT=3")
    assert dialog.rule_status.text() == (
        "Occurs on Fri 03 Jul 2026, Fri 10 Jul 2026, Fri 17 Jul 2026"
    )
    dialog.save_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and dialog.freeze_list.count() == count + 1)

    stored = _stored(demo_ws)["Release party"]
    assert stored == Freeze(
        "Release party",
        dt.date(2026, 7, 3),
        dt.date(2026, 7, 3),
        environments=("Production",),
        teams=("PAY", "WEB"),
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=3",
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 59),
    )
    assert window.undo_action.text() == "&Undo Add freeze Release party"
    assert "Saved" in dialog.message.text()
    # The calendar shows it on the three Fridays of July it covers.
    assert window.show_view("Calendar")
    window.calendar.next_period()
    layout = window.calendar.layout_model
    assert layout is not None
    fridays = (dt.date(2026, 7, 3), dt.date(2026, 7, 10), dt.date(2026, 7, 17))
    assert all("Release party" in layout.freezes_on(d) for d in fridays)
    assert "Release party" not in layout.freezes_on(dt.date(2026, 7, 24))

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and dialog.freeze_list.count() == count)
    assert "Release party" not in _stored(demo_ws)


def test_edit_and_rename_a_freeze(qtbot: Any, sync_window: MainWindow, demo_ws: Workspace) -> None:
    dialog = _freezes(qtbot, sync_window, MIGRATION)
    assert dialog.name_edit.text() == MIGRATION
    assert set(dialog.environment_list.checked()) == {"Staging", "Production"}
    dialog.name_edit.setText("DC migration")
    dialog.end_edit.setDate(QDate(2026, 6, 20))
    dialog.save_button.click()
    stored = _stored(demo_ws)
    assert MIGRATION not in stored
    assert stored["DC migration"].end == dt.date(2026, 6, 20)
    assert stored["DC migration"].teams == ("API", "DATA", "OPS")
    assert sync_window.undo_action.text() == f"&Undo Rename freeze {MIGRATION} to DC migration"
    sync_window.undo_action.trigger()
    stored = _stored(demo_ws)
    assert MIGRATION in stored
    assert "DC migration" not in stored
    assert dialog.name_edit.text() == ""  # the freeze it showed is gone: a new one
    assert dialog.select(MIGRATION)
    assert dialog.name_edit.text() == MIGRATION


def test_remove_a_freeze_with_delete_after_confirmation(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a: answers.pop(0)))
    dialog = _freezes(qtbot, sync_window, MIGRATION)
    dialog.freeze_list.setFocus()
    qtbot.keyClick(dialog.freeze_list, Qt.Key.Key_Delete)  # No
    assert MIGRATION in _stored(demo_ws)
    qtbot.keyClick(dialog.freeze_list, Qt.Key.Key_Delete)  # Yes
    assert MIGRATION not in _stored(demo_ws)
    assert sync_window.undo_action.text() == f"&Undo Remove freeze {MIGRATION}"
    assert not dialog.select(MIGRATION)


def test_invalid_freezes_are_refused_inline(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    before = _stored(demo_ws)
    dialog = _freezes(qtbot, sync_window)
    dialog.new_freeze()
    dialog.save_button.click()
    assert dialog.message.text() == "Give the freeze a name."
    dialog.name_edit.setText(MIGRATION)
    dialog.save_button.click()
    assert "already exists" in dialog.message.text()
    dialog.name_edit.setText("Sometimes")
    dialog.rule_edit.setText("FREQ=SOMETIMES")
    assert "cannot be read" in dialog.rule_status.text()
    dialog.save_button.click()
    assert dialog.message.text().startswith("Not saved: ")
    assert _stored(demo_ws) == before


def test_change_environment_capacity_then_undo(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    dialog = _environments(qtbot, sync_window)
    assert [dialog.table.value(r, 0) for r in range(dialog.table.rowCount())] == [
        "Dev",
        "QA",
        "Staging",
        "Production",
    ]
    staging = 2
    dialog.table.set_value(staging, 2, 3)
    assert dialog.changes() == [
        (Environment("Staging", 3, 2), Environment("Staging", 3, 3)),
    ]
    dialog.apply()
    envs = {e.name: e for e in demo_ws.plan().environments}
    assert envs["Staging"].capacity == 3
    assert sync_window.undo_action.text() == "&Undo Edit environment Staging"
    assert "Saved" in dialog.message.text()
    # Capacity 3 ends the demo's Staging conflict.
    kinds = {p.kind for p in sync_window.analyser.latest.problems}  # type: ignore[union-attr]
    assert "environment_conflict" not in kinds
    sync_window.undo_action.trigger()
    assert {e.name: e for e in demo_ws.plan().environments}["Staging"].capacity == 2
    assert dialog.table.value(staging, 2) == 2


def test_add_an_environment_and_refuse_removing_a_used_one(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *_a: QMessageBox.StandardButton.Yes)
    )
    dialog = _environments(qtbot, sync_window)
    dialog.add_environment()
    row = dialog.table.rowCount() - 1
    dialog.table.item(row, 0).setText("Canary")  # type: ignore[union-attr]
    dialog.apply()
    assert {e.name for e in demo_ws.plan().environments} >= {"Canary"}
    assert sync_window.undo_action.text() == "&Undo Add environment Canary"

    dialog.table.setCurrentCell(0, 0)  # Dev: every release has a stage there
    dialog.table.remove_selected()
    dialog.apply()
    assert "still used by" in dialog.message.text()
    assert "Dev" in {e.name for e in demo_ws.plan().environments}
