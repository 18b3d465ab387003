"""What the calendar shows on which day: periods, release lanes, freeze bands and flagged days.

The calendar view only paints what :func:`layout_calendar` returns. A period (a week, a month or
a quarter) is shown as whole weeks, one row each; every release that is on a day of a row gets a
*lane* in that row, the same lane on each of its days there, so its bar runs straight across the
row. Freeze occurrences get lanes of their own above the releases'.

What a release occupies:

* without an environment filter, the days ``start..target`` (just the one day when only one of
  them is set);
* with an environment filter, the days of its stage windows in that environment (a release with
  no window there is not shown), so the calendar reads as "what is in Production when".

Each day of a release carries the environment of the stage window it is in (the one nearest
production when windows overlap), its milestones, and its gates on the target day. Problems of a
plan check are put on the days they concern (:mod:`relplan.layout.calendar_problems`). Periods
and filters are in :mod:`relplan.layout.calendar_periods` (re-exported here). All dates are
calendar days in the plan's planning zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from relplan.domain.model import RELEASE_PREFIX, Freeze, Gate, Plan, Release
from relplan.layout.calendar_periods import (
    PERIOD_KINDS,
    CalendarFilter,
    PeriodKind,
    Run,
    grid_bounds,
    locate_release,
    period_bounds,
    period_title,
    release_runs,
    shift_period,
)
from relplan.layout.calendar_problems import is_release, problem_days
from relplan.planning.freezes import occurrences

if TYPE_CHECKING:
    from relplan.planning.check import Problem

__all__ = [
    "PERIOD_KINDS",
    "CalendarDay",
    "CalendarFilter",
    "CalendarLayout",
    "CalendarWeek",
    "DayEntry",
    "FreezeBand",
    "FreezeEntry",
    "PeriodKind",
    "Segment",
    "grid_bounds",
    "layout_calendar",
    "locate_release",
    "period_bounds",
    "period_title",
    "problem_days",
    "release_runs",
    "shift_period",
]

_ONE_DAY: Final = dt.timedelta(days=1)


# --- the layout --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreezeBand:
    """One occurrence of a freeze, as whole days of the planning zone.

    Attributes:
        freeze: The freeze (its scope, times and rule).
        first: The first day the occurrence touches.
        last: The last day it touches.
    """

    freeze: Freeze
    first: dt.date
    last: dt.date

    @property
    def name(self) -> str:
        """The freeze's name."""
        return self.freeze.name


@dataclass(frozen=True, slots=True)
class DayEntry:
    """A release on one day of the calendar.

    Attributes:
        key: The release's key.
        lane: Its lane in the week row (0 at the top).
        environment: The environment of the stage window this day is in, if any.
        segment_start: The first day of the bar in this row (the label goes here).
        segment_end: The last day of the bar in this row.
        run_start: The first day of the release's run (the bar has a rounded end here).
        run_end: The last day of the run.
        milestones: Names of the release's milestones on this day.
        gates: The release's gates when this is its target day.
        flagged: A problem of the check concerns this release on this day.
        monitoring: The day lies in the release's monitoring period after its target.
    """

    key: str
    lane: int
    environment: str | None
    segment_start: bool
    segment_end: bool
    run_start: bool
    run_end: bool
    milestones: tuple[str, ...] = ()
    gates: tuple[Gate, ...] = ()
    flagged: bool = False
    monitoring: bool = False


