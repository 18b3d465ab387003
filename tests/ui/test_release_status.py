"""Setting a release to Released with open gates asks first, in the table and in the editor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from relplan.store.workspace import Workspace
from relplan.ui.dialogs.release_editor import ReleaseEditorDialog
from relplan.ui.main_window import MainWindow
from relplan.ui.models.releases import Col
from relplan.ui.release_status import BOX_NAME

OPS = "OPS-2026.06"  # gates: Regression suite (approved), CAB approval (pending)


def question(qtbot: Any) -> QMessageBox:
    """The open "Set to Released?" box."""

    def find() -> QMessageBox | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.objectName() == BOX_NAME and w.isVisible()
            ),
            None,
        )

    qtbot.waitUntil(lambda: find() is not None)
    box = find()
    assert box is not None
    return box


def answer(box: QMessageBox, *, release: bool) -> None:
    if release:
        button = next(b for b in box.buttons() if b.objectName() == f"{BOX_NAME}-yes")
    else:
        button = box.button(QMessageBox.StandardButton.Cancel)
    button.click()


def set_status_cell(window: MainWindow, key: str, text: str) -> None:
    row = window.model.row_of(key)
    assert row is not None
    assert window.model.setData(window.model.index(row, Col.STATUS), text)


def status_cell(window: MainWindow, key: str) -> str:
    row = window.model.row_of(key)
    assert row is not None
    return str(window.model.index(row, Col.STATUS).data())


def problem_kinds(window: MainWindow, key: str) -> set[str]:
    return {p.kind for p in window.problems_dock.shown_problems() if f"release:{key}" in p.subjects}


def test_the_status_cell_asks_and_cancel_keeps_the_stored_status(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    before = demo_ws.release(OPS).status
    assert before != "released"
    set_status_cell(window, OPS, "Released")
    box = question(qtbot)
    assert "CAB approval (pending)" in box.text()
    answer(box, release=False)
    qtbot.waitUntil(lambda: window.runner.idle and status_cell(window, OPS) != "Released")
    assert demo_ws.release(OPS).status == before
    assert status_cell(window, OPS) == before.replace("_", " ").capitalize()


def test_the_status_cell_sets_released_when_confirmed_and_check_warns(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    set_status_cell(window, OPS, "Released")
    answer(question(qtbot), release=True)
    qtbot.waitUntil(lambda: demo_ws.release(OPS).status == "released")
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)
    qtbot.waitUntil(lambda: "released_with_open_gates" in problem_kinds(window, OPS))


def test_a_release_without_open_gates_is_released_without_a_question(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    ops = demo_ws.release(OPS)
    approved = tuple(replace(g, status="approved") for g in ops.gates)
    demo_ws.update_releases([replace(ops, gates=approved)], "Approve every gate")
    set_status_cell(sync_window, OPS, "Released")
    qtbot.waitUntil(lambda: demo_ws.release(OPS).status == "released")
    assert not any(
        isinstance(w, QMessageBox) and w.objectName() == BOX_NAME and w.isVisible()
        for w in QApplication.topLevelWidgets()
    )


def _editor(qtbot: Any, window: MainWindow, key: str) -> ReleaseEditorDialog:
    window.open_release_editor(key)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    dialog = window.editors.release_editor
    assert dialog is not None
    return dialog


def test_the_editor_asks_before_saving_released_with_open_gates(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    before = demo_ws.release(OPS).status
    dialog = _editor(qtbot, window, OPS)
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("released"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    answer(question(qtbot), release=False)
    qtbot.wait(50)
    assert window.editors.release_editor is dialog  # still open, nothing saved
    assert demo_ws.release(OPS).status == before
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    answer(question(qtbot), release=True)
    qtbot.waitUntil(lambda: window.runner.idle and window.editors.release_editor is None)
    assert demo_ws.release(OPS).status == "released"
