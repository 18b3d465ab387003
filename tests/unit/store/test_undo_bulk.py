"""Undo and redo of a large import take the bulk path, with the general path's checks and words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from relplan.domain.model import Plan
from relplan.errors import ChangedSinceError
from relplan.formats.workspace_json import parse_workspace
from relplan.store import undo as undo_module
from relplan.store import undo_bulk
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

ITEMS = 3000  # with as many dependencies: past undo_bulk.MIN_OBJECTS


def big_document(prefix: str = "PAY") -> dict[str, Any]:
    doc = document()
    doc["work_items"] = [
        {
            "key": f"{prefix}-{i}",
            "title": f"Item {i}",
            "team": "PAY",
            "release": "PAY-2026.12",
            "points": 3 if i % 2 else 2.5,
            "category": "done" if i % 3 == 0 else "todo",
        }
        for i in range(ITEMS)
    ]
    doc["dependencies"] = [
        {"from": f"item:{prefix}-{i}", "to": f"item:{prefix}-{(i + 1) % ITEMS}", "lag_days": i % 4}
        for i in range(ITEMS)
    ]
    return doc


def _no_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the general path fail, so a passing replay went through the bulk path."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the general undo path ran")

    monkeypatch.setattr(undo_module, "load_edits", refuse)


def _snapshot(ws: Workspace) -> Plan:
    return ws.plan()


def test_undo_and_redo_of_an_import_into_an_empty_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        empty = _snapshot(ws)
        ws.import_plan(parse_workspace(big_document()), label="Import big.json")
        imported = _snapshot(ws)
        assert len(imported.work_items) == ITEMS
        _no_general_path(monkeypatch)

        undone = ws.undo()
        assert undone.label == "Import big.json"
        assert len(undone.touched["work_item"]) == ITEMS
        assert '["item:PAY-0","item:PAY-1"]' in undone.touched["dependency"]
        assert _snapshot(ws) == empty
        assert ws.conn.execute("SELECT count(*) FROM stages").fetchone()[0] == 0

        redone = ws.redo()
        assert redone.touched == undone.touched
        assert _snapshot(ws) == imported  # points 2.5 and 3, categories, lags: all back

        ws.undo()  # the redo's rows did not disturb the next undo
        assert _snapshot(ws) == empty
        actions = [
            r[0]
            for r in ws.conn.execute(
                "SELECT DISTINCT action FROM audit_log WHERE command = ? ORDER BY action",
                (undone.command_id,),
            )
        ]
        assert actions == ["do", "redo", "undo"]


def test_undo_of_an_import_beside_existing_objects_removes_only_the_imported_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(big_document("OLD")), label="First")
        before = _snapshot(ws)
        second = big_document("NEW")
        second["work_items"] += big_document("OLD")["work_items"]  # unchanged: no edit
        ws.import_plan(parse_workspace(second), label="Second")
        assert len(_snapshot(ws).work_items) == 2 * ITEMS
        _no_general_path(monkeypatch)
        assert ws.undo().label == "Second"
        assert _snapshot(ws) == before


def test_undo_refused_when_a_later_change_edited_an_imported_item(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(big_document()), label="Import big.json")
        later = big_document()
        later["work_items"][7]["title"] = "Renamed"
        edit = ws.import_plan(parse_workspace(later), label="Rename one")
        before = _snapshot(ws)
        with pytest.raises(ChangedSinceError) as caught:
            ws.undo(command_id=edit.command_id - 1)
        message = str(caught.value)
        assert "work item PAY-7 was changed since by" in message
        assert "'Rename one'" in message
        assert message.endswith("nothing was changed")
        assert _snapshot(ws) == before


def test_undo_refused_when_a_row_was_changed_outside_the_history(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(big_document()), label="Import big.json")
        ws.conn.execute("UPDATE dependencies SET lag_days = 9 WHERE from_ref = 'item:PAY-5'")
        ws.conn.commit()
        with pytest.raises(ChangedSinceError, match="outside relplan's history"):
            ws.undo()
        assert len(_snapshot(ws).work_items) == ITEMS


def test_redo_refused_when_an_object_came_back_since(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(big_document()), label="Import big.json")
        ws.undo()
        small = document()
        small["work_items"] = [{"key": "PAY-3", "title": "Again", "team": "PAY"}]
        small["dependencies"] = []
        ws.import_plan(parse_workspace(small), label="Bring PAY-3 back")
        with pytest.raises(ChangedSinceError, match=r"cannot redo #1 .* was changed since by #2"):
            ws.redo(command_id=1)
        assert [i.key for i in _snapshot(ws).work_items] == ["PAY-3"]


def test_undo_refused_when_a_later_change_uses_an_imported_release(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        doc = big_document()
        doc["releases"].append({"key": "NEW-1", "name": "New", "team": "WEB"})
        ws.import_plan(parse_workspace(doc), label="Import big.json")
        ws.conn.execute(
            "INSERT INTO deployments (release, environment, finished, outcome, changes) "
            "VALUES ('NEW-1', 'Production', '2026-12-01T10:00:00+00:00', 'succeeded', '[]')"
        )
        ws.conn.commit()
        with pytest.raises(ChangedSinceError, match="still used by later changes"):
            ws.undo()
        assert any(r.key == "NEW-1" for r in _snapshot(ws).releases)


def test_a_small_command_keeps_the_general_path(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(document()), label="Small")
        command = ws.conn.execute("SELECT max(id) FROM commands").fetchone()[0]
        assert undo_bulk.added_only(ws.conn, command) is None
