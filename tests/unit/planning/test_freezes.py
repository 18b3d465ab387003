"""Recurring freezes and times of day: expansion, day mapping and what ``check`` makes of them."""

from __future__ import annotations

import datetime as dt
import doctest
from dataclasses import replace
from typing import Any

import pytest

from relplan.domain.model import Freeze, Plan
from relplan.planning import freezes as freezes_module
from relplan.planning.check import check_plan, freeze_conflicts
from relplan.planning.freezes import (
    FreezeDays,
    Occurrence,
    first_window,
    occurrences,
    rule_problem,
    split_until,
    until_local,
)

from .factories import day, freeze, rel, stage

FRI = dt.date(2026, 11, 6)  # a Friday
MON = dt.date(2026, 11, 9)


def weekend(rule: str | None = "FREQ=WEEKLY;BYDAY=FR", **changes: Any) -> Freeze:
    """Friday 16:00 to Monday 08:00, weekly unless ``rule`` is None."""
    base = Freeze(
        "Weekend",
        FRI,
        MON,
        environments=("Production",),
        rrule=rule,
        start_time=dt.time(16),
        end_time=dt.time(8),
    )
    return replace(base, **changes)


def days_of(found: list[Occurrence]) -> list[tuple[str, str]]:
    return [(o.first_day.isoformat(), o.last_day.isoformat()) for o in found]


def test_examples_pass() -> None:
    result = doctest.testmod(freezes_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# --- windows and days ---------------------------------------------------------------------------


def test_whole_day_window_ends_at_midnight_after_the_last_day() -> None:
    window = first_window(Freeze("F", FRI, MON))
    assert window == Occurrence(dt.datetime(2026, 11, 6), dt.datetime(2026, 11, 10))
    assert (window.first_day, window.last_day) == (FRI, MON)


def test_a_window_touching_a_day_covers_it_but_an_end_at_midnight_does_not() -> None:
    assert days_of([first_window(weekend(None))]) == [("2026-11-06", "2026-11-09")]
    midnight = first_window(weekend(None, end_time=dt.time(0)))
    assert midnight.end == dt.datetime(2026, 11, 9)
    assert midnight.last_day == dt.date(2026, 11, 8)


def test_only_a_start_time_runs_to_the_end_of_the_last_day() -> None:
    window = first_window(Freeze("F", FRI, FRI, start_time=dt.time(18)))
    assert window == Occurrence(dt.datetime(2026, 11, 6, 18), dt.datetime(2026, 11, 7))
    assert window.last_day == FRI


def test_an_empty_window_touches_its_start_day() -> None:
    same = Occurrence(dt.datetime(2026, 11, 6, 8), dt.datetime(2026, 11, 6, 8))
    assert same.last_day == FRI


# --- rules --------------------------------------------------------------------------------------


def test_weekly_rule_expands_within_the_range_only() -> None:
    found = occurrences(weekend(), first=dt.date(2026, 11, 10), last=dt.date(2026, 11, 30))
    assert days_of(found) == [
        ("2026-11-13", "2026-11-16"),
        ("2026-11-20", "2026-11-23"),
        ("2026-11-27", "2026-11-30"),
    ]
    assert found[0].start == dt.datetime(2026, 11, 13, 16)
    assert found[0].end == dt.datetime(2026, 11, 16, 8)


def test_an_occurrence_that_began_before_the_range_still_counts() -> None:
    found = occurrences(weekend(), first=dt.date(2026, 11, 16), last=dt.date(2026, 11, 16))
    assert days_of(found) == [("2026-11-13", "2026-11-16")]


def test_nothing_before_the_first_window_and_nothing_for_an_empty_range() -> None:
    assert occurrences(weekend(), first=dt.date(2026, 10, 1), last=dt.date(2026, 11, 5)) == []
    assert occurrences(weekend(), first=dt.date(2026, 12, 1), last=dt.date(2026, 11, 1)) == []


def test_recurrence_keeps_wall_clock_time_across_daylight_saving() -> None:
    # Europe/Berlin leaves summer time on 2026-10-25; 16:00 stays 16:00.
    f = weekend(start=dt.date(2026, 10, 16), end=dt.date(2026, 10, 19))
    found = occurrences(
        f, first=dt.date(2026, 10, 16), last=dt.date(2026, 11, 1), zone="Europe/Berlin"
    )
    assert [o.start.time() for o in found] == [dt.time(16)] * 3


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=WEEKLY;COUNT=2", ["2026-11-06", "2026-11-13"]),
        ("FREQ=WEEKLY;UNTIL=20261113", ["2026-11-06", "2026-11-13"]),
        ("RRULE:FREQ=WEEKLY;UNTIL=20261113T150000Z", ["2026-11-06", "2026-11-13"]),
        ("FREQ=WEEKLY;UNTIL=20261113T145959Z", ["2026-11-06"]),
        ("UNTIL=20261113T160000;FREQ=WEEKLY", ["2026-11-06", "2026-11-13"]),
    ],
)
def test_count_and_until_end_the_rule(rule: str, expected: list[str]) -> None:
    f = weekend(rule)
    found = occurrences(f, first=FRI, last=dt.date(2027, 1, 31), zone="Europe/Berlin")
    assert [o.first_day.isoformat() for o in found] == expected


