"""Where the views draw the lifecycle: the calendar's monitoring days, the timeline's marks."""

from __future__ import annotations

import datetime as dt

from relplan.domain.model import Flag, Plan, Release, RolloutStep, Stage
from relplan.layout.calendar import layout_calendar
from relplan.layout.calendar_periods import CalendarFilter
from relplan.layout.lifecycle import lifecycle_marks

D = dt.date(2026, 6, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


STAGE = Stage(
    "Production", day(8), day(9), "canary", (RolloutStep(day(8), 10), RolloutStep(day(9), 100))
)
RELEASE = Release("A", "A", "T", start=day(2), target=day(9), stages=(STAGE,), monitoring_days=3)


def test_the_calendar_bar_runs_on_through_the_monitoring_days() -> None:
    layout = layout_calendar(Plan(releases=(RELEASE,)), day=D, today=D)
    assert "A" in layout.keys_on(day(12))
    assert "A" not in layout.keys_on(day(13))
    on = {d: layout.day(day(d)).entries[0] for d in (9, 10, 12)}  # type: ignore[union-attr]
    assert not on[9].monitoring
    assert on[10].monitoring
    assert on[12].monitoring
    assert on[12].run_end
    assert on[9].gates == RELEASE.gates


def test_without_monitoring_or_with_an_environment_filter_the_bar_ends_at_the_target() -> None:
    plain = Release("A", "A", "T", start=day(2), target=day(9), stages=(STAGE,))
    assert "A" not in layout_calendar(Plan(releases=(plain,)), day=D, today=D).keys_on(day(10))
    only = CalendarFilter(environment="Production")
    layout = layout_calendar(Plan(releases=(RELEASE,)), day=D, today=D, flt=only)
    assert "A" not in layout.keys_on(day(10))


def test_timeline_marks_of_steps_switch_monitoring_and_flags() -> None:
    switched = Stage("Staging", day(4), day(6), "blue_green", switch=day(6))
    release = Release("A", "A", "T", start=day(2), target=day(9), stages=(switched, STAGE),
                      monitoring_days=3)  # fmt: skip
    flag = Flag("f", "A", "Production", steps=(RolloutStep(day(10), 50), RolloutStep(day(12), 100)))
    marks = lifecycle_marks(release, D, [flag, Flag("empty", "A", "Production")])
    assert marks.monitoring == (10.0, 13.0)
    assert marks.steps == ((8.0, 10), (9.0, 100))
    assert marks.switches == (6.0,)
    assert marks.flags == ((10.0, 13.0, "f", (50, 100)),)
    assert lifecycle_marks(Release("B", "B", "T", target=day(1)), D).empty


def test_lifecycle_problems_flag_their_days_in_the_calendar() -> None:
    from relplan.domain.model import Environment, Gate
    from relplan.layout.calendar_problems import problem_days
    from relplan.planning.check import check_plan

    late = Release(
        "A", "A", "T", start=day(2), target=day(9), gates=(Gate("CAB", "Production"),),
        stages=(Stage("Production", day(8), day(9), "canary", (RolloutStep(day(8), 10),)),),
    )  # fmt: skip
    flag = Flag("f", "A", "Production", steps=(RolloutStep(day(5), 10),))
    plan = Plan(environments=(Environment("Production", 1),), releases=(late,), flags=(flag,))
    problems = check_plan(plan, today=day(8))
    kinds = {p.kind for p in problems}
    assert {"gate_late", "rollout_invalid", "flag_before_release"} <= kinds
    by_day, flagged = problem_days(plan, problems, day(0), day(20))
    assert {p.kind for p in by_day[day(8)]} == {"gate_late", "rollout_invalid"}
    assert [p.kind for p in by_day[day(5)]] == ["flag_before_release"]
    assert ("A", day(5)) in flagged
