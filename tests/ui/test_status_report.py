"""File > Status Report… and the release editor's Release notes…, driven as a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication

from relplan.ui.dialogs.release_notes import write_notes
from relplan.ui.dialogs.status_report import StatusReportDialog
from relplan.ui.main_window import MainWindow


def _open_report(qtbot: Any, window: MainWindow) -> StatusReportDialog:
    window.status_report_action.trigger()
    dialog = window.status_report_dialog
    assert isinstance(dialog, StatusReportDialog)
    qtbot.waitUntil(lambda: dialog.rendered is not None, timeout=60_000)
    return dialog


def test_the_menu_previews_the_report_with_its_charts(qtbot: Any, window: MainWindow) -> None:
    dialog = _open_report(qtbot, window)
    text = dialog.preview.toPlainText()
    for heading in (
        "Headline",
        "What changed since",
        "At risk",
        "Critical path",
        "Next four weeks",
    ):
        assert heading in text
    assert dialog.rendered is not None
    assert dialog.rendered.images
    assert all(not image.isNull() for image in dialog.rendered.images.values())
    assert dialog.save_button.isEnabled()
    # The preview's trains are the workspace's.
    trains = [dialog.train_box.itemData(i) for i in range(1, dialog.train_box.count())]
    assert trains == sorted(t.key for t in window.session.workspace.release_plan().trains)


def test_a_train_narrows_the_preview(qtbot: Any, window: MainWindow) -> None:
    dialog = _open_report(qtbot, window)
    train = dialog.train_box.itemData(1)
    dialog.train_box.setCurrentIndex(1)
    dialog.rendered = None
    dialog.request()
    qtbot.waitUntil(lambda: dialog.rendered is not None, timeout=60_000)
    assert dialog.rendered is not None
    assert dialog.rendered.doc.title == f"Release status: train {train}"


def test_save_writes_the_previewed_report_and_copy_fills_the_clipboard(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    dialog = _open_report(qtbot, window)
    out = tmp_path / "status.html"
    dialog.save(str(out))
    qtbot.waitUntil(lambda: dialog.status_label.text().startswith("Saved"), timeout=60_000)
    assert out.read_text(encoding="utf-8") == dialog.rendered.html  # type: ignore[union-attr]
    dialog.copy()
    mime = QGuiApplication.clipboard().mimeData()
    assert "data:image/png;base64," in mime.html()
    assert mime.text().startswith("# Release status")
    QGuiApplication.clipboard().clear()  # Qt's offscreen clipboard crashes at exit when full


def test_the_release_editor_has_a_release_notes_button(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    key = window.session.workspace.release_plan().releases[0].key
    window.open_release_editor(key)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    dialog = window.editors.release_editor
    assert dialog is not None
    assert dialog.notes_button.text() == "Release &notes…"
    dialog.notes_requested.disconnect()  # the launcher's slot would ask for a file (modal)
    with qtbot.waitSignal(dialog.notes_requested) as blocker:
        dialog.notes_button.click()
    assert blocker.args == [key]
    out = tmp_path / "notes.md"
    told: list[str] = []
    write_notes(window.session, key, str(out), dialog, told.append)
    qtbot.waitUntil(lambda: bool(told), timeout=30_000)
    assert out.read_text(encoding="utf-8").startswith(f"# Release notes: {key}")
    assert told == [f"Wrote the release notes of {key} to {out}"]