def test_split_until_and_until_local() -> None:
    assert split_until("FREQ=DAILY;UNTIL=20261231;INTERVAL=2") == (
        "FREQ=DAILY;INTERVAL=2",
        "20261231",
    )
    assert until_local("20261231", "UTC") == dt.datetime.combine(day("2026-12-31"), dt.time.max)
    assert until_local("20261113T150000Z", "Europe/Berlin") == dt.datetime(2026, 11, 13, 16)
    assert until_local("20261113T150000", "Europe/Berlin") == dt.datetime(2026, 11, 13, 15)
    with pytest.raises(ValueError, match="does not match"):
        until_local("2026-11-13", "UTC")


def test_the_number_of_occurrences_is_bounded() -> None:
    every_minute = Freeze(
        "M", FRI, FRI, rrule="FREQ=MINUTELY", start_time=dt.time(0), end_time=dt.time(0, 1)
    )
    found = occurrences(every_minute, first=FRI, last=dt.date(2030, 1, 1), limit=50)
    assert len(found) == 50


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SOMETIMES",
        "INTERVAL=2",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;UNTIL=soon",
        "FREQ=WEEKLY\nRDATE:20261201T000000",  # a set of dates is more than a freeze holds
    ],
)
def test_a_rule_that_cannot_be_read_repeats_nothing(rule: str) -> None:
    f = weekend(rule)
    problem = rule_problem(f)
    assert problem is not None
    assert problem.startswith(f"rrule {rule!r} cannot be read")
    assert days_of(occurrences(f, first=FRI, last=dt.date(2026, 12, 31))) == [
        ("2026-11-06", "2026-11-09")
    ]


def test_no_rule_no_problem() -> None:
    assert rule_problem(Freeze("F", FRI, FRI)) is None


# --- FreezeDays --------------------------------------------------------------------------------


def test_freeze_days_keeps_a_plain_freeze_as_it_is() -> None:
    plain = freeze("Holiday", "2026-12-19", "2027-01-04")
    days = FreezeDays(plain, first=day("2026-01-01"), last=day("2026-01-02"))
    assert list(days.windows) == [plain]
    assert list(days.between(day("2026-12-01"), day("2026-12-19"))) == [plain]
    assert list(days.between(day("2027-01-05"), day("2027-02-01"))) == []


def test_freeze_days_maps_each_occurrence_to_the_days_it_touches() -> None:
    days = FreezeDays(weekend(), first=day("2026-11-01"), last=day("2026-11-30"))
    assert [(w.start.isoformat(), w.end.isoformat()) for w in days.windows][:2] == [
        ("2026-11-06", "2026-11-09"),
        ("2026-11-13", "2026-11-16"),
    ]
    assert all(w.rrule is None and w.start_time is None for w in days.windows)
    hits = days.between(day("2026-11-16"), day("2026-11-20"))
    assert [w.start.isoformat() for w in hits] == ["2026-11-13", "2026-11-20"]
    assert list(days.between(day("2026-11-10"), day("2026-11-12"))) == []


