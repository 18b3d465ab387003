"""The window's export and import dialogs start in the documents folder or the last one used,
never in the hidden data folder that holds the workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from relplan import config
from relplan.ui.main_window import MainWindow


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Documents"
    folder.mkdir()
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(folder))
    return folder


class Dialogs:
    """Stands in for QFileDialog: records where each dialog starts, answers ``answer``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.starts: list[Path] = []
        self.answer = ""
        for method in ("getSaveFileName", "getOpenFileName"):
            monkeypatch.setattr(QFileDialog, method, staticmethod(self._ask))

    def _ask(self, _parent: Any, _title: str, start: str, *_a: Any, **_k: Any) -> tuple[str, str]:
        self.starts.append(Path(start))
        return self.answer, ""


def _exports(window: MainWindow) -> dict[str, Callable[[], None]]:
    def chart() -> None:
        # The dashboard draws its charts when it is shown (not while hidden behind a tab).
        shown = window.tabs.currentWidget()
        window.show_view("Dashboard")
        view = window.dashboard.export_widget()
        assert view.figure("dora") is not None, "the dashboard drew no DORA chart when shown"
        view._on_panel_export_requested("dora")
        window.tabs.setCurrentWidget(shown)

    return {
        "json": window.export_action.trigger,
        "image": window.export_image_action.trigger,
        "calendar": window.plan_actions.export_calendar_action.trigger,
        "chart": chart,
        "import": window.import_action.trigger,
    }


def test_every_export_dialog_starts_in_the_documents_folder(
    sync_window: MainWindow, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs = Dialogs(monkeypatch)
    sync_window.show_view("Calendar")
    assert sync_window.session.path.parent != documents
    for name, open_dialog in _exports(sync_window).items():
        dialogs.starts.clear()
        open_dialog()
        assert len(dialogs.starts) == 1, name
        start = dialogs.starts[0]
        # Was: the workspace's folder (the hidden data folder), or the working folder (charts).
        folder = start if name == "import" else start.parent
        assert folder == documents, name


def test_the_next_dialog_starts_where_the_last_export_went(
    sync_window: MainWindow, documents: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs = Dialogs(monkeypatch)
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    dialogs.answer = str(elsewhere / "plan.json")
    sync_window.export_action.trigger()
    assert dialogs.starts[-1].parent == documents
    assert config.load_settings().last_export_dir == str(elsewhere)
    dialogs.answer = ""
    sync_window.plan_actions.export_calendar_action.trigger()
    assert dialogs.starts[-1].parent == elsewhere
    # A folder that is gone falls back to the documents.
    elsewhere.rename(tmp_path / "gone")
    sync_window.plan_actions.export_calendar_action.trigger()
    assert dialogs.starts[-1].parent == documents
