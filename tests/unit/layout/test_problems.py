"""Which problems the window's filter keeps, and which release a problem opens."""

from __future__ import annotations

import datetime as dt

from relplan.domain.model import Dependency, Plan, Release, WorkItem
from relplan.layout.graph import ViewFilter
from relplan.layout.problems import ProblemScope
from relplan.planning.check import Problem, check_plan

DAY = dt.date(2026, 11, 2)


def _rel(key: str, team: str, start: int, end: int, train: str | None = None) -> Release:
    return Release(
        key,
        key,
        team,
        train,
        DAY + dt.timedelta(days=start),
        DAY + dt.timedelta(days=end),
    )


def _plan(*deps: Dependency) -> Plan:
    return Plan(
        releases=(
            _rel("A", "PAY", 0, 9, "Q4"),
            _rel("B", "WEB", 5, 12),
            _rel("C", "WEB", 20, 25, "Q4"),
        ),
        work_items=(
            WorkItem("A-1", "a", release="A"),
            WorkItem("B-1", "b", release="B"),
            WorkItem("LOOSE", "x", team="OPS"),
        ),
        dependencies=deps,
    )


def test_the_filter_keeps_problems_naming_one_of_its_releases_or_items() -> None:
    scope = ProblemScope(_plan())
    about_a = Problem("gate_pending", "warning", ("release:A",), "m")
    about_b_item = Problem("cycle", "error", ("item:B-1", "item:LOOSE"), "m")
    loose = Problem("cycle", "error", ("item:LOOSE",), "m")
    env = Problem("environment_conflict", "error", ("environment:Prod",), "m")
    problems = [about_a, about_b_item, loose, env]
    assert scope.shown(problems, ViewFilter()) == problems
    assert scope.shown(problems, ViewFilter(frozenset({"PAY"}))) == [about_a]
    assert scope.shown(problems, ViewFilter(frozenset({"WEB"}))) == [about_b_item]
    assert scope.shown(problems, ViewFilter(frozenset({"OPS"}))) == [about_b_item, loose]
    assert scope.shown(problems, ViewFilter(train="Q4")) == [about_a]
    assert scope.shown(problems, ViewFilter(frozenset({"WEB"}), "Q4")) == []
    # The environment part of the filter is not the panel's business.
    assert scope.shown(problems, ViewFilter(environment="Prod")) == problems


def test_a_dependency_violation_opens_its_successor() -> None:
    # B starts on day 5, but A (ends day 9) must finish first: B breaks the rule.
    plan = _plan(Dependency("release:A", "release:B"))
    [problem] = check_plan(plan, today=DAY)
    assert problem.subjects == ("release:A", "release:B")
    assert ProblemScope(plan).focus(problem) == "B"
    # The other way round, A is the successor although it sorts first.
    plan = _plan(Dependency("release:C", "release:A"))
    [problem] = check_plan(plan, today=DAY)
    assert ProblemScope(plan).focus(problem) == "A"


def test_an_implied_edge_and_edges_both_ways() -> None:
    implied = _plan(Dependency("item:B-1", "item:A-1"))  # implies B -> A, finish to finish
    [problem] = check_plan(implied, today=DAY)
    assert ProblemScope(implied).focus(problem) == "A"
    # A cycle: both edges exist; only A -> B (FS) is broken by the dates.
    both = _plan(Dependency("release:A", "release:B"), Dependency("release:B", "release:A", "SS"))
    violation = next(p for p in check_plan(both, today=DAY) if p.kind == "dependency_violation")
    assert ProblemScope(both).focus(violation) == "B"


def test_other_problems_open_their_first_release_or_none() -> None:
    scope = ProblemScope(_plan())
    subjects = ("freeze:F", "release:C")
    assert scope.focus(Problem("freeze_conflict", "error", subjects, "m")) == "C"
    assert scope.focus(Problem("cycle", "error", ("item:A-1", "item:B-1"), "m")) is None
