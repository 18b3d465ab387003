"""Undo belongs to where a change was made, checks before it replays, and survives odd keys."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from relplan.domain.model import Change, Dependency, Deployment, Plan
from relplan.errors import ChangedSinceError, NothingToUndoError
from relplan.formats.deployments_csv import deployments_command
from relplan.formats.workspace_json import dump_plan, parse_workspace
from relplan.store.commands import Command, Edit
from relplan.store.database import backup_path
from relplan.store.entities import dependency_key
from relplan.store.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from relplan.store.origin import SESSION_VARIABLE, terminal_origin, window_origin
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

PAY, WEB = "PAY-2026.12", "WEB-2026.12"


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    """Two connections to one file, as two windows or terminals: origins A and B."""
    path = tmp_path / "w.relplan"
    with Workspace.open(path, origin="session:base") as base:
        base.import_plan(parse_workspace(document()), label="Base")
    with (
        Workspace.open(path, origin="session:A") as a,
        Workspace.open(path, origin="session:B") as b,
    ):
        yield a, b


def _move(ws: Workspace, key: str, days: int) -> int:
    release = ws.release(key)
    assert release.target is not None
    changes = ws.set_release_dates(key, release.start, release.target + dt.timedelta(days=days))
    assert changes.command_id is not None
    return changes.command_id


def test_undo_takes_back_the_latest_change_of_its_own_origin_only(
    two: tuple[Workspace, Workspace],
) -> None:
    a, b = two
    target = a.release(PAY).target
    assert target is not None
    _move(a, PAY, 1)
    _move(b, WEB, 3)  # B's change is the latest in the file
    web_target = b.release(WEB).target
    undone = a.undo()
    assert undone.label == f"Move {PAY}"
    assert a.release(PAY).target == target
    assert a.release(WEB).target == web_target  # B's change stands
    assert a.undo_labels() == (None, f"Move {PAY}")
    assert b.undo_labels() == (f"Move {WEB}", None)


def test_nothing_of_ones_own_to_undo_names_the_latest_other_change(
    two: tuple[Workspace, Workspace],
) -> None:
    a, b = two
    other = _move(b, WEB, 3)
    with pytest.raises(NothingToUndoError, match=rf"nothing to undo from here.*#{other} 'Move"):
        a.undo()
    assert b.history(1)[0]["state"] == "done"


def test_another_origins_change_is_undone_when_named(two: tuple[Workspace, Workspace]) -> None:
    a, b = two
    before = b.release(WEB)
    other = _move(b, WEB, 3)
    assert a.undo(other).command_id == other
    assert a.release(WEB) == before
    # The redo belongs to whoever undid it.
    assert a.undo_labels() == (None, f"Move {WEB}")
    assert b.undo_labels() == (None, None)
    a.redo()
    assert a.release(WEB).target == before.target + dt.timedelta(days=3)  # type: ignore[operator]


def test_undo_is_refused_when_a_later_change_touched_the_same_object(
    two: tuple[Workspace, Workspace],
) -> None:
    a, b = two
    mine = _move(a, PAY, 1)
    theirs = _move(b, PAY, 5)
    after_theirs = a.plan()
    with pytest.raises(ChangedSinceError) as caught:
        a.undo()
    text = str(caught.value)
    assert f"cannot undo #{mine} 'Move {PAY}'" in text
    assert f"release {PAY} was changed since by #{theirs} 'Move {PAY}'" in text
    assert "session:B" in text
    assert dump_plan(a.plan()) == dump_plan(after_theirs)  # nothing written
    assert a.history(1)[0]["id"] == theirs
    # Once B takes its change back, A's undo is exact again.
    b.undo()
    a.undo()
    assert a.release(PAY) == parse_workspace(document()).release(PAY)


def test_redo_is_refused_when_the_object_moved_since_the_undo(
    two: tuple[Workspace, Workspace],
) -> None:
    a, b = two
    mine = _move(a, PAY, 1)
    a.undo()
    theirs = _move(b, PAY, 2)
    with pytest.raises(ChangedSinceError, match=rf"cannot redo #{mine}.*by #{theirs}"):
        a.redo()


def test_a_new_change_ends_only_its_own_origins_redo(two: tuple[Workspace, Workspace]) -> None:
    a, b = two
    _move(a, PAY, 1)
    a.undo()
    _move(b, WEB, 1)  # another origin's change keeps A's redo
    assert a.undo_labels()[1] == f"Move {PAY}"
    _move(a, WEB, 1)  # A's own change ends it
    assert a.undo_labels()[1] is None


def test_history_lists_ids_and_origins(two: tuple[Workspace, Workspace]) -> None:
    a, b = two
    _move(a, PAY, 1)
    _move(b, WEB, 1)
    rows = a.history()
    assert [(r["label"], r["origin"]) for r in rows] == [
        (f"Move {WEB}", "session:B"),
        (f"Move {PAY}", "session:A"),
        ("Base", "session:base"),
    ]
    assert rows[0]["id"] > rows[1]["id"] > rows[2]["id"]


def test_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SESSION_VARIABLE, "nightly-import")
    assert terminal_origin() == "session:nightly-import"
    monkeypatch.delenv(SESSION_VARIABLE)
    here = terminal_origin()
    assert here.startswith("terminal:")
    assert here == terminal_origin()
    assert window_origin() != window_origin()  # each window session is its own place


# -- keys with separators -------------------------------------------------------------------
# Plans are built directly, not parsed: the store must be robust whatever input validation lets in.
def _renamed(plan: Plan, old: str, new: str) -> Plan:
    def ref(value: str) -> str:
        return "release:" + new if value == "release:" + old else value

    return replace(
        plan,
        releases=tuple(replace(r, key=new) if r.key == old else r for r in plan.releases),
        work_items=tuple(
            replace(i, release=new) if i.release == old else i for i in plan.work_items
        ),
        dependencies=tuple(
            replace(d, from_ref=ref(d.from_ref), to_ref=ref(d.to_ref)) for d in plan.dependencies
        ),
        deployments=tuple(
            replace(d, release=new) if d.release == old else d for d in plan.deployments
        ),
    )


def test_keys_with_separators_undo_and_redo_cleanly(tmp_path: Path) -> None:
    odd = "A|B->C"
    plan = _renamed(parse_workspace(document()), PAY, odd)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(plan, label="Odd")
        dep = Deployment(
            odd, "Production", None, dt.datetime(2026, 11, 9, 8, 0, tzinfo=dt.UTC),
            "success", None, (Change("c|1", None),), None,
        )  # fmt: skip
        ws.execute(deployments_command(ws.plan().deployments, [dep], "Add deployment"))
        ws.undo()
        ws.undo()  # FOREIGN KEY failure here before: the deployment was never deleted
        assert ws.is_empty()
        assert ws.conn.execute("SELECT count(*) FROM dependencies").fetchone()[0] == 0
        ws.redo()
        assert dump_plan(ws.plan()) == dump_plan(plan)


def test_dependencies_whose_joined_keys_collide_stay_two(tmp_path: Path) -> None:
    base = parse_workspace(document())
    plan = _renamed(_renamed(base, PAY, "X->Y"), WEB, "Y->Z")
    x = replace(plan.releases[0], key="X")
    yzx = replace(plan.releases[0], key="Y->Z->release:X")
    xyz = replace(plan.releases[0], key="X->Y->release:Y->Z")
    deps = (
        Dependency("release:X->Y", "release:Y->Z"),  # joined: release:X->Y->release:Y->Z
        Dependency("release:X->Y->release:Y", "release:Z")
        if False
        else Dependency("release:Y->Z", "release:X"),
    )
    plan = replace(
        plan,
        releases=(*plan.releases, x, yzx, xyz),
        work_items=(),
        dependencies=deps,
        deployments=(),
    )
    with Workspace.open(tmp_path / "w.relplan") as ws:
        ws.import_plan(plan)
        assert {d.pair for d in ws.plan().dependencies} == {d.pair for d in deps}
        ws.undo()
        assert ws.is_empty()


def _version_4_with_legacy_audit(path: Path) -> None:
    """A schema-4 workspace whose audit log keeps joined keys, with a separator in one end."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    script = "\n".join(str(m) for m in MIGRATIONS[:4])
    conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = 4;\nCOMMIT;")
    conn.executescript(
        """
        INSERT INTO teams VALUES ('T', 'Team', NULL);
        INSERT INTO releases VALUES ('A->B', 'x', 'T', NULL, NULL, NULL, 'planned');
        INSERT INTO releases VALUES ('C', 'y', 'T', NULL, NULL, NULL, 'planned');
        INSERT INTO dependencies VALUES ('release:A->B', 'release:C', 'FS', 0);
        INSERT INTO commands VALUES (1, 'Old import', '2026-11-01T00:00:00+00:00', 'me', 'done');
        """
    )
    rows = [
        ("team", "T", None, json.dumps(["T", "Team", None])),
        ("release", "A->B", None, json.dumps({"key": "A->B", "name": "x", "team": "T"})),
        ("release", "C", None, json.dumps({"key": "C", "name": "y", "team": "T"})),
        (
            "dependency",
            "release:A->B->release:C",  # the joined key that split wrongly
            None,
            json.dumps(["release:A->B", "release:C", "FS", 0]),
        ),
    ]
    conn.executemany(
        "INSERT INTO audit_log (command, at, who, action, entity, key, before, after, batch) "
        "VALUES (1, '2026-11-01T00:00:00+00:00', 'me', 'do', ?, ?, ?, ?, 0)",
        rows,
    )
    conn.close()


