"""Importing through both paths: inserts into empty tables, and the diff against stored objects.

Both must store exactly the plan, audit exactly what one edit per object would, and undo and
redo exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from relplan.demo import generate
from relplan.formats.workspace_json import dump_plan, parse_workspace
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.repository import WRITE_ORDER, _objects, import_command
from relplan.store.workspace import Workspace

#: A key with what JSON escapes (a quote, a backslash, U+2028) and a non-ASCII letter.
ODD_KEY = 'Q"\\é\u2028-1'
_DATA_TABLES = (
    "settings", "teams", "environments", "trains", "releases", "stages", "milestones", "gates",
    "freezes", "work_items", "dependencies", "deployments", "templates", "flags",
)  # fmt: skip


def _document() -> dict[str, Any]:
    doc = generate("small", seed=5, today=dt.date(2026, 12, 4))
    first = doc["work_items"][0]
    doc["work_items"].append({**first, "key": ODD_KEY, "title": "An odd key"})
    doc["dependencies"].append(
        {"from": f"item:{ODD_KEY}", "to": f"item:{first['key']}", "type": "SS", "lag_days": 2}
    )
    # The release lifecycle's own kinds take both paths too.
    doc["templates"] = [
        {"key": "team", "name": "Team", "stages": [{"environment": "Production", "days": 2}]}
    ]
    release = doc["releases"][0]["key"]
    doc["flags"] = [
        {"key": "f1", "release": release, "environment": "Production",
         "steps": [{"date": "2026-12-01", "percent": 50}]}
    ]  # fmt: skip
    return doc


def _tables(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in _DATA_TABLES
    }


def _audit(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT action, entity, key, before, after, batch FROM audit_log ORDER BY id"
    ).fetchall()


def test_an_import_into_an_empty_workspace_inserts_what_one_edit_per_object_would(
    tmp_path: Path,
) -> None:
    plan = parse_workspace(_document())
    with Workspace.open(tmp_path / "fast.relplan") as fast:
        command = import_command(fast.conn, plan)
        assert command.edits == ()
        assert [batch.entity for batch in command.inserts] == list(WRITE_ORDER)
        changes = fast.import_plan(plan)
        assert dump_plan(fast.plan()) == dump_plan(plan)
        # What the import wrote before it had a path for empty tables: an edit per object.
        edits = tuple(
            Edit(entity, TABLES[entity].key_of(obj), None, obj)
            for entity in WRITE_ORDER
            for obj in _objects(plan, entity)
        )
        with Workspace.open(tmp_path / "edits.relplan") as reference:
            expected = reference.execute(Command("Import", edits))
            assert _tables(fast.conn) == _tables(reference.conn)
            assert _audit(fast.conn) == _audit(reference.conn)
        assert changes.touched == expected.touched
        odd = [f"item:{ODD_KEY}", f"item:{plan.work_items[0].key}"]
        assert (
            json.dumps(odd, ensure_ascii=False, separators=(",", ":"))
            in changes.touched["dependency"]
        )

        fast.undo()
        assert fast.is_empty()
        assert all(not rows for rows in _tables(fast.conn).values())
        fast.redo()
        assert dump_plan(fast.plan()) == dump_plan(plan)


def test_an_import_into_a_workspace_that_holds_a_plan_diffs_and_undoes_exactly(
    tmp_path: Path,
) -> None:
    doc = _document()
    old = _document()
    # The stored plan: fewer items, other titles, one more release and dependency.
    old["work_items"] = [
        {**item, "title": f"Old {item['title']}"} for item in old["work_items"][::2]
    ]
    kept = {item["key"] for item in old["work_items"]}
    old["dependencies"] = [d for d in old["dependencies"] if {d["from"][5:], d["to"][5:]} <= kept]
    extra = {**old["releases"][0], "key": "GONE-1", "name": "Not in the import"}
    old["releases"].append(extra)
    plan = parse_workspace(doc)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(parse_workspace(old), label="Old")
        stored = _tables(ws.conn)
        command = import_command(ws.conn, plan, replace=True)
        assert command.inserts == ()
        assert any(e.before is not None and e.after is not None for e in command.edits)
        ws.import_plan(plan, replace=True)
        assert dump_plan(ws.plan()) == dump_plan(plan)
        ws.undo()
        assert _tables(ws.conn) == stored
        ws.redo()
        assert dump_plan(ws.plan()) == dump_plan(plan)


def test_an_import_that_breaks_a_reference_leaves_an_empty_workspace_empty(
    tmp_path: Path,
) -> None:
    doc = _document()
    doc["work_items"][3]["release"] = "NOPE-1"
    # Past the parser (its reference check would refuse it): the database must refuse it too.
    plan = parse_workspace(doc, known=_known_release("NOPE-1"))
    with Workspace.open(tmp_path / "w.relplan") as ws:
        try:
            ws.import_plan(plan)
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("the import of a dangling reference was accepted")
        assert ws.is_empty()
        assert _audit(ws.conn) == []


def _known_release(key: str) -> Any:
    from relplan.formats.workspace_json import KnownKeys

    return KnownKeys(releases=frozenset({key}))