@dataclass(frozen=True, slots=True)
class FreezeEntry:
    """A freeze occurrence on one day.

    Attributes:
        band: The occurrence.
        lane: Its lane among the freeze lanes of the week row.
        segment_start: The first day of the band in this row (the label goes here).
        segment_end: The last day of the band in this row.
    """

    band: FreezeBand
    lane: int
    segment_start: bool
    segment_end: bool


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One cell of the calendar.

    Attributes:
        date: The day.
        in_period: Whether it belongs to the period shown (not a neighbouring month's day).
        is_today: Whether it is today in the planning zone.
        entries: The releases on the day, by lane.
        freezes: The freeze occurrences covering the day, by lane.
        problems: The problems that concern this day.
    """

    date: dt.date
    in_period: bool
    is_today: bool
    entries: tuple[DayEntry, ...] = ()
    freezes: tuple[FreezeEntry, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday."""
        return self.date.weekday() >= 5

    def hidden(self, visible_lanes: int) -> list[str]:
        """The keys of releases in lanes that do not fit (``visible_lanes`` shown)."""
        return [e.key for e in self.entries if e.lane >= visible_lanes]

    def entry(self, lane: int) -> DayEntry | None:
        """The release in ``lane`` on this day, if any."""
        return next((e for e in self.entries if e.lane == lane), None)


@dataclass(frozen=True, slots=True)
class Segment:
    """A bar in one week row: a release's or a freeze occurrence's days there.

    Attributes:
        key: The release's key, or the freeze's name.
        lane: Its lane (release lanes and freeze lanes are counted apart).
        first_col: The column (0..6) it begins in.
        last_col: The column it ends in.
        starts: Whether the release (or occurrence) begins in this row (a rounded end).
        ends: Whether it ends in this row.
        band: The freeze occurrence, for a freeze segment.
    """

    key: str
    lane: int
    first_col: int
    last_col: int
    starts: bool
    ends: bool
    band: FreezeBand | None = None


@dataclass(frozen=True, slots=True)
class CalendarWeek:
    """One row of the calendar: seven days, the bars across them and how many lanes they use.

    Attributes:
        days: The seven days.
        lanes: Release lanes used in the row.
        freeze_lanes: Freeze lanes used in the row.
        segments: The release bars of the row.
        freeze_segments: The freeze bands of the row.
    """

    days: tuple[CalendarDay, ...]
    lanes: int
    freeze_lanes: int
    segments: tuple[Segment, ...] = ()
    freeze_segments: tuple[Segment, ...] = ()

    @property
    def number(self) -> int:
        """The ISO week number of the row's Thursday (or its first day)."""
        return self.days[min(3, len(self.days) - 1)].date.isocalendar().week


@dataclass(frozen=True, slots=True)
class CalendarLayout:
    """Everything the calendar shows for one period.

    Attributes:
        kind: ``week``, ``month`` or ``quarter``.
        first: The period's first day.
        last: The period's last day.
        today: Today in the planning zone.
        weeks: The rows.
        releases: The releases shown, by key.
        bands: The freeze occurrences shown.
        flt: The filter applied.
        zone: The planning zone the days are in.
        week_start: The first day of a week (0: Monday ... 6: Sunday).
        release_problems: Every problem that names a shown release, by key (whatever its day).
    """

    kind: PeriodKind
    first: dt.date
    last: dt.date
    today: dt.date
    weeks: tuple[CalendarWeek, ...]
    releases: Mapping[str, Release] = field(default_factory=dict)
    bands: tuple[FreezeBand, ...] = ()
    flt: CalendarFilter = field(default_factory=CalendarFilter)
    zone: str = "UTC"
    week_start: int = 0
    release_problems: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)

    @property
    def grid_first(self) -> dt.date:
        """The first day of the first row."""
        return self.weeks[0].days[0].date

    @property
    def grid_last(self) -> dt.date:
        """The last day of the last row."""
        return self.weeks[-1].days[-1].date

    @property
    def title(self) -> str:
        """The period's heading."""
        return period_title(self.kind, self.first, week_start=self.week_start)

    def position(self, day: dt.date) -> tuple[int, int] | None:
        """The (row, column) of ``day``, or None when it is not in the grid."""
        offset = (day - self.grid_first).days
        if not 0 <= offset < 7 * len(self.weeks):
            return None
        return divmod(offset, 7)

    def day(self, day: dt.date) -> CalendarDay | None:
        """The cell of ``day``, or None when it is not in the grid."""
        pos = self.position(day)
        return None if pos is None else self.weeks[pos[0]].days[pos[1]]

    def keys_on(self, day: dt.date) -> list[str]:
        """The releases on ``day``, by lane."""
        cell = self.day(day)
        return [] if cell is None else [e.key for e in cell.entries]

    def days_of(self, key: str) -> list[dt.date]:
        """The days of the grid that show release ``key``."""
        return [d.date for w in self.weeks for d in w.days if any(e.key == key for e in d.entries)]

    def freezes_on(self, day: dt.date) -> list[str]:
        """The names of the freezes covering ``day``."""
        cell = self.day(day)
        return [] if cell is None else [f.band.name for f in cell.freezes]

    def problem_days(self) -> list[dt.date]:
        """The days that carry at least one problem."""
        return [d.date for w in self.weeks for d in w.days if d.problems]

    def find(self, text: str) -> list[str]:
        """Keys of shown releases whose key or name contains ``text`` (case-insensitive)."""
        needle = text.strip().casefold()
        if not needle:
            return []
        return sorted(
            key
            for key, r in self.releases.items()
            if needle in key.casefold() or needle in r.name.casefold()
        )


