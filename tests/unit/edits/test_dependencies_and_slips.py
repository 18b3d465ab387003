"""Edits that consult the planning engine first: cycles refused, slips applied as one command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.domain.model import Dependency
from relplan.edits.dependencies import add_dependency, remove_dependency
from relplan.edits.releases import apply_slip
from relplan.errors import DependencyCycleError, UnknownObjectError, ValidationError
from relplan.formats.workspace_json import dump_plan, parse_workspace
from relplan.planning.schedule import schedule_plan
from relplan.store.workspace import Workspace
from tests.helpers.plans import document


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "w.relplan") as workspace:
        workspace.import_plan(parse_workspace(document()))
        yield workspace


def test_a_dependency_closing_a_cycle_is_refused_before_writing(ws: Workspace) -> None:
    before = dump_plan(ws.plan())
    with pytest.raises(DependencyCycleError) as info:
        add_dependency(ws, Dependency("release:WEB-2026.12", "release:PAY-2026.12"))
    assert str(info.value) == (
        "dependency cycle: release:WEB-2026.12 -> release:PAY-2026.12 -> release:WEB-2026.12"
    )
    assert dump_plan(ws.plan()) == before


def test_an_item_link_that_implies_a_cycle_is_refused(ws: Workspace) -> None:
    # WEB-17 is in WEB-2026.12, PAY-101 in PAY-2026.12: the link implies WEB -> PAY.
    with pytest.raises(DependencyCycleError) as info:
        add_dependency(ws, Dependency("item:WEB-17", "item:PAY-101"))
    assert info.value.cycle[0] == info.value.cycle[-1]


def test_add_change_and_remove_are_undoable(ws: Workspace) -> None:
    changes = add_dependency(ws, Dependency("release:PAY-2026.12", "release:WEB-2026.12", "SS", 1))
    assert changes.label == "Change dependency release:PAY-2026.12 -> release:WEB-2026.12"
    deps = {d.pair: d for d in ws.plan().dependencies}
    assert deps["release:PAY-2026.12", "release:WEB-2026.12"].type == "SS"
    ws.undo()
    deps = {d.pair: d for d in ws.plan().dependencies}
    assert deps["release:PAY-2026.12", "release:WEB-2026.12"].type == "FS"
    remove_dependency(ws, "item:PAY-101", "item:WEB-17")
    assert len(ws.plan().dependencies) == 1
    ws.undo()
    assert len(ws.plan().dependencies) == 2


def test_bad_dependencies_are_refused(ws: Workspace) -> None:
    with pytest.raises(UnknownObjectError):
        add_dependency(ws, Dependency("release:NOPE", "release:WEB-2026.12"))
    with pytest.raises(ValidationError):
        add_dependency(ws, Dependency("release:WEB-2026.12", "release:WEB-2026.12"))
    with pytest.raises(ValidationError):
        add_dependency(ws, Dependency("release:PAY-2026.12", "release:WEB-2026.12", "XX"))
    with pytest.raises(UnknownObjectError):
        remove_dependency(ws, "release:WEB-2026.12", "release:PAY-2026.12")


def test_apply_slip_writes_what_the_impact_says_as_one_command(ws: Workspace) -> None:
    impact, changes = apply_slip(ws, "PAY-2026.12", 5, today=dt.date(2026, 11, 1))
    assert changes.label == "Slip PAY-2026.12 by +5 days"
    pay = ws.release("PAY-2026.12")
    assert (pay.start, pay.target) == (dt.date(2026, 11, 7), dt.date(2026, 12, 6))
    assert pay.stages[0].start == dt.date(2026, 12, 5)  # stages move with their release
    moved = {m.key: m for m in impact.moved}
    web = ws.release("WEB-2026.12")
    assert (web.start, web.target) == (
        moved["WEB-2026.12"].new_start,
        moved["WEB-2026.12"].new_target,
    )
    schedule = schedule_plan(ws.plan())
    assert all(r.slip_days == 0 for r in schedule.releases)
    ws.undo()
    assert ws.release("PAY-2026.12").start == dt.date(2026, 11, 2)
    assert ws.release("WEB-2026.12").start == dt.date(2026, 11, 28)
