"""One Ctrl+Z too many must not empty the workspace without a word: a large undo asks first,
and an empty workspace shows what to do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from relplan.demo import generate
from relplan.formats.workspace_json import parse_workspace
from relplan.store.origin import window_origin
from relplan.store.undo import CONFIRM_UNDO_ABOVE
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from relplan.ui.tasks import SyncTaskRunner
from tests.ui.conftest import DEMO_TODAY, make_window


@pytest.fixture
def own_demo(qtbot: Any, tmp_path: Path, demo_document: dict[str, Any]) -> Iterator[Workspace]:
    """The demo as ``relplan --demo`` makes it: imported under the window's own origin."""
    origin = window_origin()
    ws = Workspace.open(tmp_path / "own-demo.relplan", origin=origin)
    ws.import_plan(parse_workspace(demo_document), replace=True, label="Demo")
    yield ws
    ws.close()


@pytest.fixture
def demo_window(qtbot: Any, own_demo: Workspace) -> MainWindow:
    """A window (tasks inline) whose Undo takes back the demo it opened with."""
    return make_window(qtbot, own_demo, SyncTaskRunner(), origin=own_demo.origin)


class Questions:
    """Stands in for QMessageBox.question: records each text, answers ``answer``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton):
        self.texts: list[str] = []
        self.answer = answer
        monkeypatch.setattr(QMessageBox, "question", staticmethod(self._ask))

    def _ask(self, _parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        self.texts.append(text)
        return self.answer


def test_the_core_counts_what_undo_would_take_back(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        assert ws.next_undo() is None
        changes = ws.import_plan(
            parse_workspace(generate("small", today=DEMO_TODAY)), label="Import demo.json"
        )
        step = ws.next_undo()
        assert step is not None
        assert (step.label, step.objects) == ("Import demo.json", changes.count())
        assert step.objects > CONFIRM_UNDO_ABOVE
        assert step.needs_confirmation
        release = ws.plan().releases[0]
        assert release.target is not None
        ws.set_release_dates(release.key, release.start, release.target + dt.timedelta(days=1))
        small = ws.next_undo()
        assert small is not None
        assert (small.label, small.objects) == (f"Move {release.key}", 1)
        assert not small.needs_confirmation


def test_undoing_the_demo_import_asks_first(
    demo_window: MainWindow, own_demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_window, demo_ws = demo_window, own_demo
    questions = Questions(monkeypatch, QMessageBox.StandardButton.Cancel)
    objects = demo_ws.next_undo().objects  # type: ignore[union-attr]
    sync_window.undo_action.trigger()
    # Was: the whole demo vanished at once.
    assert len(questions.texts) == 1
    assert "Demo" in questions.texts[0]
    assert f"{objects:,} objects" in questions.texts[0]
    assert not demo_ws.is_empty()
    assert sync_window.undo_action.text() == "&Undo Demo"
    assert not sync_window.empty_state.isVisible()

    questions.answer = QMessageBox.StandardButton.Yes
    sync_window.undo_action.trigger()
    assert len(questions.texts) == 2
    assert demo_ws.is_empty()
    assert sync_window.model.rowCount() == 0


def test_an_empty_workspace_shows_what_to_do(
    demo_window: MainWindow, own_demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_window, demo_ws = demo_window, own_demo
    Questions(monkeypatch, QMessageBox.StandardButton.Yes)
    assert not sync_window.empty_state.isVisible()
    sync_window.undo_action.trigger()
    assert demo_ws.is_empty()
    panel = sync_window.empty_state
    # Was: an empty window with no hint.
    assert panel.isVisible()
    assert panel.geometry() == sync_window.tabs.rect()
    assert [b.text() for b in (panel.open_button, panel.import_button, panel.demo_button)] == [
        "&Open…",
        "&Import JSON…",
        "Open &demo",
    ]
    assert panel.redo_button.isVisible()
    assert panel.redo_button.text() == "&Redo Demo"

    panel.demo_button.click()
    assert not demo_ws.is_empty()
    assert len(demo_ws.release_rows()) == 40
    assert not panel.isVisible()
    assert sync_window.undo_action.text() == "&Undo Demo"


def test_a_small_undo_does_not_ask(
    sync_window: MainWindow, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = Questions(monkeypatch, QMessageBox.StandardButton.Cancel)
    release = next(r for r in demo_ws.plan().releases if r.target is not None)
    sync_window.session.edit_release(release.key, {"name": "Renamed"})
    assert demo_ws.release(release.key).name == "Renamed"
    sync_window.undo_action.trigger()
    assert questions.texts == []
    assert demo_ws.release(release.key).name == release.name


def test_the_window_that_built_the_demo_can_undo_it(qtbot: Any, tmp_path: Path) -> None:
    """``relplan --demo`` builds the demo under the origin its window then uses (app.main)."""
    from relplan.app import build_demo_workspace

    origin = window_origin()
    ws = build_demo_workspace(tmp_path / "demo.relplan", origin=origin)
    try:
        window = make_window(qtbot, ws, SyncTaskRunner(), origin=origin)
        step = ws.next_undo()
        assert step is not None
        assert step.needs_confirmation
        assert window.undo_action.isEnabled()
        assert window.undo_action.text() == f"&Undo {step.label}"
    finally:
        ws.close()
