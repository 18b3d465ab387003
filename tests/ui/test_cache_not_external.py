"""A command that only reads keeps its analysis cache beside the workspace (issue 12): storing
it is no change to the plan, so an open window must not reload for it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from relplan.cli.commands import run
from relplan.store import analysis_cache
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow


def _settle(qtbot: Any, window: MainWindow) -> None:
    """Let the window look for other writers once, and wait until it has looked."""
    window.session.check_external_changes()
    qtbot.waitUntil(lambda: window.runner.idle)


@pytest.mark.parametrize("command", [["check", "--json", "--today", "2026-11-20"], ["schedule"]])
def test_a_reading_command_storing_its_cache_does_not_reload_the_window(
    qtbot: Any,
    window: MainWindow,
    demo_ws: Workspace,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    key = window.model.keys()[0]
    window.session.edit_release(key, {"name": "Mine"})
    qtbot.waitUntil(lambda: window.runner.idle)
    _settle(qtbot, window)
    sidecar = analysis_cache.sidecar_path(demo_ws.path)
    sidecar.unlink(missing_ok=True)
    loads: list[Any] = []
    messages: list[str] = []
    window.session.refreshed.connect(loads.append)
    window.session.message.connect(messages.append)

    assert run(["--db", str(demo_ws.path), *command]) in (0, 1)  # another process's reading
    capsys.readouterr()
    assert sidecar.exists()  # it did keep its links
    _settle(qtbot, window)
    qtbot.wait(50)  # a reload would be queued on the DB lane now
    qtbot.waitUntil(lambda: window.runner.idle)

    assert loads == []
    assert not any("changed by another window" in m for m in messages)
    assert window.model.row_for(key).name == "Mine"
    assert window.undo_action.text() == f"&Undo Edit {key} name"


def test_a_real_change_after_a_cached_read_still_reloads_the_window(
    qtbot: Any, window: MainWindow, demo_ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    key = window.model.keys()[0]
    _settle(qtbot, window)
    assert run(["--db", str(demo_ws.path), "schedule"]) == 0
    capsys.readouterr()
    _settle(qtbot, window)
    with Workspace.open(demo_ws.path, origin="session:other") as other:
        other.update_releases([replace(other.release(key), name="Theirs")], f"Rename {key}")
    qtbot.waitUntil(lambda: window.model.row_for(key).name == "Theirs", timeout=8000)
    assert "changed by another window or program" in window.statusBar().currentMessage()
