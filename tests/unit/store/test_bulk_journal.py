"""A large import into an empty workspace writes through a rollback journal (store/bulk_journal.py):
all or nothing still, also after a crash; back in WAL mode after; the WAL when it must be."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from relplan.formats.workspace_io import import_file
from relplan.store import bulk_journal, commands, repository
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

ITEMS = 3000  # with as many dependencies: past bulk_journal.MIN_ROWS


def _source(tmp_path: Path, prefix: str = "BIG") -> Path:
    doc = document()
    doc["work_items"] += [
        {"key": f"{prefix}-{i}", "title": f"Item {i}", "team": "PAY"} for i in range(ITEMS)
    ]
    doc["dependencies"] += [
        {"from": f"item:{prefix}-{i}", "to": f"item:{prefix}-{(i + 1) % ITEMS}"}
        for i in range(ITEMS)
    ]
    path = tmp_path / f"{prefix}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _modes_seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The journal mode of each import's write transaction, as it builds its command."""
    seen: list[str] = []
    real = repository.import_command

    def spy(conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> Any:
        seen.append(conn.execute("PRAGMA journal_mode").fetchone()[0])
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(repository, "import_command", spy)
    return seen


def _mode(ws: Workspace) -> str:
    return str(ws.conn.execute("PRAGMA journal_mode").fetchone()[0])


def _count(ws: Workspace, table: str) -> int:
    return int(ws.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_a_large_import_into_an_empty_workspace_skips_the_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _modes_seen(monkeypatch)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        import_file(ws, _source(tmp_path))
        assert seen == ["delete"]
        assert _mode(ws) == "wal"
        assert ws.conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL again
        assert _count(ws, "work_items") == ITEMS + 2
        assert not (tmp_path / "w.relplan-journal").exists()
        import_file(ws, _source(tmp_path, "MORE"))  # not empty now: the WAL, as always
        assert seen == ["delete", "wal"]
        assert _count(ws, "work_items") == 2 * ITEMS + 2
        ws.undo()
        ws.undo()
        assert ws.is_empty()


def test_with_another_connection_open_the_import_uses_the_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _modes_seen(monkeypatch)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        other = sqlite3.connect(tmp_path / "w.relplan")
        try:
            other.execute("SELECT count(*) FROM work_items").fetchone()
            import_file(ws, _source(tmp_path))
            assert other.execute("SELECT count(*) FROM work_items").fetchone() == (ITEMS + 2,)
        finally:
            other.close()
        assert seen == ["wal"]
        assert _mode(ws) == "wal"


def test_a_small_import_uses_the_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _modes_seen(monkeypatch)
    path = tmp_path / "small.json"
    path.write_text(json.dumps(document()), encoding="utf-8")
    with Workspace.open(tmp_path / "w.relplan") as ws:
        import_file(ws, path)
    assert seen == ["wal"]
    assert bulk_journal.MIN_ROWS > 10


def test_a_failure_half_way_leaves_the_workspace_empty_and_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = commands._insert

    def insert_then_fail(conn: sqlite3.Connection, batch: Any, changes: Any) -> Any:
        rows = real(conn, batch, changes)
        if batch.entity == "dependency":
            raise sqlite3.OperationalError("disk I/O error")
        return rows

    seen = _modes_seen(monkeypatch)
    monkeypatch.setattr(commands, "_insert", insert_then_fail)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            import_file(ws, _source(tmp_path))
        assert seen == ["delete"]
        assert ws.is_empty()
        assert _count(ws, "audit_log") == 0
        assert _mode(ws) == "wal"
    assert not (tmp_path / "w.relplan-journal").exists()


CRASH = """
    import os, sys
    from relplan.formats.workspace_io import import_file
    from relplan.store import commands
    from relplan.store.workspace import Workspace

    real = commands._insert

    def insert_then_die(conn, batch, changes):
        rows = real(conn, batch, changes)
        if batch.entity == "dependency":
            conn.execute("PRAGMA cache_size = 1")  # spill: the file holds half a write now
            conn.execute("CREATE TABLE spill AS SELECT * FROM work_items")
            os._exit(9)  # as a kill or a power cut: no rollback, a hot journal left behind
        return rows

    commands._insert = insert_then_die
    ws = Workspace.open(sys.argv[1])
    import_file(ws, sys.argv[2])
"""


def test_a_crash_half_way_is_rolled_back_by_the_next_open(tmp_path: Path) -> None:
    db = tmp_path / "w.relplan"
    with Workspace.open(db) as ws:
        assert ws.is_empty()
    code = textwrap.dedent(CRASH)
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), str(_source(tmp_path))], check=False
    )
    assert done.returncode == 9
    assert (tmp_path / "w.relplan-journal").exists()  # hot: the probe alone could not read
    with Workspace.open(db) as ws:
        assert ws.is_empty()
        assert _count(ws, "audit_log") == 0
        assert _mode(ws) == "wal"
        assert ws.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        import_file(ws, _source(tmp_path))  # and it takes the import again
        assert _count(ws, "work_items") == ITEMS + 2
