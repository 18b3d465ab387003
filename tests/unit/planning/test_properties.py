"""Properties of the planning analyses on random plans (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from relplan.domain.model import Dependency, Environment, Plan, Release, Train, WorkItem
from relplan.planning.check import check_plan
from relplan.planning.graph import dependency_graph, index_plan
from relplan.planning.impact import apply_impact, impact_of_slip, problem_identity
from relplan.planning.schedule import Schedule, schedule_plan

from .factories import dep, freeze, gate, item, rel, stage

BASE = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 5)
KEYS = [f"R{c}" for c in "QWERTYUIOP"]
TYPES = ["FS", "SS", "FF", "SF"]
FAST = settings(max_examples=100, deadline=None, database=None)


@st.composite
def plans(draw: st.DrawFn, *, extras: bool = False, acyclic: bool = True) -> Plan:
    """Random plans: releases (random keys, dates), typed edges with lags, items implying
    edges; with ``extras`` also statuses, stage windows, gates, freezes and capacities."""
    count = draw(st.integers(1, 7))
    keys = draw(st.permutations(KEYS))[:count]
    releases: list[Release] = []
    items: list[WorkItem] = []
    for key in keys:
        start = BASE + dt.timedelta(days=draw(st.integers(0, 25)))
        duration = draw(st.integers(1, 8))
        target = start + dt.timedelta(days=duration - 1)
        stages = []
        gates = []
        status = "planned"
        if extras:
            status = draw(st.sampled_from(["planned", "planned", "released", "cancelled"]))
            for env in ("Staging", "Production"):
                if draw(st.booleans()):
                    first = draw(st.integers(0, duration - 1))
                    last = draw(st.integers(first, duration - 1))
                    stages.append(
                        stage(
                            env,
                            start + dt.timedelta(days=first),
                            start + dt.timedelta(days=last),
                        )
                    )
            if draw(st.booleans()):
                gates.append(gate("CAB", draw(st.sampled_from(["pending", "approved"]))))
        dated = not extras or draw(st.integers(0, 9)) > 0
        releases.append(
            rel(
                key,
                start if dated else None,
                target if dated else None,
                team=draw(st.sampled_from(["T", "U"])),
                status=status,
                stages=stages,
                gates=gates,
            )
        )
        items += [item(f"{key}-{n}", key) for n in range(2)]
    deps: list[Dependency] = []
    for i, j in itertools.permutations(range(count), 2):
        if (acyclic and i > j) or draw(st.integers(0, 3)) != 0:
            continue
        kind = draw(st.sampled_from(["release", "item", "both"]))
        if kind in ("item", "both"):
            deps.append(dep(f"item:{keys[i]}-{draw(st.integers(0, 1))}", f"item:{keys[j]}-0"))
        if kind in ("release", "both"):
            deps.append(
                dep(keys[i], keys[j], draw(st.sampled_from(TYPES)), draw(st.integers(-5, 5)))
            )
    freezes = []
    if extras and draw(st.booleans()):
        first = draw(st.integers(0, 30))
        freezes.append(
            freeze(
                "F",
                BASE + dt.timedelta(days=first),
                BASE + dt.timedelta(days=first + draw(st.integers(0, 4))),
                environments=draw(st.sampled_from([[], ["Production"]])),
            )
        )
    return Plan(
        releases=tuple(releases),
        work_items=tuple(items),
        dependencies=tuple(dict.fromkeys(deps)),
        freezes=tuple(freezes),
        environments=(Environment("Production", 1, capacity=draw(st.integers(1, 2))),),
    )


def lower_bound(type_: str, lag: int, p_es: int, p_ef: int, duration: int) -> int:
    """The spec's bound of an edge on its successor's early start (day ordinals)."""
    return {
        "FS": p_ef + 1 + lag,
        "SS": p_es + lag,
        "FF": p_ef + lag - duration + 1,
        "SF": p_es + lag - duration,
    }[type_]


def ordinals(schedule: Schedule) -> dict[str, tuple[int, int, int]]:
    return {
        r.key: (r.early_start.toordinal(), r.early_finish.toordinal(), r.duration_days)
        for r in schedule.releases
    }


def edges_in(plan: Plan, schedule: Schedule) -> list[tuple[str, str, str, int]]:
    keys = {r.key for r in schedule.releases}
    return [
        (e.predecessor, e.successor, e.type, e.lag_days)
        for e in index_plan(plan).edges.values()
        if e.predecessor in keys and e.successor in keys
    ]


@FAST
@given(plans())
def test_early_dates_never_precede_planned_dates(plan: Plan) -> None:
    for r in schedule_plan(plan).releases:
        assert r.early_start >= r.start
        assert (r.early_finish - r.early_start) == (r.target - r.start)
        assert r.slip_days == (r.early_finish - r.target).days >= 0


def released_keys(plan: Plan) -> set[str]:
    return {r.key for r in plan.releases if r.status == "released"}


@FAST
@given(plans(extras=True))
def test_every_edge_holds_in_the_forward_schedule(plan: Plan) -> None:
    schedule = schedule_plan(plan)
    days = ordinals(schedule)
    fixed = released_keys(plan)
    for p, s, type_, lag in edges_in(plan, schedule):
        if s in fixed:  # history: no predecessor moves a released release
            continue
        p_es, p_ef, _ = days[p]
        s_es, s_ef, s_d = days[s]
        assert s_es >= lower_bound(type_, lag, p_es, p_ef, s_d)
        # ... which is the workspace-format constraint with early dates as planned ones.
        assert {
            "FS": s_es >= p_ef + 1 + lag,
            "SS": s_es >= p_es + lag,
            "FF": s_ef >= p_ef + lag,
            "SF": s_ef + 1 >= p_es + lag,
        }[type_]


@FAST
@given(plans(extras=True))
def test_a_plan_at_its_early_dates_breaks_no_dependency(plan: Plan) -> None:
    schedule = schedule_plan(plan)
    moved = []
    for r in plan.releases:
        forecast = schedule.release(r.key)
        if forecast is not None:
            r = Release(
                r.key, r.name, r.team, start=forecast.early_start, target=forecast.early_finish
            )
        moved.append(r)
    problems = check_plan(Plan(releases=tuple(moved), dependencies=plan.dependencies), today=TODAY)
    # Only a released release (history) may break an edge into it; the message names the
    # successor first ("S starts ... but must start ...").
    fixed = released_keys(plan)
    broken = [p.message.split(" ")[0] for p in problems if p.kind == "dependency_violation"]
    assert set(broken) <= fixed


@FAST
@given(plans(extras=True))
def test_float_is_never_negative_and_late_dates_fit_the_end(plan: Plan) -> None:
    schedule = schedule_plan(plan)
    for r in schedule.releases:
        if r.released:
            continue
        assert r.float_days is not None
        assert r.late_finish is not None
        assert r.late_start is not None
        assert r.float_days >= 0
        assert r.late_finish >= r.early_finish
        assert schedule.end is not None
        assert r.late_finish <= schedule.end
        assert (r.late_finish - r.late_start) == (r.target - r.start)


@FAST
@given(plans(extras=True))
def test_critical_path_is_a_chain_of_tight_edges_ending_at_end(plan: Plan) -> None:
    schedule = schedule_plan(plan)
    live = [r for r in schedule.releases if not r.released]
    if not live:
        assert schedule.critical_path == ()
        if schedule.releases:  # all released: the end is the latest target
            assert schedule.end == max(r.target for r in schedule.releases)
        return
    days = ordinals(schedule)
    path = schedule.critical_path
    last = schedule.release(path[-1])
    assert last is not None
    assert last.early_finish == schedule.end
    assert path[-1] == min(r.key for r in live if r.early_finish == schedule.end)
    assert all(not r.critical for r in schedule.releases if r.released)
    tight: dict[str, list[str]] = {}
    for p, s, type_, lag in edges_in(plan, schedule):
        if lower_bound(type_, lag, days[p][0], days[p][1], days[s][2]) == days[s][0]:
            tight.setdefault(s, []).append(p)
    for prev, nxt in itertools.pairwise(path):
        assert prev == min(tight[nxt])
    # The path starts where no edge is tight, or where the tight predecessor is released.
    assert path[0] not in tight or min(tight[path[0]]) in released_keys(plan)


@FAST
@given(plans(extras=True))
def test_released_releases_are_fixed_history(plan: Plan) -> None:
    schedule = schedule_plan(plan)
    fixed = released_keys(plan)
    for r in schedule.releases:
        assert r.released == (r.key in fixed)
        if r.released:
            assert (r.early_start, r.early_finish) == (r.start, r.target)
            assert (r.late_start, r.late_finish, r.float_days, r.slip_days) == (None, None, None, 0)
            assert r.key not in schedule.critical_path
            json = r.to_json()
            assert (json["late_start"], json["late_finish"], json["float"]) == (None, None, None)
    live = [r.early_finish for r in schedule.releases if not r.released]
    if live:
        assert schedule.end == max(live)


@FAST
@given(plans(extras=True), st.data())
def test_a_train_schedule_agrees_with_the_whole_schedule(plan: Plan, data: st.DataObject) -> None:
    whole = schedule_plan(plan)
    if not whole.releases:
        return
    chosen = data.draw(st.sets(st.sampled_from([r.key for r in whole.releases]), min_size=1))
    plan = Plan(
        releases=tuple(
            Release(
                r.key, r.name, r.team, "Q" if r.key in chosen else None, r.start, r.target, r.status
            )
            for r in plan.releases
        ),
        work_items=plan.work_items,
        dependencies=plan.dependencies,
        trains=(Train("Q", "Q"),),
    )
    train = schedule_plan(plan, train="Q")
    assert set(chosen) <= {r.key for r in train.releases}
    for r in train.releases:
        full = whole.release(r.key)
        assert full is not None
        assert (r.early_start, r.early_finish) == (full.early_start, full.early_finish)
    ends = [r for r in train.releases if r.key in chosen]
    live = [r for r in ends if not r.released]
    assert train.end == max(r.early_finish for r in (live or ends))


@FAST
@given(plans(extras=True), st.data())
def test_zero_slip_moves_nothing(plan: Plan, data: st.DataObject) -> None:
    key = data.draw(st.sampled_from([r.key for r in plan.releases]))
    impact = impact_of_slip(plan, key, 0, today=TODAY)
    assert impact.moved == ()
    assert impact.new_problems == ()
    assert impact.end_before == impact.end_after


@FAST
@given(plans(extras=True), st.data())
def test_a_later_slip_never_moves_anything_earlier(plan: Plan, data: st.DataObject) -> None:
    key = data.draw(st.sampled_from([r.key for r in plan.releases]))
    impact = impact_of_slip(plan, key, data.draw(st.integers(1, 20)), today=TODAY)
    for m in impact.moved:
        assert m.days > 0
        assert m.new_start > m.start
    if impact.end_before is not None:
        assert impact.end_after is not None
        assert impact.end_after >= impact.end_before


@FAST
@given(plans(extras=True), st.data())
def test_new_and_resolved_problems_are_the_difference_of_two_full_checks(
    plan: Plan, data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from([r.key for r in plan.releases]))
    impact = impact_of_slip(plan, key, data.draw(st.integers(-15, 15)), today=TODAY)
    before = check_plan(plan, today=TODAY)
    after = check_plan(apply_impact(plan, impact), today=TODAY)
    ids_before = {problem_identity(p) for p in before}
    ids_after = {problem_identity(p) for p in after}
    assert list(impact.new_problems) == [p for p in after if problem_identity(p) not in ids_before]
    assert list(impact.resolved_problems) == [
        p for p in before if problem_identity(p) not in ids_after
    ]


@FAST
@given(plans(extras=True, acyclic=False))
def test_cycles_are_the_strongly_connected_components(plan: Plan) -> None:
    graph = dependency_graph(plan)
    expected = sorted(
        tuple(sorted(c))
        for c in nx.strongly_connected_components(graph)
        if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))
    )
    found = [p for p in check_plan(plan, today=TODAY) if p.kind == "cycle"]
    assert [p.subjects for p in found] == expected
    for problem in found:
        path = problem.message.split(": ", 1)[-1].split(" (")[0].split(";")[0].split(" -> ")
        if len(path) > 1:
            assert path[0] == path[-1]
            assert all(
                graph.has_edge(u, v) for u, v in itertools.pairwise(path) if "..." not in (u, v)
            )


@FAST
@given(plans(extras=True), st.data())
def test_impact_ends_are_the_schedule_ends(plan: Plan, data: st.DataObject) -> None:
    key = data.draw(st.sampled_from([r.key for r in plan.releases]))
    impact = impact_of_slip(plan, key, data.draw(st.integers(-15, 15)), today=TODAY)
    assert impact.end_before == schedule_plan(plan).end
    assert impact.end_after == schedule_plan(apply_impact(plan, impact)).end
