"""Fixtures for widget tests: offscreen Qt, isolated settings, a demo workspace, the window."""

from __future__ import annotations

import os

# Before any Qt import: widget tests never need a display.
# (An empty value counts as unset: Qt would then try the desktop platform and abort.)
if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from relplan.demo import generate
from relplan.formats.workspace_json import parse_workspace
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from relplan.ui.session import WorkspaceSession
from relplan.ui.tasks import BaseTaskRunner, SyncTaskRunner, TaskRunner

#: A fixed "today", so the demo plan (and so every expectation) is the same on every run.
DEMO_TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point relplan's TOML settings and Qt's QSettings at a fresh folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    qt_settings = str(home / "qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, qt_settings)
    return home


@pytest.fixture(scope="session")
def demo_document() -> dict[str, Any]:
    """The small demo portfolio as workspace JSON (seed 1, fixed day)."""
    return generate("small", seed=1, today=DEMO_TODAY)


@pytest.fixture
def demo_ws(tmp_path: Path, demo_document: dict[str, Any]) -> Iterator[Workspace]:
    """A workspace file in tmp_path holding the demo plan (its undo history: "Demo")."""
    ws = Workspace.open(tmp_path / "demo.relplan")
    ws.import_plan(parse_workspace(demo_document), replace=True, label="Demo")
    yield ws
    ws.close()


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    """The real task runner (DB-lane thread, network pool)."""
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.shutdown(5000), "background tasks still running after the test"


def make_window(
    qtbot: Any,
    ws: Workspace,
    task_runner: BaseTaskRunner,
    *,
    today: dt.date = DEMO_TODAY,
    origin: str | None = None,
) -> MainWindow:
    """Show a main window on ``ws`` and wait until its table and first analysis are in.

    ``origin``: the window's (default: a new one, so ``ws``'s earlier changes are another's).
    """
    session = WorkspaceSession(task_runner, ws, origin=origin)
    window = MainWindow(session, today=lambda: today)
    qtbot.addWidget(window)
    window.show()
    # The first analysis is requested once the rows are in, so this waits for both.
    qtbot.waitUntil(lambda: not window.analyser.pending and task_runner.idle)
    return window


@pytest.fixture
def window(qtbot: Any, demo_ws: Workspace, runner: TaskRunner) -> Iterator[MainWindow]:
    """The main window on the demo workspace, with the real DB-lane runner."""
    main_window = make_window(qtbot, demo_ws, runner)
    yield main_window
    main_window.session.close()
    qtbot.waitUntil(lambda: runner.idle)


@pytest.fixture
def sync_window(qtbot: Any, demo_ws: Workspace) -> MainWindow:
    """The main window on the demo workspace, running every task inline."""
    return make_window(qtbot, demo_ws, SyncTaskRunner())


@pytest.fixture
def open_window(
    qtbot: Any, runner: TaskRunner, plan_ws: Callable[[dict[str, Any]], Workspace]
) -> Iterator[Callable[..., MainWindow]]:
    """Open main windows (real runner) on workspaces; closed again after the test."""
    windows: list[MainWindow] = []

    def open_(ws: Workspace, *, today: dt.date = DEMO_TODAY) -> MainWindow:
        main_window = make_window(qtbot, ws, runner, today=today)
        windows.append(main_window)
        return main_window

    yield open_
    for main_window in windows:
        main_window.session.close()
    qtbot.waitUntil(lambda: runner.idle)
