"""Importing a file reads work items and dependencies straight into rows (issue #12): the
workspace, the audit log, undo and redo must be exactly as through objects, into an empty
workspace or one that holds objects already, and a failure must leave nothing written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from relplan.domain import codec_fast
from relplan.errors import ValidationError
from relplan.formats import workspace_json
from relplan.formats.workspace_io import import_file
from relplan.store import commands, repository
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

ITEMS = 3000  # with as many dependencies: past undo_bulk.MIN_OBJECTS
TABLES = (
    "settings", "teams", "environments", "trains", "releases", "stages", "milestones", "gates",
    "freezes", "work_items", "dependencies", "deployments",
)  # fmt: skip


def big_document() -> dict[str, Any]:
    doc = document()
    doc["work_items"] += [
        {
            "key": f"BIG-{i}",
            "title": f"Item {i}",
            "team": "PAY",
            "release": "PAY-2026.12",
            "points": 3 if i % 2 else 2.5,
            "category": "done" if i % 3 == 0 else "todo",
            "created": "2026-10-01T09:00:00Z" if i % 5 else "2026-10-01T11:00:00+02:00",
            "resolved": None if i % 3 else "2026-10-02T09:00:00Z",
        }
        for i in range(ITEMS)
    ]
    doc["dependencies"] += [
        {"from": f"item:BIG-{i}", "to": f"item:BIG-{(i + 1) % ITEMS}", "lag_days": i % 4}
        for i in range(ITEMS)
    ]
    return doc


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _tables(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(ws.conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def _audit(ws: Workspace) -> list[tuple[Any, ...]]:
    return ws.conn.execute(
        "SELECT action, entity, key, before, after, batch FROM audit_log ORDER BY id"
    ).fetchall()


def _through_objects(path: Path, doc: dict[str, Any]) -> Workspace:
    """A workspace that imported ``doc`` the way every import did before the rows."""
    ws = Workspace.open(path)
    ws.import_plan(workspace_json.parse_workspace(doc), label="Import big.json")
    return ws


def test_rows_write_what_objects_write(tmp_path: Path) -> None:
    doc = big_document()
    source = _write(tmp_path / "big.json", doc)
    with (
        Workspace.open(tmp_path / "rows.relplan") as ws,
        _through_objects(tmp_path / "objects.relplan", doc) as reference,
    ):
        changes = import_file(ws, source)
        assert _tables(ws) == _tables(reference)
        assert _audit(ws) == _audit(reference)
        assert changes.touched["work_item"] == {i["key"] for i in doc["work_items"]}
        assert '["item:BIG-0","item:BIG-1"]' in changes.touched["dependency"]
        assert ws.conn.execute(
            "SELECT points, created FROM work_items WHERE key = 'BIG-0'"
        ).fetchone() == (2.5, "2026-10-01T11:00:00+02:00")


def test_the_rows_path_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No work item or dependency object is built for an import into an empty workspace."""
    source = _write(tmp_path / "big.json", big_document())

    def refuse(_: object) -> None:
        raise AssertionError("an object was read")

    monkeypatch.setitem(codec_fast.FAST_READERS, "work_items", refuse)
    monkeypatch.setitem(codec_fast.FAST_READERS, "dependencies", refuse)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        import_file(ws, source)
        assert ws.conn.execute("SELECT count(*) FROM work_items").fetchone() == (ITEMS + 2,)


def test_undo_and_redo_of_a_rows_import(tmp_path: Path) -> None:
    source = _write(tmp_path / "big.json", big_document())
    with Workspace.open(tmp_path / "w.relplan") as ws:
        empty = _tables(ws)
        import_file(ws, source)
        imported = _tables(ws)
        assert ws.undo().count() > 2 * ITEMS
        assert _tables(ws) == empty
        ws.redo()
        assert _tables(ws) == imported
        ws.undo()
        assert _tables(ws) == empty


def test_an_import_into_a_workspace_with_objects_merges(tmp_path: Path) -> None:
    doc = big_document()
    with Workspace.open(tmp_path / "w.relplan") as ws:
        import_file(ws, _write(tmp_path / "first.json", doc))
        before = _tables(ws)
        doc["work_items"][5]["title"] = "Renamed"
        doc["work_items"].append({"key": "PAY-NEW", "title": "New", "team": "PAY"})
        doc["dependencies"][4]["lag_days"] = 9
        changes = import_file(ws, _write(tmp_path / "second.json", doc))
        assert changes.touched == {
            "work_item": {doc["work_items"][5]["key"], "PAY-NEW"},
            "dependency": {'["item:BIG-2","item:BIG-3"]'},
        }
        assert ws.conn.execute(
            "SELECT title FROM work_items WHERE key = ?", (doc["work_items"][5]["key"],)
        ).fetchone() == ("Renamed",)
        ws.undo()
        assert _tables(ws) == before


def test_replace_deletes_what_the_file_lacks(tmp_path: Path) -> None:
    doc = big_document()
    with Workspace.open(tmp_path / "w.relplan") as ws:
        import_file(ws, _write(tmp_path / "first.json", doc))
        del doc["work_items"][-1]
        doc["dependencies"] = [d for d in doc["dependencies"] if "BIG-2999" not in str(d)]
        import_file(ws, _write(tmp_path / "second.json", doc), replace=True)
        keys = {k for (k,) in ws.conn.execute("SELECT key FROM work_items")}
        assert "BIG-2999" not in keys
        assert len(keys) == ITEMS + 1


def test_a_failing_write_leaves_the_workspace_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _write(tmp_path / "big.json", big_document())
    real = commands._insert

    def insert_then_fail(conn: sqlite3.Connection, batch: Any, changes: Any) -> Any:
        rows = real(conn, batch, changes)
        if batch.entity == "dependency":  # after the work items went in
            raise sqlite3.OperationalError("disk I/O error")
        return rows

    with Workspace.open(tmp_path / "w.relplan") as ws:
        empty = _tables(ws)
        monkeypatch.setattr(commands, "_insert", insert_then_fail)
        with pytest.raises(sqlite3.OperationalError):
            import_file(ws, source)
        assert _tables(ws) == empty
        assert ws.conn.execute("SELECT count(*) FROM audit_log").fetchone() == (0,)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["work_items"].append(dict(d["work_items"][7])), "duplicate work item key"),
        (lambda d: d["work_items"][9].update(team="NOPE"), "work_items[9].team: unknown team"),
        (lambda d: d["dependencies"][8].update(to="item:NOPE"), "unknown work item 'NOPE'"),
        (lambda d: d["dependencies"].append(dict(d["dependencies"][3])), "duplicate dependency"),
        (lambda d: d["work_items"][6].update(points=-1), "work_items[6].points"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_written(
    tmp_path: Path, change: Any, message: str
) -> None:
    doc = big_document()
    change(doc)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        with pytest.raises(ValidationError) as info:
            import_file(ws, _write(tmp_path / "bad.json", doc))
        assert message in str(info.value)
        assert ws.is_empty()


def test_rows_with_keys_stored_already_are_objects_again(tmp_path: Path) -> None:
    """The command reads rows as objects when the table holds some: the merge compares them."""
    doc = big_document()
    plan, rows = workspace_json.parse_for_import(doc)
    assert plan.work_items == ()
    assert len(rows["work_item"]) == ITEMS + 2
    with _through_objects(tmp_path / "w.relplan", doc) as ws, ws.write():
        command = repository.import_command(ws.conn, plan, rows=rows)
        assert command.empty  # every object equal to the stored one
