"""Patching a loaded plan from ChangeSets gives the plan a fresh load gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.demo import generate
from relplan.domain.model import Dependency, Freeze, Plan
from relplan.formats.workspace_json import parse_workspace
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES, Setting
from relplan.store.plan_patch import apply_changes, can_patch
from relplan.store.workspace import Workspace


@pytest.fixture(scope="module")
def demo_plan() -> Plan:
    return parse_workspace(generate("small", seed=3))


@pytest.fixture
def ws(tmp_path: Path, demo_plan: Plan) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "w.relplan") as workspace:
        workspace.import_plan(demo_plan)
        yield workspace


def test_an_edit_then_undo_and_redo_patch_to_what_a_load_gives(ws: Workspace) -> None:
    plan = ws.plan()
    release = next(r for r in plan.releases if r.start and r.target and r.stages)
    moved = dataclasses.replace(
        release,
        start=release.start + dt.timedelta(days=9),  # type: ignore[operator]
        target=release.target + dt.timedelta(days=9),  # type: ignore[operator]
        stages=release.stages[1:],
    )
    changes = ws.update_releases([moved], "Move")
    patched = apply_changes(ws.conn, plan, changes.touched)
    assert patched != plan
    assert patched == ws.plan()
    assert patched.release(release.key) == moved
    undone = apply_changes(ws.conn, patched, ws.undo().touched)
    assert undone == ws.plan() == plan
    assert apply_changes(ws.conn, undone, ws.redo().touched) == ws.plan()


def test_added_and_deleted_objects_keep_the_load_order(ws: Workspace) -> None:
    plan = ws.plan()
    gone = plan.dependencies[len(plan.dependencies) // 2]
    first = plan.releases[0].key
    last = plan.releases[-1].key
    added = Dependency(f"release:{last}", f"release:{first}", "SS", 2)
    freeze = Freeze("Aaa freeze", dt.date(2026, 1, 5), dt.date(2026, 1, 9))
    key_of = TABLES["dependency"].key_of
    command = Command(
        "Rewire",
        (
            Edit("dependency", key_of(gone), gone, None),
            Edit("dependency", key_of(added), None, added),
            Edit("freeze", TABLES["freeze"].key_of(freeze), None, freeze),
        ),
    )
    changes = ws.execute(command)
    patched = apply_changes(ws.conn, plan, changes.touched)
    assert patched == ws.plan()
    assert gone not in patched.dependencies
    assert added in patched.dependencies
    assert freeze in patched.freezes


def test_a_setting_change_loads_the_plan_again(ws: Workspace) -> None:
    plan = ws.plan()
    assert not can_patch({"setting": {"timezone"}})
    ws.execute(
        Command(
            "Zone",
            (
                Edit(
                    "setting",
                    "timezone",
                    Setting("timezone", plan.timezone),
                    Setting("timezone", "Asia/Tokyo"),
                ),
            ),
        )
    )
    patched = apply_changes(ws.conn, plan, {"setting": {"timezone"}})
    assert patched.timezone == "Asia/Tokyo"
    assert patched == ws.plan()
