"""``check``: every kind of problem, its subjects, wording and order."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from relplan.domain.model import Environment, Gate, Milestone, Plan, Release
from relplan.planning.check import Problem, check_plan, freeze_conflicts, sort_problems

from .factories import day, dep, freeze, gate, item, plan, rel, stage


def kinds(problems: list[Problem]) -> list[str]:
    return [p.kind for p in problems]


def test_a_clean_plan_has_no_problems(today: dt.date) -> None:
    assert check_plan(Plan(), today=today) == []
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-07", "2026-11-13"),
        deps=[dep("A", "B")],
    )
    assert check_plan(p, today=today) == []


# --- cycle --------------------------------------------------------------------------------------


def test_two_release_cycle(today: dt.date) -> None:
    p = plan(rel("A"), rel("B"), deps=[dep("B", "A"), dep("A", "B")])
    assert check_plan(p, today=today) == [
        Problem(
            "cycle",
            "error",
            ("release:A", "release:B"),
            "dependency cycle: release:A -> release:B -> release:A",
        )
    ]


def test_self_loop_is_a_cycle(today: dt.date) -> None:
    [problem] = check_plan(plan(rel("A"), deps=[dep("A", "A")]), today=today)
    assert problem.kind == "cycle"
    assert problem.subjects == ("release:A",)
    assert problem.message == "release:A depends on itself"


def test_item_cycle_inside_one_release(today: dt.date) -> None:
    p = plan(
        rel("A"),
        items=[item("A-1", "A"), item("A-2", "A")],
        deps=[dep("item:A-1", "item:A-2"), dep("item:A-2", "item:A-1")],
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("item:A-1", "item:A-2")
    assert problem.message == "dependency cycle: item:A-1 -> item:A-2 -> item:A-1"


def test_cycle_through_implied_edges_names_the_items(today: dt.date) -> None:
    p = plan(
        rel("A"),
        rel("B"),
        items=[item("A-1", "A"), item("A-2", "A"), item("B-1", "B"), item("B-2", "B")],
        deps=[dep("item:A-1", "item:B-1"), dep("item:B-2", "item:A-2")],
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("release:A", "release:B")
    assert problem.message == (
        "dependency cycle: release:A -> release:B -> release:A; "
        "release:A -> release:B is implied by item:A-1 -> item:B-1; "
        "release:B -> release:A is implied by item:B-2 -> item:A-2"
    )


def test_component_larger_than_the_named_cycle(today: dt.date) -> None:
    p = plan(
        rel("A"),
        rel("B"),
        rel("C"),
        rel("D"),
        deps=[dep("A", "B"), dep("B", "A"), dep("B", "C"), dep("C", "A"), dep("C", "D")],
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("release:A", "release:B", "release:C")
    assert problem.message == (
        "dependency cycle: release:A -> release:B -> release:A (3 nodes depend on each other)"
    )


def test_one_problem_per_component_and_cancelled_releases_count(today: dt.date) -> None:
    p = plan(
        rel("A", status="cancelled"),
        rel("B"),
        rel("C", "2026-11-02", "2026-11-06"),
        rel("D", "2026-11-02", "2026-11-06", status="released"),
        deps=[dep("A", "B"), dep("B", "A"), dep("C", "D"), dep("D", "C"), dep("B", "C")],
    )
    problems = check_plan(p, today=today)
    cycles = [pr.subjects for pr in problems if pr.kind == "cycle"]
    assert cycles == [("release:A", "release:B"), ("release:C", "release:D")]


def test_mixed_release_item_edges_take_part_in_cycles(today: dt.date) -> None:
    p = plan(
        rel("A"),
        items=[item("A-1", "A")],
        deps=[dep("A", "item:A-1"), dep("item:A-1", "A")],
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("item:A-1", "release:A")
    assert problem.message == "dependency cycle: item:A-1 -> release:A -> item:A-1"


# --- dependency_violation -----------------------------------------------------------------------

P_START, P_TARGET = "2026-11-02", "2026-11-30"


@pytest.mark.parametrize(
    ("type_", "lag", "s_start", "s_target", "message"),
    [
        ("FS", 0, "2026-12-01", "2026-12-05", None),
        (
            "FS",
            0,
            "2026-11-30",
            "2026-12-05",
            "S starts 2026-11-30 but must start on or after 2026-12-01 "
            "(FS +0 days after P ends 2026-11-30): 1 day short",
        ),
        ("FS", -2, "2026-11-29", "2026-12-05", None),
        (
            "FS",
            -2,
            "2026-11-27",
            "2026-12-05",
            "S starts 2026-11-27 but must start on or after 2026-11-29 "
            "(FS -2 days after P ends 2026-11-30): 2 days short",
        ),
        ("SS", 3, "2026-11-05", "2026-11-06", None),
        (
            "SS",
            3,
            "2026-11-04",
            "2026-11-06",
            "S starts 2026-11-04 but must start on or after 2026-11-05 "
            "(SS +3 days after P starts 2026-11-02): 1 day short",
        ),
        ("SS", -1, "2026-11-01", "2026-11-06", None),
        (
            "SS",
            -1,
            "2026-10-30",
            "2026-11-06",
            "S starts 2026-10-30 but must start on or after 2026-11-01 "
            "(SS -1 day after P starts 2026-11-02): 2 days short",
        ),
        ("FF", 2, "2026-11-01", "2026-12-02", None),
        (
            "FF",
            2,
            "2026-11-01",
            "2026-11-30",
            "S ends 2026-11-30 but must end on or after 2026-12-02 "
            "(FF +2 days after P ends 2026-11-30): 2 days short",
        ),
        ("FF", -5, "2026-11-01", "2026-11-25", None),
        (
            "FF",
            -5,
            "2026-11-01",
            "2026-11-24",
            "S ends 2026-11-24 but must end on or after 2026-11-25 "
            "(FF -5 days after P ends 2026-11-30): 1 day short",
        ),
        ("SF", 0, "2026-10-20", "2026-11-01", None),
        (
            "SF",
            0,
            "2026-10-20",
            "2026-10-31",
            "S ends 2026-10-31 but must end on or after 2026-11-01 "
            "(SF +0 days after P starts 2026-11-02): 1 day short",
        ),
        ("SF", 4, "2026-10-20", "2026-11-05", None),
        (
            "SF",
            4,
            "2026-10-20",
            "2026-11-03",
            "S ends 2026-11-03 but must end on or after 2026-11-05 "
            "(SF +4 days after P starts 2026-11-02): 2 days short",
        ),
        ("SF", -3, "2026-10-20", "2026-10-29", None),
        (
            "SF",
            -3,
            "2026-10-20",
            "2026-10-28",
            "S ends 2026-10-28 but must end on or after 2026-10-29 "
            "(SF -3 days after P starts 2026-11-02): 1 day short",
        ),
    ],
)
def test_dependency_constraints(
    today: dt.date, type_: str, lag: int, s_start: str, s_target: str, message: str | None
) -> None:
    p = plan(
        rel("P", P_START, P_TARGET),
        rel("S", s_start, s_target),
        deps=[dep("P", "S", type_, lag)],
    )
    expected = (
        [Problem("dependency_violation", "error", ("release:P", "release:S"), message)]
        if message is not None
        else []
    )
    assert check_plan(p, today=today) == expected


def test_message_of_the_spec_example(today: dt.date) -> None:
    p = plan(
        rel("PAY-2026.12", "2026-11-02", "2026-11-30"),
        rel("WEB-2026.12", "2026-11-28", "2026-12-20"),
        deps=[dep("PAY-2026.12", "WEB-2026.12", "FS", 1)],
    )
    [problem] = check_plan(p, today=today)
    assert problem.message == (
        "WEB-2026.12 starts 2026-11-28 but must start on or after 2026-12-02 "
        "(FS +1 day after PAY-2026.12 ends 2026-11-30): 4 days short"
    )


def test_subjects_are_sorted_whatever_the_direction(today: dt.date) -> None:
    p = plan(
        rel("Z", "2026-11-02", "2026-11-30"),
        rel("A", "2026-11-02", "2026-11-30"),
        deps=[dep("Z", "A")],
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("release:A", "release:Z")
    assert problem.message.startswith("A starts 2026-11-02")


def test_implied_edge_violation_names_the_items(today: dt.date) -> None:
    p = plan(
        rel("PAY", "2026-11-02", "2026-11-30"),
        rel("WEB", "2026-11-02", "2026-11-28"),
        items=[item("A-1", "PAY"), item("A-2", "PAY"), item("W-1", "WEB")],
        deps=[dep("item:A-2", "item:W-1"), dep("item:A-1", "item:W-1")],
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("release:PAY", "release:WEB")
    assert problem.message == (
        "WEB ends 2026-11-28 but must end on or after 2026-11-30 (FF +0 days after PAY ends "
        "2026-11-30, implied by item:A-1 -> item:W-1 and 1 more): 2 days short"
    )


def test_explicit_edge_replaces_the_implied_check(today: dt.date) -> None:
    p = plan(
        rel("PAY", "2026-11-02", "2026-11-30"),
        rel("WEB", "2026-11-02", "2026-11-28"),
        items=[item("A-1", "PAY"), item("W-1", "WEB")],
        deps=[dep("item:A-1", "item:W-1"), dep("PAY", "WEB", "SS", 0)],
    )
    assert check_plan(p, today=today) == []


def test_undated_and_cancelled_ends_are_not_checked(today: dt.date) -> None:
    p = plan(
        rel("P", "2026-11-02", "2026-11-30"),
        rel("U"),
        rel("C", "2026-11-01", "2026-11-02", status="cancelled"),
        rel("R", "2026-11-01", "2026-11-02", status="released"),
        deps=[dep("P", "U"), dep("P", "C"), dep("P", "R")],
    )
    assert [pr.subjects for pr in check_plan(p, today=today)] == [("release:P", "release:R")]


# --- freeze_conflict ----------------------------------------------------------------------------

HOLIDAY = freeze("Holiday freeze", "2026-12-19", "2027-01-04", environments=["Production"])


def test_stage_window_overlapping_a_freeze(today: dt.date) -> None:
    p = plan(
        rel(
            "R",
            "2026-12-01",
            "2026-12-20",
            stages=[stage("Production", "2026-12-18", "2026-12-20")],
        ),
        freezes=[HOLIDAY],
    )
    assert check_plan(p, today=today) == [
        Problem(
            "freeze_conflict",
            "error",
            ("freeze:Holiday freeze", "release:R"),
            "R has a stage window in freeze Holiday freeze (2026-12-19..2027-01-04): "
            "Production 2026-12-18..2026-12-20 overlaps 2 days",
        )
    ]


def test_several_stage_windows_make_one_problem_per_freeze(today: dt.date) -> None:
    everywhere = freeze("Year end", "2026-12-18", "2026-12-31")
    p = plan(
        rel(
            "R",
            "2026-12-01",
            "2026-12-20",
            stages=[
                stage("Test", "2026-12-10", "2026-12-12"),
                stage("Staging", "2026-12-17", "2026-12-18"),
                stage("Production", "2026-12-19", "2026-12-19"),
            ],
        ),
        freezes=[HOLIDAY, everywhere],
    )
    problems = check_plan(p, today=today)
    assert [pr.subjects for pr in problems] == [
        ("freeze:Holiday freeze", "release:R"),
        ("freeze:Year end", "release:R"),
    ]
    assert problems[1].message == (
        "R has stage windows in freeze Year end (2026-12-18..2026-12-31): "
        "Staging 2026-12-17..2026-12-18 overlaps 1 day; Production 2026-12-19 overlaps 1 day"
    )


@pytest.mark.parametrize(
    ("env", "team", "window"),
    [
        ("Staging", "PAY", ("2026-12-19", "2026-12-20")),  # environment out of scope
        ("Production", "WEB", ("2026-12-19", "2026-12-20")),  # team out of scope
        ("Production", "PAY", ("2026-12-15", "2026-12-18")),  # ends the day before
        ("Production", "PAY", ("2027-01-05", "2027-01-06")),  # starts the day after
    ],
)
def test_stage_windows_that_do_not_conflict(
    today: dt.date, env: str, team: str, window: tuple[str, str]
) -> None:
    scoped = freeze(
        "Holiday freeze", "2026-12-19", "2027-01-04", environments=["Production"], teams=["PAY"]
    )
    p = plan(
        rel("R", "2026-12-01", "2027-01-10", team=team, stages=[stage(env, *window)]),
        freezes=[scoped],
    )
    assert check_plan(p, today=today) == []


def test_one_day_overlap_at_the_edge_conflicts(today: dt.date) -> None:
    p = plan(
        rel(
            "R",
            "2026-12-01",
            "2026-12-20",
            stages=[stage("Production", "2026-12-10", "2026-12-19")],
        ),
        freezes=[HOLIDAY],
    )
    [problem] = check_plan(p, today=today)
    assert problem.message.endswith("Production 2026-12-10..2026-12-19 overlaps 1 day")


def test_release_without_stages_conflicts_by_its_target(today: dt.date) -> None:
    p = plan(
        rel("IN", "2026-12-01", "2026-12-20"),
        rel("BEFORE", "2026-12-01", "2026-12-18"),
        rel("OTHER-TEAM", "2026-12-01", "2026-12-20", team="WEB"),
        freezes=[
            freeze(
                "Holiday freeze",
                "2026-12-19",
                "2027-01-04",
                environments=["Production"],
                teams=["T"],
            )
        ],
    )
    assert check_plan(p, today=today) == [
        Problem(
            "freeze_conflict",
            "error",
            ("freeze:Holiday freeze", "release:IN"),
            "IN targets 2026-12-20, inside freeze Holiday freeze (2026-12-19..2027-01-04)",
        )
    ]


def test_freeze_checks_released_but_not_cancelled_or_undated(today: dt.date) -> None:
    window = [stage("Production", "2026-12-19", "2026-12-19")]
    p = plan(
        rel("REL", "2026-12-01", "2026-12-19", status="released", stages=window),
        rel("CAN", "2026-12-01", "2026-12-19", status="cancelled", stages=window),
        rel("UND", stages=window),
        freezes=[HOLIDAY],
    )
    assert [pr.subjects for pr in check_plan(p, today=today)] == [
        ("freeze:Holiday freeze", "release:REL")
    ]


# --- environment_conflict -----------------------------------------------------------------------

PROD = Environment("Production", 4, capacity=1)


def env_release(
    key: str, *windows: tuple[str, str], env: str = "Production", status: str = "planned"
) -> Release:
    return rel(
        key,
        "2026-11-01",
        "2026-12-31",
        status=status,
        stages=[stage(env, first, last) for first, last in windows],
    )


def test_two_releases_in_a_capacity_one_environment(today: dt.date) -> None:
    p = plan(
        env_release("A", ("2026-12-01", "2026-12-03")),
        env_release("B", ("2026-12-02", "2026-12-05")),
        environments=[PROD],
    )
    assert check_plan(p, today=today) == [
        Problem(
            "environment_conflict",
            "error",
            ("environment:Production", "release:A", "release:B"),
            "Production holds 2 releases' stage windows on 2026-12-02..2026-12-03 but its "
            "capacity is 1: A, B",
        )
    ]


def test_one_problem_per_run_and_set_of_releases(today: dt.date) -> None:
    releases = (
        env_release("A", ("2026-12-01", "2026-12-05")),
        env_release("B", ("2026-12-03", "2026-12-04")),
        env_release("C", ("2026-12-04", "2026-12-06")),
    )
    problems = check_plan(plan(*releases, environments=[PROD]), today=today)
    assert [(pr.subjects[1:], pr.message.split(" on ")[1].split(" but")[0]) for pr in problems] == [
        (("release:A", "release:B"), "2026-12-03"),
        (("release:A", "release:B", "release:C"), "2026-12-04"),
        (("release:A", "release:C"), "2026-12-05"),
    ]
    wider = Environment("Production", 4, capacity=2)
    [problem] = check_plan(plan(*releases, environments=[wider]), today=today)
    assert problem.message == (
        "Production holds 3 releases' stage windows on 2026-12-04 but its capacity is 2: A, B, C"
    )


def test_runs_merge_across_window_boundaries_and_split_on_gaps(today: dt.date) -> None:
    p = plan(
        env_release(
            "A",
            ("2026-12-01", "2026-12-02"),
            ("2026-12-03", "2026-12-04"),
            ("2026-12-10", "2026-12-10"),
        ),
        env_release("B", ("2026-12-01", "2026-12-10")),
        environments=[PROD],
    )
    problems = check_plan(p, today=today)
    assert [pr.message.split(" on ")[1].split(" but")[0] for pr in problems] == [
        "2026-12-01..2026-12-04",
        "2026-12-10",
    ]


def test_a_release_overlapping_itself_is_no_conflict(today: dt.date) -> None:
    p = plan(
        env_release("A", ("2026-12-01", "2026-12-05"), ("2026-12-03", "2026-12-04")),
        environments=[PROD],
    )
    assert check_plan(p, today=today) == []


def test_unknown_environment_has_capacity_one_and_cancelled_take_no_part(today: dt.date) -> None:
    p = plan(
        env_release("A", ("2026-12-01", "2026-12-01"), env="Lab"),
        env_release("B", ("2026-12-01", "2026-12-01"), env="Lab"),
        env_release("C", ("2026-12-01", "2026-12-01"), env="Lab", status="cancelled"),
    )
    [problem] = check_plan(p, today=today)
    assert problem.subjects == ("environment:Lab", "release:A", "release:B")


# --- gate_pending -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "status", "gates", "when"),
    [
        ("2026-10-08", "planned", [gate("CAB")], "in 7 days"),
        ("2026-10-09", "planned", [gate("CAB")], None),
        ("2026-10-02", "in_progress", [gate("CAB")], "in 1 day"),
        ("2026-10-01", "planned", [gate("CAB")], "today"),
        ("2026-09-28", "planned", [gate("CAB")], "3 days ago"),
        ("2026-09-28", "released", [gate("CAB")], None),
        ("2026-10-05", "planned", [gate("CAB", "approved")], None),
        ("2026-10-05", "planned", [], None),
    ],
)
def test_gate_pending(
    today: dt.date,
    target: str,
    status: str,
    gates: list[Gate],
    when: str | None,
) -> None:
    p = plan(rel("R", "2026-09-01", target, status=status, gates=gates))
    expected = (
        [
            Problem(
                "gate_pending",
                "warning",
                ("release:R",),
                f"R targets {target} ({when}) with gates not approved: CAB (pending)",
            )
        ]
        if when is not None
        else []
    )
    # A released release with open gates is the other kind's business (tested below).
    assert [x for x in check_plan(p, today=today) if x.kind == "gate_pending"] == expected


def test_gate_pending_lists_every_open_gate(today: dt.date) -> None:
    gates = [gate("CAB", "approved"), gate("Security", "rejected"), gate("QA")]
    [problem] = check_plan(plan(rel("R", "2026-09-01", "2026-10-03", gates=gates)), today=today)
    assert problem.message == (
        "R targets 2026-10-03 (in 2 days) with gates not approved: "
        "Security (rejected), QA (pending)"
    )


def test_gate_pending_skips_cancelled_and_undated(today: dt.date) -> None:
    p = plan(
        rel("C", "2026-09-01", "2026-10-03", status="cancelled", gates=[gate("CAB")]),
        rel("U", gates=[gate("CAB")]),
    )
    assert check_plan(p, today=today) == []


# --- order and JSON -----------------------------------------------------------------------------


def test_problems_are_sorted_by_severity_kind_subjects(today: dt.date) -> None:
    p = plan(
        rel("A", "2026-09-01", "2026-10-03", gates=[gate("CAB")]),
        rel(
            "B",
            "2026-09-01",
            "2026-10-03",
            stages=[stage("Production", "2026-10-01", "2026-10-03")],
        ),
        rel(
            "C",
            "2026-09-01",
            "2026-10-03",
            stages=[stage("Production", "2026-10-02", "2026-10-02")],
        ),
        rel("D"),
        rel("E"),
        deps=[dep("B", "A"), dep("E", "D"), dep("D", "E")],
        freezes=[freeze("F", "2026-10-03", "2026-10-04")],
        environments=[PROD],
    )
    problems = check_plan(p, today=today)
    assert [(pr.severity, pr.kind, pr.subjects) for pr in problems] == [
        ("error", "cycle", ("release:D", "release:E")),
        ("error", "dependency_violation", ("release:A", "release:B")),
        ("error", "environment_conflict", ("environment:Production", "release:B", "release:C")),
        ("error", "freeze_conflict", ("freeze:F", "release:A")),
        ("error", "freeze_conflict", ("freeze:F", "release:B")),
        ("warning", "gate_pending", ("release:A",)),
    ]
    assert sort_problems(reversed(problems)) == problems


def test_problem_json_shape() -> None:
    problem = Problem("cycle", "error", ("release:A", "release:B"), "m")
    assert problem.to_json() == {
        "kind": "cycle",
        "severity": "error",
        "subjects": ["release:A", "release:B"],
        "message": "m",
    }


def test_long_cycles_are_abbreviated_in_the_message(today: dt.date) -> None:
    keys = [f"K{n:02d}" for n in range(15)]
    p = plan(
        *(rel(k) for k in keys),
        items=[item(f"{k}-1", k) for k in keys],
        deps=[
            *(dep(a, b) for a, b in itertools.pairwise(keys[1:])),
            dep("K14", "K00"),
            dep("item:K00-1", "item:K01-1"),
        ],
    )
    [problem] = check_plan(p, today=today)
    assert len(problem.subjects) == 15
    assert problem.message == (
        "dependency cycle of 15 nodes: release:K00 -> release:K01 -> release:K02 -> "
        "release:K03 -> release:K04 -> release:K05 -> release:K06 -> release:K07 -> "
        "release:K08 -> release:K09 -> release:K10 -> release:K11 -> ... -> release:K00; "
        "release:K00 -> release:K01 is implied by item:K00-1 -> item:K01-1"
    )


def test_node_between_two_cycles_is_in_neither(today: dt.date) -> None:
    p = plan(
        rel("A"),
        rel("B"),
        rel("X"),
        rel("C"),
        rel("D"),
        deps=[
            *(dep("A", "B"), dep("B", "A"), dep("B", "X")),
            *(dep("X", "C"), dep("C", "D"), dep("D", "C")),
        ],
    )
    assert [pr.subjects for pr in check_plan(p, today=today)] == [
        ("release:A", "release:B"),
        ("release:C", "release:D"),
    ]


def test_freeze_check_skips_releases_without_a_target() -> None:
    assert freeze_conflicts([rel("U")], [HOLIDAY]) == []
    assert freeze_conflicts([rel("R", "2026-12-01", "2026-12-20")], []) == []


# --- stage_outside_release, released_with_open_gates (amended 2026-12-04) -----------------------


def test_a_stage_or_milestone_outside_the_release_is_one_warning_naming_the_first(
    today: dt.date,
) -> None:
    inside = rel("A", "2026-11-02", "2026-11-30", stages=[stage("Dev", "2026-11-02", "2026-11-30")])
    late = rel(
        "B",
        "2026-11-02",
        "2026-11-30",
        stages=[stage("QA", "2026-11-10", "2026-11-20"), stage("Prod", "2026-11-29", "2026-12-02")],
    )
    early_milestone = replace(
        rel("C", "2026-11-02", "2026-11-30"),
        milestones=(
            Milestone("Kick-off", dt.date(2026, 11, 1)),
            Milestone("Late", day("2026-12-09")),
        ),
    )
    problems = check_plan(plan(inside, late, early_milestone), today=today)
    assert problems == [
        Problem(
            "stage_outside_release",
            "warning",
            ("release:B",),
            "B's stage Prod (2026-11-29..2026-12-02) lies outside the release "
            "(2026-11-02..2026-11-30)",
        ),
        Problem(
            "stage_outside_release",
            "warning",
            ("release:C",),
            "C's milestone Kick-off (2026-11-01) lies outside the release "
            "(2026-11-02..2026-11-30) (and 1 more)",
        ),
    ]


def test_cancelled_and_undated_releases_have_no_stage_outside(today: dt.date) -> None:
    window = [stage("QA", "2026-12-10", "2026-12-12")]
    p = plan(
        rel("A", "2026-11-02", "2026-11-30", status="cancelled", stages=window),
        rel("B", None, "2026-11-30", stages=window),
    )
    assert "stage_outside_release" not in kinds(check_plan(p, today=today))


def test_a_released_release_with_open_gates_is_one_warning(today: dt.date) -> None:
    gates = [gate("CAB"), gate("QA", "rejected"), gate("Sec", "approved")]
    p = plan(
        rel("A", status="released", gates=gates),
        rel("B", status="released", gates=[gate("CAB", "approved")]),
        rel("C", status="planned", gates=[gate("CAB")]),
    )
    assert check_plan(p, today=today) == [
        Problem(
            "released_with_open_gates",
            "warning",
            ("release:A",),
            "A is released with gates not approved: CAB (pending), QA (rejected)",
        )
    ]
