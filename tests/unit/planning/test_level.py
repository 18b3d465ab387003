"""``relplan level``: the serial schedule that clears dependency, freeze and capacity problems."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relplan.domain.model import Environment, Milestone, Plan, Train
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.check import check_plan
from relplan.planning.level import MAX_SHIFT, level_plan

from .factories import dep, freeze, plan, rel, stage
from .test_properties import TODAY, plans

KINDS = {"dependency_violation", "freeze_conflict", "environment_conflict"}
EARLY = dt.date(2026, 10, 1)
PROD = stage("Production", "2026-11-05", "2026-11-06")


def test_fs_edge_moves_the_successor_by_the_days_short() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-05", "2026-11-09"),
        deps=[dep("A", "B", "FS", 2)],
    )
    lv = level_plan(p, today=EARLY)
    [move] = lv.moved
    assert (move.key, move.days) == ("B", 4)
    assert move.new_start == dt.date(2026, 11, 9)
    assert move.reasons == ("FS +2 after A: needs +4 days",)
    assert lv.unresolved == ()
    assert lv.end_before == dt.date(2026, 11, 9)
    assert lv.end_after == dt.date(2026, 11, 13)
    assert lv.to_json()["total_slip_days"] == 4


def test_stages_and_milestones_move_with_the_release() -> None:
    b = rel(
        "B", "2026-11-05", "2026-11-09", stages=[stage("Production", "2026-11-09", "2026-11-09")]
    )
    b = dataclasses.replace(b, milestones=(Milestone("go", dt.date(2026, 11, 8)),))
    p = plan(rel("A", "2026-11-02", "2026-11-06"), b, deps=[dep("A", "B")])
    moved = {r.key: r for r in level_plan(p, today=EARLY).changed()}
    assert moved["B"].stages[0].start == dt.date(2026, 11, 11)
    assert moved["B"].milestones[0].date == dt.date(2026, 11, 10)


def test_a_freeze_pushes_the_window_past_its_end_with_a_reason() -> None:
    p = plan(
        rel(
            "A",
            "2026-11-02",
            "2026-11-06",
            stages=[stage("Production", "2026-11-05", "2026-11-06")],
        ),
        freezes=[freeze("Year-end", "2026-11-04", "2026-11-08", environments=["Production"])],
    )
    lv = level_plan(p, today=EARLY)
    [move] = lv.moved
    assert move.days == 4  # the window 11-05..06 must start on 11-09
    assert move.reasons == ("Production window leaves freeze Year-end",)
    assert lv.unresolved == ()


def test_capacity_moves_the_later_release_in_key_order() -> None:
    prod = [stage("Production", "2026-11-05", "2026-11-06")]
    p = plan(
        rel("A", "2026-11-02", "2026-11-06", stages=prod),
        rel("B", "2026-11-02", "2026-11-06", stages=prod),
        environments=[Environment("Production", 1, capacity=1)],
    )
    lv = level_plan(p, today=EARLY)
    [move] = lv.moved
    assert (move.key, move.days) == ("B", 2)
    assert move.reasons == ("Production is full (capacity 1) on 2026-11-05..2026-11-06",)
    # With capacity 2 both fit.
    roomy = dataclasses.replace(p, environments=(Environment("Production", 1, capacity=2),))
    assert level_plan(roomy, today=EARLY).moved == ()


def test_fixed_releases_keep_their_dates_and_may_stay_unresolved() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-05", "2026-11-09"),
        rel("C", "2026-11-05", "2026-11-09", status="released"),
        deps=[dep("A", "B"), dep("A", "C")],
    )
    lv = level_plan(p, today=EARLY, pins=["B"])
    assert lv.moved == ()
    assert {pr.subjects for pr in lv.unresolved} == {
        ("release:A", "release:B"),
        ("release:A", "release:C"),
    }
    # Started by today: fixed too.
    assert level_plan(p, today=dt.date(2026, 11, 5)).moved == ()


def test_with_a_train_only_its_releases_and_their_ancestors_move() -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-05", "2026-11-09", train="T1"),
        rel("C", "2026-11-05", "2026-11-09"),
        deps=[dep("A", "B"), dep("A", "C")],
        trains=[Train("T1", "Train 1")],
    )
    lv = level_plan(p, today=EARLY, train="T1")
    assert [m.key for m in lv.moved] == ["B"]
    # The whole plan's problems stay listed.
    assert [pr.subjects for pr in lv.unresolved] == [("release:A", "release:C")]


def test_a_release_that_fits_nowhere_keeps_its_dates() -> None:
    p = plan(
        rel(
            "A",
            "2026-11-02",
            "2026-11-06",
            stages=[stage("Production", "2026-11-05", "2026-11-06")],
        ),
        freezes=[freeze("Long", "2026-11-01", "2028-01-01", environments=["Production"])],
    )
    lv = level_plan(p, today=EARLY)
    assert lv.moved == ()
    assert [pr.kind for pr in lv.unresolved] == ["freeze_conflict"]
    assert MAX_SHIFT == 365


def test_cycles_and_unknown_names_are_errors() -> None:
    cyclic = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-05", "2026-11-09"),
        deps=[dep("A", "B"), dep("B", "A")],
    )
    with pytest.raises(DependencyCycleError):
        level_plan(cyclic, today=EARLY)
    with pytest.raises(UnknownObjectError):
        level_plan(cyclic, today=EARLY, pins=["NOPE"])
    with pytest.raises(UnknownObjectError):
        level_plan(cyclic, today=EARLY, train="NOPE")


@settings(max_examples=150, deadline=None, database=None)
@given(plans(extras=True), st.data())
def test_levelled_plan_keeps_only_listed_problems(plan_: Plan, data: st.DataObject) -> None:
    keys = sorted(r.key for r in plan_.releases)
    pins = data.draw(st.lists(st.sampled_from(keys), max_size=2))
    lv = level_plan(plan_, today=TODAY, pins=pins)
    levelled = dataclasses.replace(plan_, releases=lv.releases)
    after = {r.key: r for r in lv.releases}
    listed = {(p.kind, p.subjects) for p in lv.unresolved}
    left = [p for p in check_plan(levelled, today=TODAY) if p.kind in KINDS]
    # What check still reports is exactly what levelling listed as unresolved.
    assert {(p.kind, p.subjects) for p in left} == listed
    moved = {m.key: m for m in lv.moved}
    for before in plan_.releases:
        now = after[before.key]
        fixed = (
            before.status in ("released", "cancelled")
            or before.start is None
            or before.start <= TODAY
            or before.key in pins
        )
        if fixed:
            assert now == before
            assert before.key not in moved
            continue
        if before.key in moved:
            assert moved[before.key].days > 0  # never earlier
            # A moved release has found a place: its incoming edges hold and no freeze hits it.
            ref = "release:" + before.key
            for p in left:
                if p.kind == "freeze_conflict":
                    assert ref not in p.subjects
                if p.kind == "dependency_violation":
                    assert not p.message.startswith(before.key + " ")
        else:
            assert now == before
