"""present_error: one mapping from error kind to presentation."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from relplan.errors import (
    Cancelled,
    Issue,
    NotAWorkspaceError,
    NothingToUndoError,
    ValidationError,
)
from relplan.ui.errors import MAX_SHOWN_LINES, present_error


@pytest.fixture
def main(qtbot: Any) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def _boxes(window: QMainWindow) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_validation_error_lists_every_line(main: QMainWindow) -> None:
    issues = [Issue(f"releases[{i}].target", "not a date") for i in range(MAX_SHOWN_LINES + 3)]
    exc = ValidationError(issues, source="q4.json")
    present_error(main, exc)
    (box,) = _boxes(main)
    assert box.icon() == QMessageBox.Icon.Warning
    assert f"{len(issues)} problems" in box.text()
    assert box.informativeText().count("not a date") == MAX_SHOWN_LINES
    assert "and 3 more" in box.informativeText()
    assert box.detailedText().splitlines() == exc.lines()
    box.close()


def test_store_error_gets_a_warning_box(main: QMainWindow) -> None:
    present_error(main, NotAWorkspaceError("/x/y.relplan", "it is not an SQLite database"))
    (box,) = _boxes(main)
    assert box.windowTitle() == "Cannot open workspace"
    assert "/x/y.relplan" in box.informativeText()
    box.close()


def test_nothing_to_undo_only_reaches_the_status_bar(main: QMainWindow) -> None:
    present_error(main, NothingToUndoError("nothing to redo"))
    assert main.statusBar().currentMessage() == "Nothing to redo."
    assert not _boxes(main)


def test_cancelled_shows_nothing(main: QMainWindow) -> None:
    present_error(main, Cancelled("stop"))
    assert not _boxes(main)
    assert main.statusBar().currentMessage() == ""


def test_a_bug_goes_to_a_crash_report_and_is_shown(
    main: QMainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        int("not a number")
    except ValueError as exc:
        error = exc
    with caplog.at_level(logging.ERROR, logger="relplan.ui.errors"):
        present_error(main, error)
    (box,) = _boxes(main)
    assert box.icon() == QMessageBox.Icon.Critical
    assert "ValueError" in box.informativeText()
    assert "Traceback" in box.detailedText()
    # The log (standard error) gets one line naming the report, never the traceback itself.
    (record,) = caplog.records
    assert record.exc_info is None
    report = Path(record.getMessage().rsplit(" ", 1)[-1])
    assert "Traceback" in report.read_text()
    assert report.name in box.informativeText()
    box.close()
