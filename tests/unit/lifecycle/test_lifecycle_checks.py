"""The five lifecycle check kinds, each on its edge days, and phases on theirs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from relplan.domain.model import (
    Environment,
    Flag,
    Gate,
    Plan,
    Release,
    RolloutStep,
    Stage,
)
from relplan.planning.check import check_plan
from relplan.planning.lifecycle import phase_of, portfolio

D = dt.date(2026, 12, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


PROD = Stage("Production", day(8), day(9), "canary")
QA = Stage("QA", day(2), day(5))
RELEASE = Release(
    "PAY", "Payments", "T", start=D, target=day(9), stages=(QA, PROD),
    gates=(Gate("CAB", "Production"),), monitoring_days=7,
)  # fmt: skip
ENVS = (Environment("QA", 1, 9), Environment("Production", 2, 9, requires_approval=True))


def kinds(plan: Plan, today: dt.date, wanted: str) -> list[tuple[str, ...]]:
    return [p.subjects for p in check_plan(plan, today=today) if p.kind == wanted]


def plan_of(*releases: Release, flags: tuple[Flag, ...] = ()) -> Plan:
    return Plan(environments=ENVS, releases=releases, flags=flags)


def test_gate_missing_per_release_and_environment() -> None:
    plan = plan_of(replace(RELEASE, gates=()))
    assert kinds(plan, D, "gate_missing") == [("environment:Production", "release:PAY")]
    # A gate for another environment does not count; one for Production does.
    plan = plan_of(replace(RELEASE, gates=(Gate("QA ok", "QA"),)))
    assert kinds(plan, D, "gate_missing") == [("environment:Production", "release:PAY")]
    assert kinds(plan_of(RELEASE), D, "gate_missing") == []
    # QA does not require approval.
    no_prod = replace(RELEASE, stages=(QA,), gates=())
    assert kinds(plan_of(no_prod), D, "gate_missing") == []


@pytest.mark.parametrize("status", ["released", "cancelled"])
def test_released_and_cancelled_are_exempt(status: str) -> None:
    bad = replace(
        RELEASE, status=status, gates=(),
        stages=(replace(PROD, steps=(RolloutStep(day(20), 50),)),),
    )  # fmt: skip
    flag = Flag("f", "PAY", "Production", steps=(RolloutStep(D, 100),))
    problems = check_plan(plan_of(bad, flags=(flag,)), today=day(30))
    exempt = {"gate_missing", "gate_late", "rollout_invalid", "flag_before_release"}
    assert not exempt & {p.kind for p in problems}


def test_gate_late_from_the_stage_start_day() -> None:
    plan = plan_of(RELEASE)
    assert kinds(plan, day(7), "gate_late") == []
    assert kinds(plan, day(8), "gate_late") == [("environment:Production", "release:PAY")]
    approved = replace(RELEASE, gates=(Gate("CAB", "Production", status="approved"),))
    assert kinds(plan_of(approved), day(8), "gate_late") == []
    rejected = replace(RELEASE, gates=(Gate("CAB", "Production", status="rejected"),))
    assert kinds(plan_of(rejected), day(8), "gate_late") != []


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        (replace(PROD, steps=(RolloutStep(day(8), 5), RolloutStep(day(9), 100))), None),
        (replace(PROD, steps=(RolloutStep(day(7), 5), RolloutStep(day(9), 100))), "outside"),
        (replace(PROD, steps=(RolloutStep(day(8), 5), RolloutStep(day(10), 100))), "outside"),
        (replace(PROD, steps=(RolloutStep(day(8), 5), RolloutStep(day(9), 50))), "not 100"),
        (replace(PROD, steps=(RolloutStep(day(9), 5), RolloutStep(day(8), 100))), "not after"),
        (replace(PROD, steps=(RolloutStep(day(8), 50), RolloutStep(day(9), 50))), "not above"),
        (replace(PROD, strategy="blue_green", switch=day(9)), None),
        (replace(PROD, strategy="blue_green", switch=day(8)), None),
        (replace(PROD, strategy="blue_green", switch=day(10)), "switch"),
    ],
)
def test_rollout_invalid_edges(stage: Stage, words: str | None) -> None:
    plan = plan_of(replace(RELEASE, stages=(QA, stage)))
    found = [p for p in check_plan(plan, today=D) if p.kind == "rollout_invalid"]
    if words is None:
        assert found == []
    else:
        [problem] = found
        assert problem.subjects == ("release:PAY",)
        assert words in problem.message


def test_flag_before_release_edges() -> None:
    on_time = Flag("f", "PAY", "Production", steps=(RolloutStep(day(8), 10),))
    early = replace(on_time, steps=(RolloutStep(day(7), 10),))
    assert kinds(plan_of(RELEASE, flags=(on_time,)), D, "flag_before_release") == []
    assert kinds(plan_of(RELEASE, flags=(early,)), D, "flag_before_release") == [
        ("flag:f", "release:PAY")
    ]
    # Without a stage in the flag's environment, the release's target is the bound.
    staging = replace(on_time, environment="Staging", steps=(RolloutStep(day(9), 10),))
    assert kinds(plan_of(RELEASE, flags=(staging,)), D, "flag_before_release") == []
    staging = replace(staging, steps=(RolloutStep(day(8), 10),))
    assert kinds(plan_of(RELEASE, flags=(staging,)), D, "flag_before_release") != []


def test_flag_stale_after_thirty_days_below_full() -> None:
    half = Flag("f", "PAY", "Production", steps=(RolloutStep(day(8), 50),))
    target = RELEASE.target
    assert target is not None
    plan = plan_of(replace(RELEASE, status="released"), flags=(half,))
    assert kinds(plan, target + dt.timedelta(days=30), "flag_stale") == []
    [p] = [
        p for p in check_plan(plan, today=target + dt.timedelta(days=31)) if p.kind == "flag_stale"
    ]
    assert p.severity == "warning"
    assert p.subjects == ("flag:f", "release:PAY")
    full = replace(half, steps=(*half.steps, RolloutStep(day(12), 100)))
    assert kinds(plan_of(RELEASE, flags=(full,)), day(60), "flag_stale") == []


def test_phases_on_their_edge_days() -> None:
    assert str(phase_of(RELEASE, day(1))) == "planning"
    assert str(phase_of(RELEASE, day(2))) == "QA"
    assert str(phase_of(RELEASE, day(6))) == "QA"  # between windows: the stage that ran last
    assert str(phase_of(RELEASE, day(8))) == "Production"
    assert str(phase_of(RELEASE, day(9))) == "Production"
    assert str(phase_of(RELEASE, day(10))) == "monitoring"
    assert str(phase_of(RELEASE, day(16))) == "monitoring"
    assert str(phase_of(RELEASE, day(17))) == "done"
    assert str(phase_of(replace(RELEASE, monitoring_days=0), day(10))) == "done"
    assert str(phase_of(replace(RELEASE, status="cancelled"), day(2))) == "cancelled"
    assert str(phase_of(replace(RELEASE, target=None, start=None), D)) == "unscheduled"


def test_portfolio_orders_phases_by_lifecycle() -> None:
    late = replace(RELEASE, key="LATE", start=day(20), target=day(30), stages=(), gates=())
    plan = plan_of(RELEASE, late, replace(RELEASE, key="OLD", target=day(-30), start=day(-40)))
    groups = portfolio(plan, day(3))
    assert [(g.phase, g.releases) for g in groups] == [
        ("planning", ("LATE",)),
        ("QA", ("PAY",)),
        ("done", ("OLD",)),
    ]


def test_moving_a_release_moves_its_rollout_steps_and_switch() -> None:
    from relplan.edits.shift import shift_release

    stage = replace(PROD, steps=(RolloutStep(day(8), 5), RolloutStep(day(9), 100)), switch=day(9))
    moved = shift_release(replace(RELEASE, stages=(stage,)), 3)
    [after] = moved.stages
    assert [s.date for s in after.steps] == [day(11), day(12)]
    assert after.switch == day(12)
    assert kinds(plan_of(moved), D, "rollout_invalid") == []
