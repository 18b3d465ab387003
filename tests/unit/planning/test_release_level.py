"""Release-level analyses from compact columns agree with the analyses of the whole plan."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from relplan.demo import generate
from relplan.domain.model import ITEM_PREFIX, Plan
from relplan.errors import DependencyCycleError
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.check import check_plan
from relplan.planning.graph import PlanIndex
from relplan.planning.impact import impact_of_slip
from relplan.planning.schedule import schedule_plan
from relplan.store.workspace import Workspace

from .test_properties import FAST, TODAY, plans


def _columns(plan: Plan) -> tuple[Plan, PlanIndex]:
    """The plan without items and dependencies, and its index from columns."""
    items = {ITEM_PREFIX + i.key: i.release for i in plan.work_items}
    rows = sorted((d.from_ref, d.to_ref, d.type, d.lag_days) for d in plan.dependencies)
    bare = dataclasses.replace(plan, work_items=(), dependencies=())
    return bare, PlanIndex.from_columns(bare, items, rows)


@FAST
@given(plans(extras=True, acyclic=False))
def test_check_from_columns_equals_check_of_the_whole_plan(plan: Plan) -> None:
    ordered = dataclasses.replace(
        plan, dependencies=tuple(sorted(plan.dependencies, key=lambda d: d.pair))
    )
    bare, index = _columns(ordered)
    assert check_plan(bare, today=TODAY, index=index) == check_plan(ordered, today=TODAY)


@FAST
@given(plans(extras=True), st.data())
def test_schedule_and_impact_from_columns_equal_the_whole_plans(
    plan: Plan, data: st.DataObject
) -> None:
    bare, index = _columns(plan)
    assert schedule_plan(bare, index=index) == schedule_plan(plan)
    key = data.draw(st.sampled_from([r.key for r in plan.releases]))
    slip = data.draw(st.integers(-5, 10))
    assert impact_of_slip(bare, key, slip, today=TODAY, index=index) == impact_of_slip(
        plan, key, slip, today=TODAY
    )


def test_a_workspace_release_plan_gives_the_same_analyses(
    plan_ws: Callable[[dict[str, Any]], Workspace],
) -> None:
    ws = plan_ws(generate("small", seed=3, today=dt.date(2026, 12, 4)))
    whole = ws.plan()
    bare = ws.release_plan()
    assert bare.releases == whole.releases
    assert bare.freezes == whole.freezes
    assert bare.work_items == ()
    assert bare.dependencies == ()
    assert [(d.from_ref, d.to_ref, d.type, d.lag_days) for d in whole.dependencies] == (
        ws.dependency_rows()
    )
    index = PlanIndex.from_columns(bare, ws.item_releases(), ws.dependency_rows())
    today = dt.date(2026, 12, 4)
    problems = check_plan(bare, today=today, index=index)
    assert index.implied
    assert problems
    assert problems == check_plan(whole, today=today)
    schedule = schedule_plan(bare, index=index)
    assert schedule == schedule_plan(whole)
    first = schedule.critical_path[0]
    assert impact_of_slip(bare, first, 5, today=today, index=index) == impact_of_slip(
        whole, first, 5, today=today
    )


def test_partial_loads_are_the_whole_plans_subsets(
    plan_ws: Callable[[dict[str, Any]], Workspace],
) -> None:
    ws = plan_ws(generate("small", seed=3, today=dt.date(2026, 12, 4)))
    whole = ws.plan()
    assert ws.deployments() == whole.deployments
    assert ws.work_items() == whole.work_items
    some = {whole.releases[0].key, whole.releases[-1].key}
    assert ws.work_items(some) == tuple(i for i in whole.work_items if i.release in some)
    open_items = {ITEM_PREFIX + i.key for i in whole.work_items if i.category != "done"}
    from_open = ws.dependencies_from_open_items()
    assert from_open  # the demo has open items with dependents
    assert from_open == tuple(d for d in whole.dependencies if d.from_ref in open_items)


@FAST
@given(plans(extras=True, acyclic=False), st.data())
def test_a_rebased_index_gives_what_a_fresh_index_gives(plan: Plan, data: st.DataObject) -> None:
    index = PlanIndex(plan)
    index.cyclic_core()  # found before the edit, shared after it
    key = data.draw(st.sampled_from([r.key for r in plan.releases]))
    days = dt.timedelta(days=data.draw(st.integers(-20, 20)))
    status = data.draw(st.sampled_from(["planned", "in_progress", "released", "cancelled"]))
    moved = tuple(
        dataclasses.replace(
            r,
            start=r.start and r.start + days,
            target=r.target and r.target + days,
            status=status,
        )
        if r.key == key
        else r
        for r in plan.releases
    )
    edited = dataclasses.replace(plan, releases=moved)
    rebased = index.rebased(edited)
    assert rebased is not None
    assert rebased.releases[key] == next(r for r in moved if r.key == key)
    assert check_plan(edited, today=TODAY, index=rebased) == check_plan(edited, today=TODAY)
    try:
        expected = schedule_plan(edited)
    except DependencyCycleError:
        return
    assert schedule_plan(edited, index=rebased) == expected


def test_an_index_is_not_rebased_onto_other_items_dependencies_or_releases() -> None:
    doc = generate("small", seed=3, today=dt.date(2026, 12, 4))
    plan = parse_workspace(doc)
    index = PlanIndex(plan)
    assert index.rebased(plan) is not None
    fewer = dataclasses.replace(plan, dependencies=plan.dependencies[1:])
    assert index.rebased(fewer) is None
    assert index.rebased(dataclasses.replace(plan, work_items=plan.work_items[1:])) is None
    assert index.rebased(dataclasses.replace(plan, releases=plan.releases[1:])) is None
    equal = dataclasses.replace(plan, dependencies=(*plan.dependencies,))
    assert index.rebased(equal) is None  # equal, but not the same: not known unchanged
