"""The Release editor on the demo workspace: gates, dependencies, validation, undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from relplan.domain.model import Dependency
from relplan.store.commands import current_user
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.release_editor import ReleaseEditorDialog
from relplan.ui.main_window import MainWindow

OPS = "OPS-2026.06"  # gates: Regression suite (approved), CAB approval (pending)
PAY = "PAY-2026.11"  # needs OPS-2026.06 (OPS -> PAY)


def _open(qtbot: Any, window: MainWindow, key: str) -> ReleaseEditorDialog:
    window.open_release_editor(key)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    dialog = window.editors.release_editor
    assert dialog is not None
    assert dialog.data.release.key == key
    return dialog


def _save(qtbot: Any, window: MainWindow, dialog: ReleaseEditorDialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.runner.idle and window.editors.release_editor is None)


def _gate_row(dialog: ReleaseEditorDialog, name: str) -> int:
    return next(
        r for r in range(dialog.gates_table.rowCount()) if dialog.gates_table.value(r, 0) == name
    )


def _yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_approve_a_gate_then_undo(qtbot: Any, window: MainWindow, demo_ws: Workspace) -> None:
    dialog = _open(qtbot, window, OPS)
    row = _gate_row(dialog, "CAB approval")
    dialog.gates_table.setCurrentCell(row, 0)
    dialog.comment_edit.setText("CAB met on Monday")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    dialog.approve_button.click()
    assert dialog.gates_table.value(row, 4) == "approved"
    assert dialog.gates_table.value(row, 5) == current_user()
    _save(qtbot, window, dialog)
    after = dt.datetime.now(dt.UTC)

    gate = next(g for g in demo_ws.release(OPS).gates if g.name == "CAB approval")
    assert gate.status == "approved"
    assert gate.decided_by == current_user()
    assert gate.decided_at is not None
    assert before <= gate.decided_at <= after
    assert gate.comment == "CAB met on Monday"
    assert window.undo_action.text() == f"&Undo Approve gate CAB approval of {OPS}"

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle)
    gate = next(g for g in demo_ws.release(OPS).gates if g.name == "CAB approval")
    assert (gate.status, gate.decided_by, gate.decided_at, gate.comment) == (
        "pending",
        None,
        None,
        None,
    )


def test_rejecting_needs_a_comment(qtbot: Any, sync_window: MainWindow, demo_ws: Workspace) -> None:
    dialog = _open(qtbot, sync_window, OPS)
    dialog.gates_table.setCurrentCell(_gate_row(dialog, "CAB approval"), 0)
    assert not dialog.decide("rejected")
    assert "reason" in dialog.error_label.text()
    dialog.comment_edit.setText("Too risky before the migration")
    assert dialog.decide("rejected")
    _save(qtbot, sync_window, dialog)
    gate = next(g for g in demo_ws.release(OPS).gates if g.name == "CAB approval")
    assert (gate.status, gate.comment) == ("rejected", "Too risky before the migration")
    assert sync_window.undo_action.text() == f"&Undo Reject gate CAB approval of {OPS}"


def test_a_dependency_that_closes_a_cycle_is_refused(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    before = demo_ws.plan().dependencies
    undo_label = sync_window.undo_action.text()
    dialog = _open(qtbot, sync_window, OPS)
    rows = dialog.dependencies_panel.incoming_table.rowCount()
    # OPS-2026.06 -> IAM-2026.12 -> (items) -> SRCH-2027.02, so SRCH-2027.02 cannot come first.
    assert not dialog.add_dependency("SRCH-2027.02", incoming=True)
    message = dialog.dependencies_panel.message.text()
    assert message == (
        "Refused: this dependency would close a cycle: "
        "SRCH-2027.02 → OPS-2026.06 → IAM-2026.12 → SRCH-2027.02."
    )
    assert dialog.dependencies_panel.incoming_table.rowCount() == rows
    # PAY already needs OPS: PAY first as well is a two-release cycle, not "already linked".
    assert not dialog.add_dependency(PAY, incoming=True)
    assert dialog.dependencies_panel.message.text() == (
        f"Refused: this dependency would close a cycle: {PAY} → {OPS} → {PAY}."
    )
    assert dialog.dependencies_panel.incoming_table.rowCount() == rows
    # The same direction again is already there: change its type or lag instead.
    assert not dialog.add_dependency(PAY, incoming=False)
    assert "already linked" in dialog.dependencies_panel.message.text()
    assert not dialog.add_dependency("NOPE-1", incoming=True)
    assert "No release 'NOPE-1'" in dialog.dependencies_panel.message.text()
    _save(qtbot, sync_window, dialog)  # nothing changed: closes without a write
    assert demo_ws.plan().dependencies == before
    assert sync_window.undo_action.text() == undo_label


def test_adding_through_the_form_and_removing_with_delete(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _yes(monkeypatch)
    dialog = _open(qtbot, sync_window, OPS)
    panel = dialog.dependencies_panel
    panel.direction_combo.setCurrentIndex(1)  # needed by
    panel.other_combo.setEditText("SRCH-2026.08")
    panel.type_combo.setCurrentIndex(panel.type_combo.findData("SS"))
    panel.lag_spin.setValue(3)
    panel.add_button.click()
    assert "Added OPS-2026.06 → SRCH-2026.08 (SS, +3 days lag)" in panel.message.text()
    outgoing = panel.outgoing_table
    outgoing.setFocus()
    outgoing.setCurrentCell(0, 0)  # DATA-2026.12
    qtbot.keyClick(outgoing, Qt.Key.Key_Delete)
    assert asked == ["Remove the selected row?"]
    dialog.name_edit.setText("Platform Operations June")
    _save(qtbot, sync_window, dialog)

    deps = {d.pair: d for d in demo_ws.plan().dependencies}
    assert deps[("release:OPS-2026.06", "release:SRCH-2026.08")] == Dependency(
        "release:OPS-2026.06", "release:SRCH-2026.08", "SS", 3
    )
    assert ("release:OPS-2026.06", "release:DATA-2026.12") not in deps
    assert demo_ws.release(OPS).name == "Platform Operations June"
    assert sync_window.undo_action.text() == f"&Undo Edit {OPS}"

    sync_window.undo_action.trigger()  # one command: everything goes back
    deps = {d.pair for d in demo_ws.plan().dependencies}
    assert ("release:OPS-2026.06", "release:SRCH-2026.08") not in deps
    assert ("release:OPS-2026.06", "release:DATA-2026.12") in deps
    assert demo_ws.release(OPS).name == "Platform Operations 2026.06"


def test_changing_type_and_lag_in_place(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    dialog = _open(qtbot, sync_window, OPS)
    table = dialog.dependencies_panel.outgoing_table
    row = next(r for r in range(table.rowCount()) if str(table.value(r, 0)).startswith(PAY))
    table.set_value(row, 1, "SS")
    table.set_value(row, 2, 5)
    _save(qtbot, sync_window, dialog)
    dep = next(
        d for d in demo_ws.plan().dependencies if d.pair == (f"release:{OPS}", f"release:{PAY}")
    )
    assert (dep.type, dep.lag_days) == ("SS", 5)


def test_bad_dates_are_refused_inline(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    old = demo_ws.release(OPS)
    dialog = _open(qtbot, sync_window, OPS)
    dialog.start_edit.set_date(dt.date(2026, 7, 1))  # after the target
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "Cannot save" in dialog.error_label.text()
    assert "before start" in dialog.error_label.text()
    assert sync_window.editors.release_editor is dialog
    assert dialog.isVisible()
    assert demo_ws.release(OPS) == old
    dialog.reject()


def test_a_refused_save_keeps_the_dialog_open(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    dialog = _open(qtbot, sync_window, OPS)
    dialog.add_dependency("SRCH-2026.08", incoming=False)
    # Meanwhile the plan gained the reverse edge (a sync, say): the save must be refused.
    from relplan.edits.dependencies import add_dependency

    add_dependency(demo_ws, Dependency("release:SRCH-2026.08", f"release:{OPS}"))
    before = demo_ws.plan().dependencies
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: sync_window.runner.idle)
    assert "Not saved: a dependency would close a cycle" in dialog.error_label.text()
    assert dialog.isVisible()
    assert demo_ws.plan().dependencies == before
    dialog.reject()


def test_the_editor_shows_everything_about_the_release(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    release = demo_ws.release(OPS)
    dialog = _open(qtbot, sync_window, OPS)
    assert dialog.name_edit.text() == release.name
    assert dialog.team_combo.currentData() == "OPS"
    assert dialog.status_combo.currentData() == "in_progress"
    assert dialog.stages_table.rowCount() == len(release.stages)
    assert dialog.milestones_table.rowCount() == len(release.milestones)
    items = [i for i in demo_ws.plan().work_items if i.release == OPS]
    assert dialog.items_table.rowCount() == len(items) > 0
    assert dialog.tabs.tabText(2) == f"&Work items ({len(items)})"
    panel = dialog.dependencies_panel
    assert panel.incoming_table.rowCount() == 2
    assert panel.outgoing_table.rowCount() == 3
    assert dialog.tabs.tabText(3) == "&Dependencies (5)"
    assert dialog.release() == release  # nothing changed yet
    assert not dialog.edit().changed
    dialog.reject()


def test_stages_and_milestones_can_be_added_and_removed(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _yes(monkeypatch)
    dialog = _open(qtbot, sync_window, OPS)
    stages = dialog.stages_table.rowCount()
    dialog.stages_table.setCurrentCell(0, 0)
    dialog.stages_table.remove_selected()
    dialog.milestones_table.setCurrentCell(0, 0)
    dialog.milestones_table.remove_selected()
    _save(qtbot, sync_window, dialog)
    release = demo_ws.release(OPS)
    assert len(release.stages) == stages - 1
    assert release.milestones[0].name == "Code freeze"
