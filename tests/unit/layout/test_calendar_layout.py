"""The calendar layout: periods, filters, lanes, bars, freeze bands and problems on days."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
from dataclasses import replace

import pytest

from relplan.domain.model import (
    Dependency,
    Environment,
    Freeze,
    Milestone,
    Plan,
    Release,
    WorkItem,
)
from relplan.layout.calendar import (
    CalendarFilter,
    layout_calendar,
    locate_release,
    release_runs,
)
from relplan.layout.calendar_periods import (
    grid_bounds,
    period_bounds,
    period_title,
    shift_period,
)
from relplan.layout.calendar_problems import problem_days
from relplan.planning.check import check_plan
from tests.unit.planning.factories import day, gate, rel, stage

TODAY = dt.date(2026, 6, 1)
ENVS = (Environment("Dev", 1, 9), Environment("Staging", 2, 1), Environment("Production", 3, 1))


def d(text: str) -> dt.date:
    return day(text)


def plan(*releases: Release, **kwargs: object) -> Plan:
    return Plan(timezone="Europe/Berlin", environments=ENVS, releases=releases, **kwargs)  # type: ignore[arg-type]


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "given", "first", "last"),
    [
        ("week", "2026-06-03", "2026-06-01", "2026-06-07"),
        ("week", "2026-06-07", "2026-06-01", "2026-06-07"),
        ("month", "2026-02-14", "2026-02-01", "2026-02-28"),
        ("month", "2028-02-14", "2028-02-01", "2028-02-29"),
        ("quarter", "2026-11-30", "2026-10-01", "2026-12-31"),
        ("quarter", "2026-01-01", "2026-01-01", "2026-03-31"),
    ],
)
def test_period_bounds(kind: str, given: str, first: str, last: str) -> None:
    assert period_bounds(kind, d(given)) == (d(first), d(last))  # type: ignore[arg-type]


def test_weeks_may_start_on_sunday() -> None:
    assert period_bounds("week", d("2026-06-03"), week_start=6) == (
        d("2026-05-31"),
        d("2026-06-06"),
    )
    assert grid_bounds(d("2026-06-01"), d("2026-06-30"), week_start=6) == (
        d("2026-05-31"),
        d("2026-07-04"),
    )


@pytest.mark.parametrize(
    ("kind", "given", "steps", "expected"),
    [
        ("month", "2026-12-15", 1, "2027-01-01"),
        ("month", "2026-01-31", -1, "2025-12-01"),
        ("quarter", "2026-11-01", 1, "2027-01-01"),
        ("quarter", "2026-01-01", -5, "2024-10-01"),
        ("week", "2026-06-03", 2, "2026-06-15"),
    ],
)
def test_shift_period(kind: str, given: str, steps: int, expected: str) -> None:
    assert shift_period(kind, d(given), steps) == d(expected)  # type: ignore[arg-type]


def test_grid_covers_whole_weeks() -> None:
    first, last = grid_bounds(d("2026-02-01"), d("2026-02-28"))
    assert first.weekday() == 0
    assert last.weekday() == 6
    assert (first, last) == (d("2026-01-26"), d("2026-03-01"))


def test_period_titles() -> None:
    assert period_title("month", d("2026-12-24")) == "December 2026"
    assert period_title("quarter", d("2026-12-24")) == "Q4 2026 · October – December"
    assert period_title("week", d("2026-06-29")) == "Week 27 · 29 Jun – 5 Jul 2026"


def test_unknown_period_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="period kind"):
        period_bounds("year", TODAY)  # type: ignore[arg-type]


# --- runs and filters --------------------------------------------------------------------------


def test_runs_of_a_release() -> None:
    assert release_runs(rel("A", "2026-06-03", "2026-06-09")) == [
        (d("2026-06-03"), d("2026-06-09"))
    ]
    assert release_runs(rel("A", None, "2026-06-09")) == [(d("2026-06-09"), d("2026-06-09"))]
    assert release_runs(rel("A", "2026-06-09", None)) == [(d("2026-06-09"), d("2026-06-09"))]
    assert release_runs(rel("A")) == []


def test_runs_in_an_environment_merge_adjacent_windows() -> None:
    release = rel(
        "A",
        "2026-06-01",
        "2026-06-30",
        stages=[
            stage("Production", "2026-06-20", "2026-06-21"),
            stage("Production", "2026-06-10", "2026-06-11"),
            stage("Production", "2026-06-12", "2026-06-12"),
            stage("Staging", "2026-06-05", "2026-06-09"),
        ],
    )
    assert release_runs(release, environment="Production") == [
        (d("2026-06-10"), d("2026-06-12")),
        (d("2026-06-20"), d("2026-06-21")),
    ]
    assert locate_release(release, CalendarFilter(environment="Staging")) == d("2026-06-05")
    assert locate_release(rel("B")) is None


def test_filter_admits_by_team_train_and_environment() -> None:
    release = rel(
        "A", team="PAY", train="Q3", stages=[stage("Staging", "2026-06-01", "2026-06-02")]
    )
    assert CalendarFilter().admits(release)
    assert not CalendarFilter().active
    assert CalendarFilter(teams=frozenset({"PAY", "WEB"})).admits(release)
    assert not CalendarFilter(teams=frozenset({"WEB"})).admits(release)
    assert not CalendarFilter(train="Q4").admits(release)
    assert CalendarFilter(environment="Staging").admits(release)
    assert not CalendarFilter(environment="Production").admits(release)


def test_filter_admits_freezes_whose_scope_touches_it() -> None:
    scoped = Freeze("F", TODAY, TODAY, environments=("Production",), teams=("PAY",))
    everywhere = Freeze("All", TODAY, TODAY)
    assert CalendarFilter(teams=frozenset({"PAY"})).admits_freeze(scoped)
    assert not CalendarFilter(teams=frozenset({"WEB"})).admits_freeze(scoped)
    assert CalendarFilter(teams=frozenset({"WEB"})).admits_freeze(everywhere)
    assert not CalendarFilter(environment="Staging").admits_freeze(scoped)
    assert CalendarFilter(environment="Production").admits_freeze(scoped)


# --- the layout --------------------------------------------------------------------------------


def test_month_grid_and_days() -> None:
    cal = layout_calendar(plan(), day=d("2026-06-17"), today=TODAY)
    assert cal.title == "June 2026"
    assert (cal.first, cal.last) == (d("2026-06-01"), d("2026-06-30"))
    assert (cal.grid_first, cal.grid_last) == (d("2026-06-01"), d("2026-07-05"))
    assert len(cal.weeks) == 5
    assert all(len(w.days) == 7 for w in cal.weeks)
    assert [w.number for w in cal.weeks] == [23, 24, 25, 26, 27]
    today = cal.day(TODAY)
    assert today is not None
    assert today.is_today
    assert today.in_period
    july = cal.day(d("2026-07-01"))
    assert july is not None
    assert not july.in_period
    assert cal.day(d("2026-07-06")) is None
    assert cal.position(d("2026-06-10")) == (1, 2)
    assert cal.day(d("2026-06-13")).weekend  # type: ignore[union-attr]


def test_quarter_and_week_grids() -> None:
    quarter = layout_calendar(plan(), day=d("2026-05-05"), today=TODAY, kind="quarter")
    assert (quarter.first, quarter.last) == (d("2026-04-01"), d("2026-06-30"))
    assert len(quarter.weeks) == 14
    week = layout_calendar(plan(), day=d("2026-06-10"), today=TODAY, kind="week")
    assert len(week.weeks) == 1
    assert week.title.startswith("Week 24")


def test_releases_get_lanes_that_hold_across_a_row() -> None:
    cal = layout_calendar(
        plan(
            rel("LONG", "2026-05-01", "2026-07-31"),
            rel("A", "2026-06-02", "2026-06-04"),
            rel("B", "2026-06-03", "2026-06-05"),
            rel("C", "2026-06-05", "2026-06-06"),
        ),
        day=TODAY,
        today=TODAY,
    )
    lanes = {e.key: e.lane for e in cal.day(d("2026-06-03")).entries}  # type: ignore[union-attr]
    assert lanes == {"LONG": 0, "A": 1, "B": 2}
    # C starts after A ended, so it takes A's lane.
    assert {e.key: e.lane for e in cal.day(d("2026-06-05")).entries} == {  # type: ignore[union-attr]
        "LONG": 0,
        "B": 2,
        "C": 1,
    }
    first_week = cal.weeks[0]
    assert first_week.lanes == 3
    assert {s.key: (s.first_col, s.last_col, s.starts, s.ends) for s in first_week.segments} == {
        "LONG": (0, 6, False, False),
        "A": (1, 3, True, True),
        "B": (2, 4, True, True),
        "C": (4, 5, True, True),
    }
    assert cal.days_of("A") == [d("2026-06-02"), d("2026-06-03"), d("2026-06-04")]
    assert cal.keys_on(d("2026-06-08")) == ["LONG"]
    assert sorted(cal.releases) == ["A", "B", "C", "LONG"]


def test_a_bar_that_crosses_weeks_continues_in_the_next_row() -> None:
    cal = layout_calendar(plan(rel("A", "2026-06-05", "2026-06-09")), day=TODAY, today=TODAY)
    first, second = cal.weeks[0].segments[0], cal.weeks[1].segments[0]
    assert (first.first_col, first.last_col, first.starts, first.ends) == (4, 6, True, False)
    assert (second.first_col, second.last_col, second.starts, second.ends) == (0, 1, False, True)
    entry = cal.day(d("2026-06-08")).entries[0]  # type: ignore[union-attr]
    assert entry.segment_start
    assert not entry.run_start
    assert not entry.segment_end


def test_days_carry_stage_environment_milestones_and_gates() -> None:
    release = replace(
        rel(
            "A",
            "2026-06-01",
            "2026-06-10",
            stages=[
                stage("Dev", "2026-06-01", "2026-06-08"),
                stage("Staging", "2026-06-08", "2026-06-09"),
                stage("Production", "2026-06-10", "2026-06-10"),
            ],
            gates=[gate("CAB"), gate("QA", "approved")],
        ),
        milestones=(Milestone("Code freeze", d("2026-06-05")),),
    )
    cal = layout_calendar(plan(release), day=TODAY, today=TODAY)

    def entry(text: str):  # type: ignore[no-untyped-def]
        return cal.day(d(text)).entries[0]  # type: ignore[union-attr]

    assert entry("2026-06-02").environment == "Dev"
    assert entry("2026-06-08").environment == "Staging"  # the one nearest production wins
    assert entry("2026-06-10").environment == "Production"
    assert entry("2026-06-05").milestones == ("Code freeze",)
    assert [g.name for g in entry("2026-06-10").gates] == ["CAB", "QA"]
    assert entry("2026-06-09").gates == ()


def test_filters_reduce_what_is_shown() -> None:
    releases = (
        rel("PAY-1", "2026-06-01", "2026-06-10", team="PAY", train="Q3"),
        rel("WEB-1", "2026-06-01", "2026-06-10", team="WEB", train="Q3"),
        rel(
            "WEB-2",
            "2026-06-01",
            "2026-06-20",
            team="WEB",
            stages=[stage("Production", "2026-06-15", "2026-06-16")],
        ),
    )
    base = plan(*releases)
    everything = layout_calendar(base, day=TODAY, today=TODAY)
    assert sorted(everything.releases) == ["PAY-1", "WEB-1", "WEB-2"]
    web = layout_calendar(
        base, day=TODAY, today=TODAY, flt=CalendarFilter(teams=frozenset({"WEB"}))
    )
    assert sorted(web.releases) == ["WEB-1", "WEB-2"]
    q3 = layout_calendar(base, day=TODAY, today=TODAY, flt=CalendarFilter(train="Q3"))
    assert sorted(q3.releases) == ["PAY-1", "WEB-1"]
    prod = layout_calendar(
        base, day=TODAY, today=TODAY, flt=CalendarFilter(environment="Production")
    )
    assert list(prod.releases) == ["WEB-2"]
    assert prod.days_of("WEB-2") == [d("2026-06-15"), d("2026-06-16")]
    assert prod.flt.environment == "Production"


def test_releases_outside_the_grid_are_left_out() -> None:
    cal = layout_calendar(
        plan(rel("OLD", "2026-01-01", "2026-05-31"), rel("NEW", "2026-07-06", "2026-07-10")),
        day=TODAY,
        today=TODAY,
    )
    assert dict(cal.releases) == {}
    assert all(w.lanes == 0 for w in cal.weeks)


def test_freezes_are_shaded_on_their_days_with_lanes() -> None:
    freezes = (
        Freeze("Migration", d("2026-06-09"), d("2026-06-15"), environments=("Production",)),
        Freeze("Audit", d("2026-06-10"), d("2026-06-11"), teams=("PAY",)),
        Freeze("Old", d("2026-01-01"), d("2026-01-02")),
    )
    cal = layout_calendar(plan(freezes=freezes), day=TODAY, today=TODAY)
    assert cal.freezes_on(d("2026-06-08")) == []
    assert cal.freezes_on(d("2026-06-10")) == ["Migration", "Audit"]
    assert cal.freezes_on(d("2026-06-15")) == ["Migration"]
    assert [b.name for b in cal.bands] == ["Migration", "Audit"]
    week = cal.weeks[1]
    assert week.freeze_lanes == 2
    assert {s.key: (s.lane, s.first_col, s.last_col) for s in week.freeze_segments} == {
        "Migration": (0, 1, 6),
        "Audit": (1, 2, 3),
    }
    only_web = layout_calendar(
        plan(freezes=freezes), day=TODAY, today=TODAY, flt=CalendarFilter(teams=frozenset({"WEB"}))
    )
    assert only_web.freezes_on(d("2026-06-10")) == ["Migration"]


def test_recurring_freezes_are_expanded_over_the_grid() -> None:
    fridays = Freeze(
        "Friday",
        d("2026-05-01"),
        d("2026-05-01"),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        start_time=dt.time(16),
        end_time=dt.time(23, 59),
    )
    cal = layout_calendar(plan(freezes=(fridays,)), day=TODAY, today=TODAY)
    frozen = [x.date for w in cal.weeks for x in w.days if x.freezes]
    assert frozen == [
        d("2026-06-05"),
        d("2026-06-12"),
        d("2026-06-19"),
        d("2026-06-26"),
        d("2026-07-03"),
    ]


def test_find_matches_keys_and_names() -> None:
    cal = layout_calendar(
        plan(rel("PAY-1", "2026-06-01", "2026-06-02"), rel("WEB-1", "2026-06-01", "2026-06-02")),
        day=TODAY,
        today=TODAY,
    )
    assert cal.find("pay") == ["PAY-1"]
    assert cal.find("release") == ["PAY-1", "WEB-1"]  # names are "Release KEY"
    assert cal.find("  ") == []


# --- problems on days --------------------------------------------------------------------------


def _conflicted_plan() -> Plan:
    prod = Environment("Production", 3, 1)
    return Plan(
        timezone="Europe/Berlin",
        environments=(prod,),
        releases=(
            rel(
                "A",
                "2026-06-01",
                "2026-06-12",
                stages=[stage("Production", "2026-06-10", "2026-06-12")],
            ),
            rel(
                "B",
                "2026-06-05",
                "2026-06-11",
                stages=[stage("Production", "2026-06-11", "2026-06-11")],
            ),
            rel("C", "2026-06-03", "2026-06-20", gates=[gate("CAB")]),
            rel("D", "2026-06-15", "2026-06-25"),
        ),
        freezes=(Freeze("Freeze", d("2026-06-12"), d("2026-06-14"), environments=("Production",)),),
        dependencies=(Dependency("release:C", "release:D", "FS", 0),),
    )


def test_problems_are_put_on_the_days_they_concern() -> None:
    conflicted = _conflicted_plan()
    problems = check_plan(conflicted, today=d("2026-06-15"))
    kinds = sorted(p.kind for p in problems)
    assert kinds == [
        "dependency_violation",
        "environment_conflict",
        "freeze_conflict",
        "gate_pending",
    ]
    by_day, flagged = problem_days(conflicted, problems, d("2026-06-01"), d("2026-06-30"))
    assert {day: sorted(p.kind for p in found) for day, found in by_day.items()} == {
        d("2026-06-11"): ["environment_conflict"],
        d("2026-06-12"): ["freeze_conflict"],
        d("2026-06-15"): ["dependency_violation"],
        d("2026-06-20"): ["gate_pending"],
    }
    assert flagged == {
        ("A", d("2026-06-11")),
        ("B", d("2026-06-11")),
        ("A", d("2026-06-12")),
        ("D", d("2026-06-15")),
        ("C", d("2026-06-20")),
    }
    cal = layout_calendar(conflicted, day=TODAY, today=TODAY, problems=problems)
    assert cal.problem_days() == [
        d("2026-06-11"),
        d("2026-06-12"),
        d("2026-06-15"),
        d("2026-06-20"),
    ]
    flagged_entries = [e.key for e in cal.day(d("2026-06-11")).entries if e.flagged]  # type: ignore[union-attr]
    assert sorted(flagged_entries) == ["A", "B"]
    assert [p.kind for p in cal.release_problems["D"]] == ["dependency_violation"]
    only_c = layout_calendar(
        conflicted,
        day=TODAY,
        today=TODAY,
        problems=problems,
        flt=CalendarFilter(teams=frozenset({"X"})),
    )
    assert only_c.problem_days() == []


def test_problem_days_outside_the_range_are_dropped() -> None:
    conflicted = _conflicted_plan()
    problems = check_plan(conflicted, today=d("2026-06-15"))
    by_day, flagged = problem_days(conflicted, problems, d("2026-06-13"), d("2026-06-14"))
    assert by_day == {}
    assert flagged == set()


def test_a_freeze_conflict_without_stages_is_on_the_target_day() -> None:
    release = rel("A", "2026-06-01", "2026-06-13", team="PAY")
    conflicted = plan(release, freezes=(Freeze("F", d("2026-06-12"), d("2026-06-14")),))
    problems = check_plan(conflicted, today=TODAY)
    by_day, _ = problem_days(conflicted, problems, d("2026-06-01"), d("2026-06-30"))
    assert list(by_day) == [d("2026-06-13")]


def test_an_implied_item_edge_violation_is_on_the_dependent_target() -> None:
    conflicted = plan(
        rel("A", "2026-06-01", "2026-06-20"),
        rel("B", "2026-06-05", "2026-06-10"),
        work_items=(WorkItem("A-1", "a", release="A"), WorkItem("B-1", "b", release="B")),
        dependencies=(Dependency("item:A-1", "item:B-1"),),
    )
    problems = [p for p in check_plan(conflicted, today=TODAY) if p.kind == "dependency_violation"]
    assert problems
    _, flagged = problem_days(conflicted, problems, d("2026-06-01"), d("2026-06-30"))
    assert flagged == {("B", d("2026-06-10"))}  # finish to finish


def test_examples_pass() -> None:
    for name in ("calendar", "calendar_periods", "calendar_problems"):
        module = importlib.import_module(f"relplan.layout.{name}")
        result = doctest.testmod(module)
        assert result.failed == 0


def test_the_amended_kinds_are_put_on_their_days() -> None:
    """A stage left outside its release after a one-date edit is flagged on the days outside;
    a released release with open gates on its target day (kinds amended 2026-12-04)."""
    left_behind = replace(
        rel(
            "A",
            "2026-06-10",
            "2026-06-20",
            stages=(stage("Production", "2026-06-18", "2026-06-23"),),
        ),
        milestones=(Milestone("Go", d("2026-06-05")),),
    )
    shipped = replace(rel("B", "2026-06-01", "2026-06-12", gates=(gate("CAB"),)), status="released")
    checked = plan(left_behind, shipped)
    problems = check_plan(checked, today=d("2026-06-15"))
    kinds = sorted(p.kind for p in problems)
    assert kinds == ["released_with_open_gates", "stage_outside_release"]
    by_day, flagged = problem_days(checked, problems, d("2026-06-01"), d("2026-06-22"))
    assert {day: [p.kind for p in found] for day, found in sorted(by_day.items())} == {
        d("2026-06-05"): ["stage_outside_release"],
        d("2026-06-12"): ["released_with_open_gates"],
        d("2026-06-21"): ["stage_outside_release"],
        d("2026-06-22"): ["stage_outside_release"],  # the range ends here, the stage on the 23rd
    }
    assert ("A", d("2026-06-19")) not in flagged  # inside the release: nothing wrong that day
