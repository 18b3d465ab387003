"""Every path that moves a release, on random plans (hypothesis).

Whole-release moves (a bar's body dragged, what-if Apply and ``impact --apply``, ``move_release``)
keep every stage window and milestone at its offset to the release's start. Single-date edits (a
bar's end dragged, a date cell, the editor's date field) change that one date and nothing else;
a stage or milestone then outside ``start..target`` is reported by ``stage_outside_release``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relplan.domain.model import (
    Dependency,
    Environment,
    Milestone,
    Plan,
    Release,
    Stage,
    Team,
)
from relplan.domain.rules import outside_release
from relplan.edits.releases import (
    ReleaseEdit,
    apply_slip,
    drag_release,
    edit_release,
    editor_input,
    move_release,
    release_edit_command,
    set_release_date,
)
from relplan.edits.shift import shift_release
from relplan.planning.check import check_plan
from relplan.planning.impact import apply_impact, impact_of_slip
from relplan.store.workspace import Workspace

BASE = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 1)
KEYS = ["RA", "RB", "RC", "RD", "RE"]
ENVIRONMENTS = ("Dev", "QA", "Staging", "Production")
SOME = settings(max_examples=40, deadline=None, database=None)


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


@st.composite
def releases(draw: st.DrawFn, key: str) -> Release:
    """A dated release whose stages and milestones lie inside it (as planned)."""
    start = draw(st.integers(0, 30))
    length = draw(st.integers(1, 20))
    stages = []
    for env in ENVIRONMENTS:
        if draw(st.booleans()):
            first = draw(st.integers(0, length - 1))
            last = draw(st.integers(first, length - 1))
            stages.append(Stage(env, day(start + first), day(start + last)))
    milestones = tuple(
        Milestone(f"M{n}", day(start + draw(st.integers(0, length - 1))))
        for n in range(draw(st.integers(0, 3)))
    )
    status = draw(st.sampled_from(["planned", "planned", "in_progress", "released"]))
    return Release(
        key,
        f"Release {key}",
        "T",
        start=day(start),
        target=day(start + length - 1),
        status=status,
        stages=tuple(stages),
        milestones=milestones,
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    keys = KEYS[: draw(st.integers(1, len(KEYS)))]
    rels = tuple(draw(releases(key)) for key in keys)
    deps = tuple(
        Dependency(
            f"release:{p}",
            f"release:{s}",
            draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
            draw(st.integers(-3, 3)),
        )
        for i, p in enumerate(keys)
        for s in keys[i + 1 :]
        if draw(st.integers(0, 2)) == 0
    )
    return Plan(
        teams=(Team("T", "Team T"),),
        environments=tuple(Environment(env, n + 1) for n, env in enumerate(ENVIRONMENTS)),
        releases=rels,
        dependencies=deps,
    )


@pytest.fixture(scope="module")
def ws() -> Iterator[Workspace]:
    # One workspace for every example: each one replaces the whole plan.
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace.open(Path(folder) / "props.relplan")
        yield workspace
        workspace.close()


def offsets(release: Release) -> tuple[object, ...]:
    """Everything about a release's dates, relative to its start."""
    assert release.start is not None
    assert release.target is not None
    start = release.start
    return (
        (release.target - start).days,
        tuple(
            (s.environment, (s.start - start).days, (s.end - start).days) for s in release.stages
        ),
        tuple((m.name, (m.date - start).days) for m in release.milestones),
    )


def assert_whole_moves(before: Plan, after: Plan) -> None:
    """Every release of ``after`` is its ``before`` self, or moved whole (offsets kept)."""
    old = {r.key: r for r in before.releases}
    for release in after.releases:
        was = old[release.key]
        assert offsets(release) == offsets(was)
        days = (release.start - was.start).days  # type: ignore[operator]
        assert release == shift_release(was, days)


def assert_only(before: Release, after: Release, field: str, plan: Plan) -> None:
    """``after`` is ``before`` with one date changed; check reports what now lies outside."""
    assert after == dataclasses.replace(before, **{field: getattr(after, field)})
    outside = {
        p.subjects for p in check_plan(plan, today=TODAY) if p.kind == "stage_outside_release"
    }
    assert ((after.ref,) in outside) == bool(outside_release(after))


