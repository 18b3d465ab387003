"""The commands behind the editors (relplan.edits), straight against a workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from relplan.domain.model import Dependency, Environment, Freeze, Gate
from relplan.edits.environments import environments_command
from relplan.edits.freezes import freeze_command
from relplan.edits.releases import (
    ReleaseEdit,
    editor_input,
    release_edit_command,
    release_edit_label,
)
from relplan.errors import DependencyCycleError, UnknownObjectError, ValidationError
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

PAY, WEB = "PAY-2026.12", "WEB-2026.12"
PlanWorkspace = Callable[[dict[str, Any]], Workspace]


@pytest.fixture
def ws(plan_ws: PlanWorkspace) -> Workspace:
    return plan_ws(document())


def _edit(ws: Workspace, **changes: Any) -> ReleaseEdit:
    data = editor_input(ws.plan(), PAY)
    deps = changes.pop("dependencies", data.dependencies)
    return ReleaseEdit(data.release, replace(data.release, **changes), data.dependencies, deps)


def test_editor_input_gathers_the_release_surroundings(ws: Workspace) -> None:
    data = editor_input(ws.plan(), PAY)
    assert data.release.key == PAY
    assert [d.pair for d in data.dependencies] == [(f"release:{PAY}", f"release:{WEB}")]
    assert [i.key for i in data.work_items] == ["PAY-101"]
    with pytest.raises(UnknownObjectError):
        editor_input(ws.plan(), "NOPE")


def test_nothing_changed_is_no_command(ws: Workspace) -> None:
    assert release_edit_command(ws, _edit(ws)) is None


def test_release_and_dependency_changes_are_one_command(ws: Workspace) -> None:
    new = (Dependency(f"release:{PAY}", f"release:{WEB}", "SS", 5),)
    edit = _edit(ws, name="Payments December", dependencies=new)
    command = release_edit_command(ws, edit)
    assert command is not None
    assert command.label == f"Edit {PAY}"
    assert [e.entity for e in command.edits] == ["release", "dependency"]
    pair = (f"release:{PAY}", f"release:{WEB}")
    ws.execute(command)
    assert ws.release(PAY).name == "Payments December"
    assert next(d for d in ws.plan().dependencies if d.pair == pair).type == "SS"
    ws.undo()
    assert ws.release(PAY).name == "Payments 2026.12"
    assert next(d for d in ws.plan().dependencies if d.pair == pair).type == "FS"


def test_removing_a_dependency(ws: Workspace) -> None:
    command = release_edit_command(ws, _edit(ws, dependencies=()))
    assert command is not None
    assert command.label == f"Edit dependencies of {PAY}"
    ws.execute(command)
    assert [d.pair for d in ws.plan().dependencies] == [("item:PAY-101", "item:WEB-17")]


def test_a_cycle_is_refused_before_anything_is_written(ws: Workspace) -> None:
    data = editor_input(ws.plan(), PAY)
    back = Dependency(f"release:{WEB}", f"release:{PAY}")
    edit = ReleaseEdit(
        data.release,
        replace(data.release, name="renamed"),
        data.dependencies,
        (*data.dependencies, back),
    )
    with pytest.raises(DependencyCycleError) as caught:
        release_edit_command(ws, edit)
    assert caught.value.cycle[0] == caught.value.cycle[-1]
    assert ws.release(PAY).name == "Payments 2026.12"
    # Turning the edge round does not help: PAY-101 -> WEB-17 implies PAY -> WEB.
    swap = ReleaseEdit(data.release, data.release, data.dependencies, (back,))
    with pytest.raises(DependencyCycleError):
        release_edit_command(ws, swap)


def test_a_removed_edge_no_longer_counts_for_cycles(plan_ws: PlanWorkspace) -> None:
    doc = document()
    doc["dependencies"] = doc["dependencies"][:1]  # only PAY -> WEB
    ws = plan_ws(doc)
    data = editor_input(ws.plan(), PAY)
    back = Dependency(f"release:{WEB}", f"release:{PAY}")
    command = release_edit_command(
        ws, ReleaseEdit(data.release, data.release, data.dependencies, (back,))
    )
    assert command is not None
    ws.execute(command)
    assert [d.pair for d in ws.plan().dependencies] == [back.pair]


def test_invalid_releases_and_dependencies_are_refused(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="before start"):
        release_edit_command(ws, _edit(ws, start=dt.date(2027, 1, 1)))
    with pytest.raises(ValidationError, match="no team 'NOPE'"):
        release_edit_command(ws, _edit(ws, team="NOPE"))
    with pytest.raises(ValidationError, match="no train"):
        release_edit_command(ws, _edit(ws, train="NOPE"))
    with pytest.raises(ValidationError, match="no release 'NOPE'"):
        release_edit_command(
            ws, _edit(ws, dependencies=(Dependency(f"release:{PAY}", "release:NOPE"),))
        )
    with pytest.raises(ValidationError, match="FS, SS"):
        release_edit_command(
            ws, _edit(ws, dependencies=(Dependency(f"release:{PAY}", f"release:{WEB}", "XX"),))
        )
    data = editor_input(ws.plan(), PAY)
    with pytest.raises(ValidationError, match="renamed"):
        release_edit_command(
            ws, ReleaseEdit(data.release, replace(data.release, key="OTHER"), (), ())
        )


def test_labels_name_a_single_gate_decision(ws: Workspace) -> None:
    release = ws.release(PAY)
    gate = release.gates[0]
    now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    approved = replace(gate, status="approved", decided_by="me", decided_at=now)
    edit = ReleaseEdit(release, replace(release, gates=(approved,)))
    assert release_edit_label(edit) == f"Approve gate CAB approval of {PAY}"
    rejected = replace(approved, status="rejected", comment="no")
    assert release_edit_label(ReleaseEdit(release, replace(release, gates=(rejected,)))) == (
        f"Reject gate CAB approval of {PAY}"
    )
    two = replace(release, gates=(approved, Gate("Another")))
    assert release_edit_label(ReleaseEdit(release, two)) == f"Edit {PAY}"


def test_freeze_commands(ws: Workspace) -> None:
    day = dt.date(2027, 2, 1)
    new = Freeze("Feb", day, day, environments=("Production",), teams=("PAY",))
    ws.execute(freeze_command(ws, None, new))
    assert "Feb" in {f.name for f in ws.plan().freezes}
    renamed = replace(new, name="February")
    command = freeze_command(ws, new, renamed)
    assert command.label == "Rename freeze Feb to February"
    ws.execute(command)
    assert {f.name for f in ws.plan().freezes} == {"Holiday freeze", "February"}
    ws.execute(freeze_command(ws, renamed, None))
    assert {f.name for f in ws.plan().freezes} == {"Holiday freeze"}
    with pytest.raises(UnknownObjectError):
        freeze_command(ws, renamed, None)


@pytest.mark.parametrize(
    ("freeze", "message"),
    [
        (Freeze("Holiday freeze", dt.date(2027, 1, 1), dt.date(2027, 1, 1)), "already exists"),
        (Freeze("X", dt.date(2027, 1, 2), dt.date(2027, 1, 1)), "before start"),
        (Freeze("X", dt.date(2027, 1, 1), dt.date(2027, 1, 1), rrule="FREQ=OFTEN"), "FREQ"),
        (Freeze("X", dt.date(2027, 1, 1), dt.date(2027, 1, 1), environments=("Moon",)), "Moon"),
        (Freeze("X", dt.date(2027, 1, 1), dt.date(2027, 1, 1), teams=("NOPE",)), "no team"),
    ],
)
def test_invalid_freezes_are_refused(ws: Workspace, freeze: Freeze, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        freeze_command(ws, None, freeze)


def test_environment_commands(ws: Workspace) -> None:
    staging = Environment("Staging", 3, 2)
    command = environments_command(ws, [(staging, replace(staging, capacity=4))])
    assert command is not None
    assert command.label == "Edit environment Staging"
    ws.execute(command)
    assert {e.name: e.capacity for e in ws.plan().environments}["Staging"] == 4
    both = environments_command(
        ws, [(None, Environment("QA", 2, 3)), (None, Environment("Dev", 1))]
    )
    assert both is not None
    assert both.label == "Edit 2 environments"
    assert (
        environments_command(ws, [(replace(staging, capacity=4), replace(staging, capacity=4))])
        is None
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ((None, Environment("Staging", 9, 1)), "this name is taken"),
        ((Environment("Staging", 3, 2), Environment("Stage", 3, 2)), "cannot be renamed"),
        ((Environment("Production", 4, 1), None), "still used by a stage of PAY-2026.12"),
        ((None, Environment("Perf", 5, 0)), "expected 1 or more"),
    ],
)
def test_invalid_environment_changes_are_refused(
    ws: Workspace, change: tuple[Environment | None, Environment | None], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        environments_command(ws, [change])