# --- check -------------------------------------------------------------------------------------


def test_a_stage_on_a_weekday_between_occurrences_is_clear(today: dt.date) -> None:
    r = rel(
        "R", "2026-11-02", "2026-11-12", stages=[stage("Production", "2026-11-10", "2026-11-12")]
    )
    assert check_plan(Plan(releases=(r,), freezes=(weekend(),)), today=today) == []


def test_every_occurrence_is_a_freeze(today: dt.date) -> None:
    # Monday 2026-11-23 is touched by the occurrence of Friday 2026-11-20 16:00.
    r = rel(
        "R", "2026-11-02", "2026-11-24", stages=[stage("Production", "2026-11-23", "2026-11-24")]
    )
    [problem] = check_plan(Plan(releases=(r,), freezes=(weekend(),)), today=today)
    assert problem.kind == "freeze_conflict"
    assert problem.subjects == ("freeze:Weekend", "release:R")
    assert problem.message == (
        "R has a stage window in freeze Weekend (2026-11-20..2026-11-23): "
        "Production 2026-11-23..2026-11-24 overlaps 1 day"
    )


def test_several_occurrences_make_one_problem(today: dt.date) -> None:
    r = rel(
        "R", "2026-11-02", "2026-11-30", stages=[stage("Production", "2026-11-10", "2026-11-30")]
    )
    [problem] = check_plan(Plan(releases=(r,), freezes=(weekend(),)), today=today)
    assert problem.message.startswith(
        "R has a stage window in freeze Weekend (2026-11-13..2026-11-16)"
    )
    assert problem.message.endswith("(and 2 more occurrences)")
    two = rel(
        "S", "2026-11-02", "2026-11-21", stages=[stage("Production", "2026-11-10", "2026-11-21")]
    )
    [problem] = check_plan(Plan(releases=(two,), freezes=(weekend(),)), today=today)
    assert problem.message.endswith("(and 1 more occurrence)")


def test_a_release_without_stages_conflicts_when_its_target_is_in_an_occurrence(
    today: dt.date,
) -> None:
    on_monday = rel("R", "2026-11-02", "2026-11-16")
    on_tuesday = rel("S", "2026-11-02", "2026-11-17")
    problems = check_plan(Plan(releases=(on_monday, on_tuesday), freezes=(weekend(),)), today=today)
    assert [(p.subjects, p.message) for p in problems] == [
        (
            ("freeze:Weekend", "release:R"),
            "R targets 2026-11-16, inside freeze Weekend (2026-11-13..2026-11-16)",
        )
    ]


def test_a_window_ending_at_midnight_leaves_its_end_day_free(today: dt.date) -> None:
    f = weekend(None, end_time=dt.time(0))
    on_monday = rel("R", "2026-11-02", "2026-11-09")
    assert check_plan(Plan(releases=(on_monday,), freezes=(f,)), today=today) == []
    on_sunday = rel("S", "2026-11-02", "2026-11-08")
    assert len(check_plan(Plan(releases=(on_sunday,), freezes=(f,)), today=today)) == 1


def test_until_in_utc_is_read_in_the_planning_zone() -> None:
    # UNTIL 2026-11-13 15:00 UTC is 16:00 in Berlin: the occurrence of the 13th is included.
    f = weekend("FREQ=WEEKLY;UNTIL=20261113T150000Z")
    r = rel(
        "R", "2026-11-02", "2026-11-16", stages=[stage("Production", "2026-11-16", "2026-11-16")]
    )
    assert len(freeze_conflicts([r], [f], zone="Europe/Berlin")) == 1
    assert freeze_conflicts([r], [f], zone="UTC") == []


def test_releases_without_dates_or_stages_inside_the_range_are_skipped() -> None:
    assert freeze_conflicts([rel("U")], [weekend()]) == []
    assert freeze_conflicts([rel("R", "2026-11-02", "2026-11-04")], [weekend()]) == []