def _assign_lanes(runs: Sequence[Run], week: Run) -> list[int]:
    """Greedy lanes for runs clipped to a week (runs must come in display order)."""
    lane_ends: list[dt.date] = []  # the last day taken in each lane
    lanes = []
    for first, last in runs:
        start = max(first, week[0])
        lane = next((i for i, end in enumerate(lane_ends) if end < start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(start)
        lane_ends[lane] = min(last, week[1])
        lanes.append(lane)
    return lanes


def _stage_environment(release: Release, day: dt.date, order: Mapping[str, int]) -> str | None:
    """The environment of the stage window ``day`` is in (nearest production first)."""
    found = [s.environment for s in release.stages if s.start <= day <= s.end]
    if not found:
        return None
    return max(found, key=lambda env: order.get(env, -1))


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def layout_calendar(
    plan: Plan,
    *,
    day: dt.date,
    today: dt.date,
    kind: PeriodKind = "month",
    problems: Iterable[Problem] = (),
    flt: CalendarFilter | None = None,
    week_start: int = 0,
) -> CalendarLayout:
    """Lay out the period holding ``day``: what is on which day, in which lane.

    Args:
        plan: The plan.
        day: Any day of the period to show.
        today: Today in the planning zone (marked).
        kind: ``week``, ``month`` or ``quarter``.
        problems: The plan check's problems, put on the days they concern.
        flt: What to show (default: everything).
        week_start: The first day of a week (0: Monday ... 6: Sunday).

    Returns:
        The layout.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Plan, Release
        >>> d = dt.date
        >>> plan = Plan(releases=(
        ...     Release("A", "A", "T", start=d(2026, 6, 3), target=d(2026, 6, 10)),
        ...     Release("B", "B", "T", start=d(2026, 6, 5), target=d(2026, 6, 5)),
        ... ))
        >>> cal = layout_calendar(plan, day=d(2026, 6, 1), today=d(2026, 6, 1))
        >>> cal.title, len(cal.weeks), cal.keys_on(d(2026, 6, 5))
        ('June 2026', 5, ['A', 'B'])
        >>> [e.lane for e in cal.day(d(2026, 6, 5)).entries]
        [0, 1]
    """
    flt = flt or CalendarFilter()
    first, last = period_bounds(kind, day, week_start=week_start)
    grid_first, grid_last = grid_bounds(first, last, week_start=week_start)
    order = {env.name: env.order for env in plan.environments}

    shown: dict[str, Release] = {}
    runs: list[tuple[Run, Release]] = []
    for release in plan.releases:
        if not flt.admits(release):
            continue
        for run in release_runs(release, environment=flt.environment):
            if flt.environment is None and release.target and release.monitoring_days:
                # The monitoring period after the target belongs to the bar (drawn hatched).
                run = (run[0], release.target + dt.timedelta(days=release.monitoring_days))
            if run[0] <= grid_last and run[1] >= grid_first:
                runs.append((run, release))
                shown[release.key] = release
    # Earlier and longer runs take the upper lanes, so a bar keeps its lane across rows as long
    # as nothing above it ends.
    runs.sort(key=lambda item: (item[0][0], -(item[0][1] - item[0][0]).days, item[1].key))

    bands = [
        FreezeBand(freeze, o.first_day, o.last_day)
        for freeze in plan.freezes
        if flt.admits_freeze(freeze)
        for o in occurrences(freeze, first=grid_first, last=grid_last, zone=plan.timezone)
    ]
    bands.sort(key=lambda b: (b.first, -(b.last - b.first).days, b.name))

    problems = list(problems)
    by_day, flagged = problem_days(plan, problems, grid_first, grid_last, shown=shown.keys())
    per_release: dict[str, list[Problem]] = {}
    for problem in problems:
        for subject in problem.subjects:
            key = subject.removeprefix(RELEASE_PREFIX)
            if is_release(subject) and key in shown:
                per_release.setdefault(key, []).append(problem)
    weeks = []
    for row in range(((grid_last - grid_first).days + 1) // 7):
        week_first = grid_first + dt.timedelta(weeks=row)
        week = (week_first, week_first + dt.timedelta(days=6))
        weeks.append(_layout_week(week, (first, last), today, runs, bands, by_day, flagged, order))
    return CalendarLayout(
        kind,
        first,
        last,
        today,
        tuple(weeks),
        shown,
        tuple(bands),
        flt,
        plan.timezone,
        week_start,
        {key: tuple(found) for key, found in per_release.items()},
    )


def _layout_week(
    week: Run,
    period: Run,
    today: dt.date,
    runs: Sequence[tuple[Run, Release]],
    bands: Sequence[FreezeBand],
    by_day: Mapping[dt.date, list[Problem]],
    flagged: set[tuple[str, dt.date]],
    order: Mapping[str, int],
) -> CalendarWeek:
    here = [item for item in runs if item[0][0] <= week[1] and item[0][1] >= week[0]]
    lanes = _assign_lanes([run for run, _ in here], week)
    freezes_here = [b for b in bands if b.first <= week[1] and b.last >= week[0]]
    freeze_lanes = _assign_lanes([(b.first, b.last) for b in freezes_here], week)
    days = []
    for date in _days(*week):
        entries = []
        for ((run_first, run_last), release), lane in zip(here, lanes, strict=True):
            if not run_first <= date <= run_last:
                continue
            entries.append(
                DayEntry(
                    key=release.key,
                    lane=lane,
                    environment=_stage_environment(release, date, order),
                    segment_start=date == max(run_first, week[0]),
                    segment_end=date == min(run_last, week[1]),
                    run_start=date == run_first,
                    run_end=date == run_last,
                    milestones=tuple(m.name for m in release.milestones if m.date == date),
                    gates=release.gates if date == release.target else (),
                    flagged=(release.key, date) in flagged,
                    monitoring=release.target is not None and date > release.target,
                )
            )
        freeze_entries = [
            FreezeEntry(
                band,
                lane,
                segment_start=date == max(band.first, week[0]),
                segment_end=date == min(band.last, week[1]),
            )
            for band, lane in zip(freezes_here, freeze_lanes, strict=True)
            if band.first <= date <= band.last
        ]
        days.append(
            CalendarDay(
                date,
                in_period=period[0] <= date <= period[1],
                is_today=date == today,
                entries=tuple(sorted(entries, key=lambda e: e.lane)),
                freezes=tuple(sorted(freeze_entries, key=lambda f: f.lane)),
                problems=tuple(by_day.get(date, ())),
            )
        )
    segments = [
        _segment(release.key, lane, run, week)
        for (run, release), lane in zip(here, lanes, strict=True)
    ]
    freeze_segments = [
        _segment(band.name, lane, (band.first, band.last), week, band)
        for band, lane in zip(freezes_here, freeze_lanes, strict=True)
    ]
    return CalendarWeek(
        tuple(days),
        lanes=max(lanes, default=-1) + 1,
        freeze_lanes=max(freeze_lanes, default=-1) + 1,
        segments=tuple(segments),
        freeze_segments=tuple(freeze_segments),
    )


def _segment(key: str, lane: int, run: Run, week: Run, band: FreezeBand | None = None) -> Segment:
    first, last = max(run[0], week[0]), min(run[1], week[1])
    return Segment(
        key,
        lane,
        (first - week[0]).days,
        (last - week[0]).days,
        starts=run[0] >= week[0],
        ends=run[1] <= week[1],
        band=band,
    )
