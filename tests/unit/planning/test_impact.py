"""``impact``: what moves when a release slips, and which problems appear."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.domain.model import Environment
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.check import Problem, check_plan
from relplan.planning.impact import (
    Impact,
    MovedRelease,
    apply_impact,
    impact_of_slip,
    problem_identity,
)

from .factories import chain_plan, day, dep, freeze, gate, plan, rel, stage


def test_slip_moves_successors_and_reports_new_problems(today: dt.date) -> None:
    impact = impact_of_slip(chain_plan(), "A", 4, today=today)
    assert impact.moved == (
        MovedRelease(
            "A", day("2026-11-02"), day("2026-11-06"), day("2026-11-06"), day("2026-11-10"), 4
        ),
        MovedRelease(
            "B", day("2026-11-09"), day("2026-11-13"), day("2026-11-11"), day("2026-11-15"), 2
        ),
        MovedRelease(
            "D", day("2026-11-09"), day("2026-12-08"), day("2026-11-11"), day("2026-12-10"), 2
        ),
    )
    assert impact.end_before == day("2026-12-08")
    assert impact.end_after == day("2026-12-10")
    # D now targets 12-10, inside the Audit freeze; D's old SS violation is resolved.
    assert impact.resolved_problems == (
        Problem(
            "dependency_violation",
            "error",
            ("release:B", "release:D"),
            "D starts 2026-11-01 but must start on or after 2026-11-09 "
            "(SS +0 days after B starts 2026-11-09): 8 days short",
        ),
    )
    assert impact.new_problems == (
        Problem(
            "freeze_conflict",
            "error",
            ("freeze:Audit", "release:D"),
            "D targets 2026-12-10, inside freeze Audit (2026-12-10..2026-12-12)",
        ),
    )
    assert impact.moved_releases() == [
        ("A", day("2026-11-06"), day("2026-11-10")),
        ("B", day("2026-11-11"), day("2026-11-15")),
        ("D", day("2026-11-11"), day("2026-12-10")),
    ]


def test_zero_slip_changes_nothing(today: dt.date) -> None:
    impact = impact_of_slip(chain_plan(), "A", 0, today=today)
    assert impact == Impact("A", 0, (), day("2026-12-08"), day("2026-12-08"), ())


def test_negative_slip_moves_earlier_only_as_far_as_allowed(today: dt.date) -> None:
    impact = impact_of_slip(chain_plan(), "A", -2, today=today)
    assert [(m.key, m.days) for m in impact.moved] == [("A", -2)]
    assert impact.new_problems == ()
    impact = impact_of_slip(chain_plan(), "B", -10, today=today)
    # B may not start before A ends: ES(B) = 11-07, so B and D move 2 days earlier.
    assert [(m.key, str(m.new_start), m.days) for m in impact.moved] == [
        ("B", "2026-11-07", -2),
        ("D", "2026-11-07", -2),
    ]
    # B and D sit at their new early dates in the plan with the slip: nothing is broken.
    assert impact.new_problems == ()


def test_absorbed_slip_moves_nothing(today: dt.date) -> None:
    impact = impact_of_slip(chain_plan(), "D", 5, today=today)  # D's ES is 8 days late already
    assert impact.moved == ()
    assert impact.end_after == impact.end_before
    # D's violation persists with new figures: the same problem, neither new nor resolved.
    assert impact.new_problems == ()
    assert impact.resolved_problems == ()


def test_a_problem_whose_figures_change_is_not_new(today: dt.date) -> None:
    # PAY-2027.03's case: a stage already overlaps the freeze; the slip only widens the overlap.
    p = plan(
        rel("PAY", "2026-11-02", "2026-11-20", stages=[stage("Prod", "2026-11-18", "2026-11-20")]),
        rel("WEB", "2026-11-23", "2026-11-27", stages=[stage("Prod", "2026-11-27", "2026-11-27")]),
        deps=[dep("PAY", "WEB")],
        freezes=[freeze("Audit", "2026-11-20", "2026-11-30")],
    )
    impact = impact_of_slip(p, "PAY", 2, today=today)
    assert impact.new_problems == ()
    assert impact.resolved_problems == ()
    after = check_plan(apply_impact(p, impact), today=today)
    pay = [x for x in after if "release:PAY" in x.subjects]
    assert [x.kind for x in pay] == ["freeze_conflict"]
    assert "overlaps 3 days" in pay[0].message  # it did change: 1 day before


def test_a_slip_earlier_lists_the_problems_it_resolves(today: dt.date) -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-10", stages=[stage("Prod", "2026-11-10", "2026-11-10")]),
        rel("B", "2026-11-09", "2026-11-13"),
        rel("C", "2026-11-20", "2026-11-22"),
        deps=[dep("A", "B")],
        freezes=[freeze("Audit", "2026-11-10", "2026-11-11")],
    )
    impact = impact_of_slip(p, "A", -3, today=today)
    assert [(x.kind, x.subjects) for x in impact.resolved_problems] == [
        ("dependency_violation", ("release:A", "release:B")),
        ("freeze_conflict", ("freeze:Audit", "release:A")),
    ]
    # With the messages of the plan as it is.
    assert impact.resolved_problems[0].message.endswith("2 days short")
    assert impact.new_problems == ()


def test_stage_windows_move_with_their_release(today: dt.date) -> None:
    p = plan(
        rel(
            "A",
            "2026-11-02",
            "2026-11-06",
            stages=[stage("Production", "2026-11-05", "2026-11-06")],
        ),
        rel(
            "B",
            "2026-11-09",
            "2026-11-13",
            stages=[stage("Production", "2026-11-12", "2026-11-13")],
        ),
        rel(
            "X",
            "2026-11-16",
            "2026-11-20",
            stages=[stage("Production", "2026-11-15", "2026-11-15")],
        ),
        deps=[dep("A", "B")],
        environments=[Environment("Production", 1, capacity=1)],
    )
    impact = impact_of_slip(p, "A", 5, today=today)
    assert [(m.key, m.days) for m in impact.moved] == [("A", 5), ("B", 3)]
    assert impact.new_problems == (
        Problem(
            "environment_conflict",
            "error",
            ("environment:Production", "release:B", "release:X"),
            "Production holds 2 releases' stage windows on 2026-11-15 but its capacity is 1: B, X",
        ),
    )
    after = apply_impact(p, impact)
    b = after.release("B")
    assert b is not None
    assert (str(b.start), str(b.target)) == ("2026-11-12", "2026-11-16")
    assert (str(b.stages[0].start), str(b.stages[0].end)) == ("2026-11-15", "2026-11-16")
    assert after.release("X") == p.release("X")


def test_gate_warning_appears_when_the_target_comes_near(today: dt.date) -> None:
    p = plan(rel("R", "2026-09-20", "2026-10-12", gates=[gate("CAB")]))
    impact = impact_of_slip(p, "R", -5, today=today)
    assert [p.kind for p in impact.new_problems] == ["gate_pending"]
    assert impact_of_slip(p, "R", 5, today=today).new_problems == ()


def test_new_problems_equal_the_difference_of_two_full_checks(today: dt.date) -> None:
    p = plan(
        rel(
            "A",
            "2026-11-02",
            "2026-11-06",
            stages=[stage("Production", "2026-11-06", "2026-11-06")],
        ),
        rel(
            "B",
            "2026-11-01",
            "2026-11-13",
            stages=[stage("Production", "2026-11-13", "2026-11-13")],
        ),
        rel(
            "C",
            "2026-11-14",
            "2026-11-16",
            stages=[stage("Production", "2026-11-15", "2026-11-15")],
        ),
        deps=[dep("A", "B", "FF", 0), dep("B", "C", "FS", 3)],
        freezes=[freeze("F", "2026-11-16", "2026-11-18")],
    )
    for slip in (-4, -1, 1, 3, 9):
        impact = impact_of_slip(p, "A", slip, today=today)
        before = check_plan(p, today=today)
        after = check_plan(apply_impact(p, impact), today=today)
        ids_before = {problem_identity(x) for x in before}
        ids_after = {problem_identity(x) for x in after}
        expected = [x for x in after if problem_identity(x) not in ids_before]
        assert list(impact.new_problems) == expected, slip
        gone = [x for x in before if problem_identity(x) not in ids_after]
        assert list(impact.resolved_problems) == gone, slip


def test_undated_and_cancelled_releases_move_nothing(today: dt.date) -> None:
    p = plan(
        rel("U"),
        rel("C", "2026-11-02", "2026-11-06", status="cancelled"),
        rel("B", "2026-11-09", "2026-11-13"),
        deps=[dep("C", "B"), dep("U", "B")],
    )
    for key in ("U", "C"):
        impact = impact_of_slip(p, key, 10, today=today)
        assert impact.moved == ()
        assert impact.new_problems == ()
        assert impact.end_before == impact.end_after == day("2026-11-13")
    assert impact_of_slip(plan(rel("U")), "U", 3, today=today).end_before is None


def test_unknown_release(today: dt.date) -> None:
    with pytest.raises(UnknownObjectError) as caught:
        impact_of_slip(chain_plan(), "NOPE", 1, today=today)
    assert (caught.value.kind, caught.value.key) == ("release", "NOPE")


def test_cycle_is_an_error(today: dt.date) -> None:
    p = plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-09", "2026-11-13"),
        deps=[dep("A", "B"), dep("B", "A")],
    )
    with pytest.raises(DependencyCycleError) as caught:
        impact_of_slip(p, "A", 1, today=today)
    assert caught.value.cycle == ["release:A", "release:B", "release:A"]


def test_impact_json_shape(today: dt.date) -> None:
    data = impact_of_slip(chain_plan(), "A", 4, today=today).to_json()
    assert list(data) == [
        "release",
        "slip",
        "moved",
        "end_before",
        "end_after",
        "new_problems",
        "resolved_problems",
    ]
    assert data["release"] == "A"
    assert data["slip"] == 4
    assert data["moved"][0] == {
        "key": "A",
        "start": "2026-11-02",
        "target": "2026-11-06",
        "new_start": "2026-11-06",
        "new_target": "2026-11-10",
        "days": 4,
    }
    assert (data["end_before"], data["end_after"]) == ("2026-12-08", "2026-12-10")
    assert data["new_problems"][0]["kind"] == "freeze_conflict"
    assert [x["kind"] for x in data["resolved_problems"]] == ["dependency_violation"]
    empty = impact_of_slip(plan(rel("U")), "U", 3, today=today).to_json()
    assert (empty["end_before"], empty["end_after"], empty["moved"]) == (None, None, [])
