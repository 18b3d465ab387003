"""Plain-text tables of the results."""

from __future__ import annotations

import datetime as dt

from relplan.domain.model import Train
from relplan.planning.check import Problem, check_plan
from relplan.planning.impact import impact_of_slip
from relplan.planning.report import (
    format_impact,
    format_problems,
    format_schedule,
    format_table,
)
from relplan.planning.schedule import schedule_plan

from .factories import chain_plan, four_release_plan, plan, rel


def test_table_aligns_columns_and_strips_trailing_spaces() -> None:
    text = format_table(["A", "NUMBER", "LAST"], [["xx", 1, ""], ["y", 100, "z"]], numeric=[1])
    assert text.splitlines() == ["A   NUMBER  LAST", "xx       1", "y      100  z"]


def test_problems_table(today: dt.date) -> None:
    problems = [
        *check_plan(chain_plan(), today=today),
        Problem("gate_pending", "warning", ("release:A",), "A targets soon"),
    ]
    assert format_problems(problems).splitlines() == [
        "SEVERITY  KIND                  SUBJECTS              MESSAGE",
        "error     dependency_violation  release:B, release:D  D starts 2026-11-01 but must start "
        "on or after 2026-11-09 (SS +0 days after B starts 2026-11-09): 8 days short",
        "warning   gate_pending          release:A             A targets soon",
        "1 error, 1 warning",
    ]
    assert format_problems([]) == "No problems found."


def test_schedule_table() -> None:
    assert format_schedule(schedule_plan(four_release_plan())).splitlines() == [
        "End: 2026-11-22",
        "Critical path: A -> C",
        "",
        "KEY  START       TARGET      EARLY START  EARLY FINISH  LATE START  LATE FINISH  FLOAT"
        "  SLIP  CRITICAL",
        "A    2026-11-02  2026-11-06  2026-11-02   2026-11-06    2026-11-02  2026-11-06       0"
        "     0  *",
        "B    2026-11-05  2026-11-09  2026-11-09   2026-11-13    2026-11-18  2026-11-22       9"
        "     4",
        "C    2026-11-01  2026-11-20  2026-11-03   2026-11-22    2026-11-03  2026-11-22       0"
        "     2  *",
        "D    2026-11-10  2026-11-12  2026-11-10   2026-11-12    2026-11-20  2026-11-22      10"
        "     0",
    ]


def test_empty_schedule_text() -> None:
    assert format_schedule(schedule_plan(plan(rel("U")))) == (
        "No dated releases take part in the schedule."
    )
    p = plan(rel("U", train="Q"), trains=[Train("Q", "Q")])
    assert format_schedule(schedule_plan(p, train="Q")) == (
        "Train: Q\nNo dated releases take part in the schedule."
    )


def test_impact_text(today: dt.date) -> None:
    assert format_impact(impact_of_slip(chain_plan(), "A", 4, today=today)).splitlines() == [
        "Slipping A by +4 days moves 3 releases; end 2026-12-08 -> 2026-12-10 (+2 days)",
        "",
        "Forecast dates (the schedule's early start and finish):",
        "KEY  FORECAST START  FORECAST FINISH  NEW START   NEW FINISH  DAYS",
        "A    2026-11-02      2026-11-06       2026-11-06  2026-11-10    +4",
        "B    2026-11-09      2026-11-13       2026-11-11  2026-11-15    +2",
        "D    2026-11-09      2026-12-08       2026-11-11  2026-12-10    +2",
        "",
        "New problems:",
        "SEVERITY  KIND             SUBJECTS                 MESSAGE",
        "error     freeze_conflict  freeze:Audit, release:D  D targets 2026-12-10, inside freeze "
        "Audit (2026-12-10..2026-12-12)",
        "1 error, 0 warnings",
        "",
        "Resolved problems:",
        "SEVERITY  KIND                  SUBJECTS              MESSAGE",
        "error     dependency_violation  release:B, release:D  D starts 2026-11-01 but must start "
        "on or after 2026-11-09 (SS +0 days after B starts 2026-11-09): 8 days short",
        "1 error, 0 warnings",
    ]


def test_impact_text_without_moves_or_dates(today: dt.date) -> None:
    assert format_impact(impact_of_slip(chain_plan(), "C", -1, today=today)).splitlines() == [
        "Slipping C by -1 day moves 1 release; end 2026-12-08 -> 2026-12-08 (+0 days)",
        "",
        "Forecast dates (the schedule's early start and finish):",
        "KEY  FORECAST START  FORECAST FINISH  NEW START   NEW FINISH  DAYS",
        "C    2026-11-20      2026-11-22       2026-11-19  2026-11-21    -1",
        "",
        "New problems: none",
        "",
        "Resolved problems: none",
    ]
    assert format_impact(impact_of_slip(plan(rel("U")), "U", 2, today=today)) == (
        "Slipping U by +2 days moves 0 releases; end - -> -\n\nNew problems: none"
        "\n\nResolved problems: none"
    )
