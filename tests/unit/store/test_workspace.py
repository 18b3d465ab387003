"""The SQLite workspace: opening, migrations with backup, commands, audit log, undo and redo."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from relplan.errors import (
    NewerSchemaError,
    NotAWorkspaceError,
    NothingToUndoError,
    ValidationError,
)
from relplan.formats.workspace_io import import_file
from relplan.formats.workspace_json import dump_plan, parse_workspace
from relplan.store.database import backup_path
from relplan.store.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from relplan.store.workspace import Workspace
from tests.helpers.plans import document
from tests.unit.formats.test_workspace_json import BAD_INPUTS


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    with Workspace.open(tmp_path / "w.relplan") as workspace:
        workspace.import_plan(parse_workspace(document()))
        yield workspace


def _snapshot(ws: Workspace) -> tuple[str, int, int]:
    audit = ws.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    commands = ws.conn.execute("SELECT count(*) FROM commands").fetchone()[0]
    return dump_plan(ws.plan()), audit, commands


def test_new_workspace_has_schema_and_pragmas(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "new.relplan") as ws:
        pragma = ws.conn.execute
        assert pragma("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert pragma("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert ws.is_empty()


@pytest.mark.parametrize(("name", "mutate"), [(n, m) for n, m, _, _ in BAD_INPUTS])
def test_a_bad_import_writes_nothing(ws: Workspace, tmp_path: Path, name: str, mutate: Any) -> None:
    before = _snapshot(ws)
    doc = document()
    for release in doc["releases"]:
        release["name"] += " (changed)"  # a valid change that must not land either
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValidationError):
        import_file(ws, path)
    assert _snapshot(ws) == before, name


def test_a_failing_write_is_rolled_back(ws: Workspace) -> None:
    before = _snapshot(ws)
    plan = ws.plan()
    good = replace(plan.releases[0], name="Renamed")
    bad = replace(plan.releases[1], team="NO-SUCH-TEAM")  # breaks a foreign key at commit
    with pytest.raises(sqlite3.IntegrityError):
        ws.update_releases([good, bad], "Two edits")
    assert _snapshot(ws) == before


def test_merge_import_updates_and_adds_without_deleting(ws: Workspace, tmp_path: Path) -> None:
    doc = {
        "format": "relplan-workspace",
        "version": 1,
        "timezone": "Europe/Berlin",
        "releases": [
            {"key": "WEB-2026.12", "name": "Web renamed", "team": "WEB", "status": "in_progress"},
            {"key": "WEB-2027.01", "name": "Web Jan", "team": "WEB"},
        ],
    }
    path = tmp_path / "more.json"
    path.write_text(json.dumps(doc))
    changes = import_file(ws, path)
    assert changes.touched == {"release": {"WEB-2026.12", "WEB-2027.01"}}
    assert ws.release("WEB-2026.12").name == "Web renamed"
    assert ws.release("PAY-2026.12").name == "Payments 2026.12"
    ws.undo()
    assert ws.release("WEB-2026.12").name == "Web 2026.12"
    assert [r.key for r in ws.plan().releases] == ["PAY-2026.12", "WEB-2026.12"]


def test_replace_import_holds_exactly_the_file(ws: Workspace, tmp_path: Path) -> None:
    doc = document()
    doc["releases"] = doc["releases"][:1]
    doc["work_items"] = doc["work_items"][:1]
    doc["dependencies"] = []
    path = tmp_path / "smaller.json"
    path.write_text(json.dumps(doc))
    import_file(ws, path, replace=True)
    assert dump_plan(ws.plan()) == dump_plan(parse_workspace(doc))
    ws.undo()
    assert dump_plan(ws.plan()) == dump_plan(parse_workspace(document()))


def test_reimporting_the_same_file_changes_nothing(ws: Workspace) -> None:
    changes = ws.import_plan(parse_workspace(document()))
    assert changes.empty
    assert ws.undo_labels() == ("Import", None)


def test_date_edit_is_audited_and_undoable(ws: Workspace) -> None:
    ws.set_release_dates("WEB-2026.12", dt.date(2026, 12, 3), dt.date(2026, 12, 12))
    assert ws.undo_labels() == ("Move WEB-2026.12", None)
    row = ws.conn.execute(
        "SELECT who, entity, key, before, after FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    who, entity, key, before, after = row
    assert (entity, key) == ("release", "WEB-2026.12")
    assert who
    assert json.loads(before)["target"] == "2026-12-08"
    assert json.loads(after)["target"] == "2026-12-12"

    undone = ws.undo()
    assert undone.touched == {"release": {"WEB-2026.12"}}
    assert ws.release("WEB-2026.12").target == dt.date(2026, 12, 8)
    assert ws.undo_labels() == ("Import", "Move WEB-2026.12")
    ws.redo()
    assert ws.release("WEB-2026.12").target == dt.date(2026, 12, 12)
    actions = [
        r[0] for r in ws.conn.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 2")
    ]
    assert actions == ["redo", "undo"]


def test_a_new_command_discards_the_redo_stack(ws: Workspace) -> None:
    ws.set_release_dates("WEB-2026.12", dt.date(2026, 12, 3), dt.date(2026, 12, 12))
    ws.undo()
    ws.set_release_dates("WEB-2026.12", dt.date(2026, 12, 1), dt.date(2026, 12, 9))
    with pytest.raises(NothingToUndoError):
        ws.redo()


def test_undo_of_everything_then_nothing_left(ws: Workspace) -> None:
    ws.undo()
    assert ws.is_empty()
    with pytest.raises(NothingToUndoError):
        ws.undo()
    ws.redo()
    assert dump_plan(ws.plan()) == dump_plan(parse_workspace(document()))


def test_undo_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document()))
        ws.set_release_dates("WEB-2026.12", dt.date(2026, 12, 3), dt.date(2026, 12, 12))
    with Workspace.open(path) as ws:
        ws.undo()
        assert ws.release("WEB-2026.12").start == dt.date(2026, 11, 28)


def test_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.relplan"
    path.write_bytes(b"just some text, not SQLite\n")
    with pytest.raises(NotAWorkspaceError, match="not an SQLite database"):
        Workspace.open(path)
    assert path.read_bytes() == b"just some text, not SQLite\n"


def test_other_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    with pytest.raises(NotAWorkspaceError, match="another program"):
        Workspace.open(path)
    assert path.read_bytes() == data
    assert not Path(f"{path}-wal").exists()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.relplan"
    with Workspace.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    with pytest.raises(NewerSchemaError, match="upgrade relplan"):
        Workspace.open(path)
    assert path.read_bytes() == data


def _version_1_workspace(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nPRAGMA user_version = 1;\nCOMMIT;")
    conn.execute("INSERT INTO teams VALUES ('PAY', 'Payments', NULL)")
    conn.execute(
        "INSERT INTO releases VALUES ('PAY-1', 'P1', 'PAY', NULL, '2026-11-02', '2026-12-01', "
        "'planned')"
    )
    conn.execute(
        "INSERT INTO gates (release, position, name, environment, kind, approvers, status) "
        "VALUES ('PAY-1', 0, 'CAB', NULL, 'manual', '[\"ops\"]', 'pending')"
    )
    conn.close()


def test_migration_from_version_1_takes_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.relplan"
    _version_1_workspace(path)
    with Workspace.open(path) as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        gate = ws.release("PAY-1").gates[0]
        assert (gate.name, gate.approvers, gate.decided_by) == ("CAB", ("ops",), None)
    backup = backup_path(path, 1)
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT key FROM releases").fetchall() == [("PAY-1",)]
    conn.close()


def test_gate_decisions_survive_undo(ws: Workspace) -> None:
    rel = ws.release("PAY-2026.12")
    at = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    gate = replace(rel.gates[0], status="approved", decided_by="ops-lead", decided_at=at)
    ws.update_releases([replace(rel, gates=(gate,))], "Approve CAB")
    assert ws.release("PAY-2026.12").gates[0].decided_at == at
    ws.undo()
    assert ws.release("PAY-2026.12").gates[0].status == "pending"
    ws.redo()
    assert ws.release("PAY-2026.12").gates[0].decided_by == "ops-lead"


def test_release_rows_summarise_children(ws: Workspace) -> None:
    rows = {r.key: r for r in ws.release_rows()}
    assert rows["PAY-2026.12"].stage_count == 1
    assert rows["PAY-2026.12"].gate_status == "pending"
    assert rows["WEB-2026.12"].gate_status == "none"


def test_large_commands_are_audited_in_batches_and_undo(tmp_path: Path) -> None:
    from relplan.demo import generate

    plan = parse_workspace(generate("small", seed=2))
    with Workspace.open(tmp_path / "demo.relplan") as ws:
        ws.import_plan(plan)
        batches = ws.conn.execute("SELECT count(*) FROM audit_log WHERE batch = 1").fetchone()[0]
        assert batches >= 2  # work items and dependencies at least
        history = ws.conn.execute("SELECT id FROM commands").fetchall()
        assert len(history) == 1
        ws.undo()
        assert ws.is_empty()
        ws.redo()
        assert dump_plan(ws.plan()) == dump_plan(plan)


def test_rows_of_given_keys(ws: Workspace) -> None:
    assert [r.key for r in ws.release_rows(["WEB-2026.12", "NOPE"])] == ["WEB-2026.12"]
    assert ws.release_rows([]) == []
    assert len(ws.release_rows()) == 2


def test_teams_come_with_names(ws: Workspace) -> None:
    assert [(t.key, t.name) for t in ws.teams()] == [("PAY", "Payments"), ("WEB", "Web")]


def test_a_release_edit_that_breaks_a_rule_is_refused(ws: Workspace) -> None:
    before = _snapshot(ws)
    rel = ws.release("WEB-2026.12")
    with pytest.raises(ValidationError, match="before start"):
        ws.update_releases([replace(rel, target=dt.date(2026, 11, 1))], "Bad")
    assert _snapshot(ws) == before
