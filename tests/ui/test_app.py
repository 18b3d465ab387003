"""Start-up: choosing the workspace, refusing foreign files, the first-paint probe."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from relplan import app, config
from relplan.store.workspace import Workspace


def _args(db: Path | None = None, *, demo: bool = False) -> argparse.Namespace:
    return argparse.Namespace(db=None if db is None else str(db), demo=demo)


@pytest.fixture
def shown_boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record blocking message boxes instead of showing them."""
    shown: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.windowTitle(), box.informativeText()))
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def test_workspace_choice_order(tmp_path: Path) -> None:
    assert app.choose_workspace(_args()) == config.default_workspace()
    config.save_settings(config.Settings().opened(tmp_path / "last.relplan"))
    assert app.choose_workspace(_args()) == tmp_path / "last.relplan"
    assert app.choose_workspace(_args(tmp_path / "x.relplan")) == tmp_path / "x.relplan"
    assert app.choose_workspace(_args(tmp_path / "x.relplan", demo=True)) == config.demo_workspace()


def test_a_foreign_file_is_refused_untouched(
    qapp: Any, tmp_path: Path, shown_boxes: list[tuple[str, str]]
) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    assert app.main(_args(other)) == app.EXIT_FAILURE
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists()
    assert shown_boxes[0][0] == "Cannot open workspace"
    assert "another program" in shown_boxes[0][1]
    assert config.load_settings().last_workspace == ""


def test_a_newer_workspace_is_refused_untouched(
    qapp: Any, tmp_path: Path, shown_boxes: list[tuple[str, str]]
) -> None:
    path = tmp_path / "future.relplan"
    Workspace.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = path.read_bytes()
    assert app.main(_args(path)) == app.EXIT_FAILURE
    assert path.read_bytes() == before
    assert "upgrade relplan" in shown_boxes[0][1]


def test_demo_workspace_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "demo.relplan"
    Path(f"{path}-wal").write_bytes(b"stale")
    path.write_bytes(b"not even sqlite")
    ws = app.build_demo_workspace(path)
    try:
        assert len(ws.release_rows()) == 40
        assert ws.undo_labels() == ("Demo", None)
    finally:
        ws.close()


def test_process_age_is_known_on_linux() -> None:
    age = app.process_age_ms()
    if sys.platform.startswith("linux"):
        assert age is not None
        assert 0 <= age < 24 * 3600 * 1000


def test_quit_after_paint_reports_timings(isolated_settings: Path) -> None:
    env = dict(os.environ, RELPLAN_QUIT_AFTER_PAINT="1", QT_QPA_PLATFORM="offscreen")
    env["XDG_CONFIG_HOME"] = os.environ["XDG_CONFIG_HOME"]
    env["XDG_DATA_HOME"] = os.environ["XDG_DATA_HOME"]
    done = subprocess.run(
        [sys.executable, "-m", "relplan", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    fields = dict(part.split("=") for part in done.stdout.split())
    assert set(fields) >= {"first_paint_ms", "rows_paint_ms", "first_paint_ms_since_process_start"}
    assert float(fields["rows_paint_ms"]) < 10_000
    assert config.load_settings().last_workspace == str(config.demo_workspace().resolve())


def test_window_demo_and_demo_command_build_the_same_portfolio(tmp_path: Path) -> None:
    """``relplan --demo`` and ``relplan demo`` (defaults) export the same JSON, same day."""
    from relplan.cli import run
    from relplan.formats.workspace_io import export_file

    day = dt.date(2026, 6, 1)
    ws = app.build_demo_workspace(tmp_path / "window.relplan", today=day)
    try:
        export_file(ws, tmp_path / "window.json")
    finally:
        ws.close()
    # Was: the command's default seed was 0, the window's 1 (two different portfolios).
    written = tmp_path / "demo.json"
    assert run(["demo", "--out", str(written), "--today", day.isoformat()]) == 0
    db = str(tmp_path / "command.relplan")
    assert run(["import", str(written), "--db", db]) == 0
    assert run(["export", "json", "--out", str(tmp_path / "command.json"), "--db", db]) == 0
    window = (tmp_path / "window.json").read_text(encoding="utf-8")
    assert window == (tmp_path / "command.json").read_text(encoding="utf-8")
    assert len(window) > 100_000


@pytest.mark.parametrize("view", ["Timeline", "Map"])
def test_quit_after_paint_waits_for_the_view_the_window_opens_on(
    isolated_settings: Path, view: str
) -> None:
    # The window opens on the view of the last session; the probe reports once that view
    # (not the hidden releases table) has painted with data, and exits.
    conf = Path(os.environ["XDG_CONFIG_HOME"]) / "relplan" / "relplan.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[main_window]\nview={view}\n")
    env = dict(os.environ, RELPLAN_QUIT_AFTER_PAINT="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "relplan", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    fields = dict(part.split("=") for part in done.stdout.split())
    assert float(fields["rows_paint_ms"]) < 30_000
