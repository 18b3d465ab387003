"""Commands that only read skip the whole-file damage check on open (issue 12), but nothing is
ever written into a damaged workspace: the check runs before their first write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from relplan.cli.commands import run
from relplan.errors import NotAWorkspaceError
from relplan.store.analysis_cache import sidecar_path
from relplan.store.workspace import Workspace

from .test_open_cases import _workspace


def _damage_the_audit_log(db: Path) -> bytes:
    """Scribble over a page of the audit log, which no analysis reads; returns the new bytes."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [
        n
        for (n,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'audit_log' AND pagetype = 'leaf' "
            "ORDER BY pageno"
        )
    ]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert pages
    data = bytearray(db.read_bytes())
    start = (pages[-1] - 1) * page_size
    data[start : start + page_size] = b"\xa5" * page_size
    db.write_bytes(bytes(data))
    return bytes(data)


def test_a_reading_command_writes_no_cache_into_a_damaged_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    damaged = _damage_the_audit_log(db)
    with pytest.raises(NotAWorkspaceError, match="damaged"):
        Workspace.open(db, create=False)  # the writing path still refuses it on open
    code = run(["--db", str(db), "check", "--json", "--today", "2026-11-20"])
    capsys.readouterr()
    assert code in (0, 1)  # it read what it needed: releases, items and dependencies
    assert db.read_bytes() == damaged
    assert not sidecar_path(db).exists()  # nothing computed from a damaged file is kept


def test_a_reading_command_on_a_sound_workspace_keeps_its_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    assert run(["--db", str(db), "schedule", "--json"]) == 0
    capsys.readouterr()
    with sqlite3.connect(f"{sidecar_path(db).as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 1


@pytest.mark.parametrize("fmt", ["graphml", "dot", "csv", "json"])
def test_a_reading_export_of_a_damaged_workspace_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    damaged = _damage_the_audit_log(db)
    out = tmp_path / f"out.{fmt}"
    code = run(["--db", str(db), "export", fmt, "--out", str(out), "--today", "2026-11-20"])
    capsys.readouterr()
    assert code == 0  # the plan is whole: only the audit log, which no export reads, is hit
    assert out.stat().st_size > 0
    assert db.read_bytes() == damaged
    assert not sidecar_path(db).exists()  # nothing computed from a damaged file is kept


def test_an_export_that_reads_the_audit_log_names_the_damage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    damaged = _damage_the_audit_log(db)
    out = tmp_path / "out.ics"
    code = run(["--db", str(db), "export", "ics", "--out", str(out), "--today", "2026-11-20"])
    assert code != 0
    assert "damaged" in capsys.readouterr().err
    assert db.read_bytes() == damaged
    assert not out.exists()