def load(ws: Workspace, plan: Plan) -> Plan:
    ws.import_plan(plan, replace=True, label="Random plan")
    return ws.plan()


def pick(data: st.DataObject, plan: Plan) -> Release:
    return data.draw(st.sampled_from(plan.releases))


# --- whole-release moves -------------------------------------------------------------------------


@SOME
@given(plans(), st.data())
def test_move_release_and_a_dragged_body_keep_every_offset(
    ws: Workspace, plan: Plan, data: st.DataObject
) -> None:
    before = load(ws, plan)
    release = pick(data, before)
    days = data.draw(st.integers(-40, 40).filter(bool))
    mover: Callable[[Workspace, str, int], object] = data.draw(
        st.sampled_from([move_release, lambda w, k, d: drag_release(w, k, "body", d)])
    )
    mover(ws, release.key, days)
    after = ws.plan()
    assert_whole_moves(before, after)
    moved = after.release(release.key)
    assert moved is not None
    assert moved.start == release.start + dt.timedelta(days=days)  # type: ignore[operator]
    assert [r for r in after.releases if r.key != release.key] == [
        r for r in before.releases if r.key != release.key
    ]
    # Stages planned inside the release stay inside: no stage_outside_release appears.
    assert not [p for p in check_plan(after, today=TODAY) if p.kind == "stage_outside_release"]


@SOME
@given(plans(), st.data())
def test_whatif_apply_and_impact_apply_move_every_release_whole(
    ws: Workspace, plan: Plan, data: st.DataObject
) -> None:
    before = load(ws, plan)
    key = pick(data, before).key
    days = data.draw(st.integers(-20, 20))
    # The pure path (the What-if preview's plan) and the stored one (Apply, impact --apply).
    impact = impact_of_slip(before, key, days, today=TODAY)
    assert_whole_moves(before, apply_impact(before, impact))
    applied, _ = apply_slip(ws, key, days, today=TODAY)
    assert applied == impact
    after = ws.plan()
    assert_whole_moves(before, after)
    assert after.releases == apply_impact(before, impact).releases


# --- single-date edits ---------------------------------------------------------------------------


@SOME
@given(plans(), st.data())
def test_a_dragged_end_changes_the_target_only(
    ws: Workspace, plan: Plan, data: st.DataObject
) -> None:
    before = load(ws, plan)
    release = pick(data, before)
    days = data.draw(st.integers(-25, 25).filter(bool))
    drag_release(ws, release.key, "end", days)
    after = ws.plan()
    new = after.release(release.key)
    assert new is not None
    target = max(release.start, release.target + dt.timedelta(days=days))  # type: ignore[operator,type-var]
    assert new.target == target
    assert_only(release, new, "target", after)


@SOME
@given(plans(), st.data())
def test_a_date_cell_or_editor_field_changes_that_date_only(
    ws: Workspace, plan: Plan, data: st.DataObject
) -> None:
    before = load(ws, plan)
    release = pick(data, before)
    assert release.start is not None
    assert release.target is not None
    field = data.draw(st.sampled_from(["start", "target"]))
    if field == "start":
        new_day = release.target - dt.timedelta(days=data.draw(st.integers(0, 25)))
    else:
        new_day = release.start + dt.timedelta(days=data.draw(st.integers(0, 25)))
    path = data.draw(st.sampled_from(["cell", "set_date", "editor"]))
    if path == "cell":  # the releases table's date cell
        edit_release(ws, release.key, {field: new_day})
    elif path == "set_date":
        set_release_date(ws, release.key, field, new_day)
    else:  # the release editor's date field, saved
        shown = editor_input(ws.plan(), release.key)
        edited = (
            dataclasses.replace(shown.release, start=new_day)
            if field == "start"
            else dataclasses.replace(shown.release, target=new_day)
        )
        edit = ReleaseEdit(shown.release, edited, shown.dependencies, shown.dependencies)
        command = release_edit_command(ws, edit)
        if command is not None:
            ws.execute(command)
    after = ws.plan()
    new = after.release(release.key)
    assert new is not None
    assert getattr(new, field) == new_day
    assert_only(release, new, field, after)
    assert [r for r in after.releases if r.key != release.key] == [
        r for r in before.releases if r.key != release.key
    ]