def test_migration_makes_legacy_keys_structural_and_undo_works(tmp_path: Path) -> None:
    path = tmp_path / "old.relplan"
    _version_4_with_legacy_audit(path)
    with Workspace.open(path, origin="session:new") as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        key = ws.conn.execute("SELECT key FROM audit_log WHERE entity = 'dependency'").fetchone()[0]
        assert json.loads(key) == ["release:A->B", "release:C"]
        (row,) = ws.history()
        assert row["origin"] == "legacy"
        with pytest.raises(NothingToUndoError):
            ws.undo()  # a legacy change belongs to no origin of today: name it
        ws.undo(1)
        assert ws.is_empty()
    assert backup_path(path, 4).exists()


def test_a_changed_dependency_names_its_ends_in_the_refusal(
    two: tuple[Workspace, Workspace],
) -> None:
    a, b = two
    dep = Dependency("release:" + WEB, "release:" + PAY)
    key = dependency_key(dep)
    a.execute(Command("Add it", (Edit("dependency", key, None, dep),)))
    b.execute(Command("Change it", (Edit("dependency", key, dep, replace(dep, lag_days=4)),)))
    with pytest.raises(ChangedSinceError, match=f"dependency release:{WEB} / release:{PAY}"):
        a.undo()


def test_an_editor_save_over_anothers_change_is_refused(two: tuple[Workspace, Workspace]) -> None:
    from relplan.edits.releases import ReleaseEdit, editor_input, release_edit_command

    a, b = two
    shown = editor_input(a.plan(), PAY)  # the editor opens in A
    _move(b, PAY, 4)  # meanwhile B moves the release
    edit = ReleaseEdit(shown.release, replace(shown.release, name="Renamed in A"))
    with (
        pytest.raises(ChangedSinceError, match=f"{PAY} was changed by another window"),
        a.write(),
    ):
        release_edit_command(a, edit)
    assert a.release(PAY).name != "Renamed in A"
