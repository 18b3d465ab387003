"""Calendar periods and filters: which days a week, month or quarter shows, and which releases.

Pure helpers of :mod:`relplan.layout.calendar` (dates are calendar days in the planning
zone).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

from relplan.domain.model import Freeze, Release

__all__ = [
    "PERIOD_KINDS",
    "CalendarFilter",
    "PeriodKind",
    "Run",
    "grid_bounds",
    "locate_release",
    "period_bounds",
    "period_title",
    "release_runs",
    "shift_period",
]

PeriodKind = Literal["week", "month", "quarter"]
PERIOD_KINDS: Final[tuple[PeriodKind, ...]] = ("week", "month", "quarter")
_ONE_DAY: Final = dt.timedelta(days=1)

#: A run of days, both included.
Run = tuple[dt.date, dt.date]


# --- periods -----------------------------------------------------------------------------------


def period_bounds(kind: PeriodKind, day: dt.date, *, week_start: int = 0) -> Run:
    """The first and last day of the week, month or quarter that holds ``day``.

    Args:
        kind: ``week``, ``month`` or ``quarter``.
        day: Any day of the period.
        week_start: The first day of a week (0: Monday ... 6: Sunday).

    Returns:
        ``(first, last)``, both included.

    Examples:
        >>> import datetime as dt
        >>> [str(d) for d in period_bounds("quarter", dt.date(2026, 5, 20))]
        ['2026-04-01', '2026-06-30']
        >>> [str(d) for d in period_bounds("week", dt.date(2026, 6, 3))]
        ['2026-06-01', '2026-06-07']
    """
    if kind == "week":
        first = day - dt.timedelta(days=(day.weekday() - week_start) % 7)
        return first, first + dt.timedelta(days=6)
    if kind == "month":
        last_day = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last_day)
    if kind == "quarter":
        month = 3 * ((day.month - 1) // 3) + 1
        first = dt.date(day.year, month, 1)
        end_month = month + 2
        return first, dt.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    raise ValueError(f"unknown period kind {kind!r}")


def shift_period(kind: PeriodKind, day: dt.date, steps: int, *, week_start: int = 0) -> dt.date:
    """The first day of the period ``steps`` periods after the one holding ``day``.

    Examples:
        >>> import datetime as dt
        >>> str(shift_period("month", dt.date(2026, 1, 31), 1))
        '2026-02-01'
        >>> str(shift_period("quarter", dt.date(2026, 2, 10), -1))
        '2025-10-01'
    """
    first, _ = period_bounds(kind, day, week_start=week_start)
    if kind == "week":
        return first + dt.timedelta(weeks=steps)
    months = 1 if kind == "month" else 3
    index = first.year * 12 + first.month - 1 + steps * months
    return dt.date(index // 12, index % 12 + 1, 1)


def grid_bounds(first: dt.date, last: dt.date, *, week_start: int = 0) -> Run:
    """``first..last`` widened to whole weeks (the rows of the calendar).

    Examples:
        >>> import datetime as dt
        >>> [str(d) for d in grid_bounds(dt.date(2026, 6, 1), dt.date(2026, 6, 30))]
        ['2026-06-01', '2026-07-05']
    """
    grid_first = first - dt.timedelta(days=(first.weekday() - week_start) % 7)
    grid_last = last + dt.timedelta(days=(week_start - 1 - last.weekday()) % 7)
    return grid_first, grid_last


def period_title(kind: PeriodKind, day: dt.date, *, week_start: int = 0) -> str:
    """The heading of a period (``June 2026``, ``Q2 2026 · April – June``, ``Week 23 · ...``).

    Examples:
        >>> import datetime as dt
        >>> period_title("month", dt.date(2026, 6, 9))
        'June 2026'
        >>> period_title("quarter", dt.date(2026, 6, 9))
        'Q2 2026 · April – June'
        >>> period_title("week", dt.date(2026, 6, 9))
        'Week 24 · 8 – 14 June 2026'
    """
    first, last = period_bounds(kind, day, week_start=week_start)
    if kind == "month":
        return f"{calendar.month_name[first.month]} {first.year}"
    if kind == "quarter":
        months = f"{calendar.month_name[first.month]} – {calendar.month_name[last.month]}"
        return f"Q{(first.month - 1) // 3 + 1} {first.year} · {months}"
    week = first.isocalendar().week if week_start == 0 else (first + _ONE_DAY).isocalendar().week
    if first.month == last.month:
        span = f"{first.day} – {last.day} {calendar.month_name[last.month]} {last.year}"
    else:
        span = (
            f"{first.day} {calendar.month_abbr[first.month]} – "
            f"{last.day} {calendar.month_abbr[last.month]} {last.year}"
        )
    return f"Week {week} · {span}"


# --- filter ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarFilter:
    """Which releases and freezes the calendar shows.

    Attributes:
        teams: Only releases of these teams (empty: every team).
        train: Only releases of this train (None: any).
        environment: Only the stage windows in this environment (None: whole releases).
    """

    teams: frozenset[str] = frozenset()
    train: str | None = None
    environment: str | None = None

    def admits(self, release: Release) -> bool:
        """Whether ``release`` passes the filter.

        Examples:
            >>> from relplan.domain.model import Release
            >>> CalendarFilter(teams=frozenset({"PAY"})).admits(Release("A", "A", "WEB"))
            False
        """
        if self.teams and release.team not in self.teams:
            return False
        if self.train is not None and release.train != self.train:
            return False
        return self.environment is None or any(
            s.environment == self.environment for s in release.stages
        )

    def admits_freeze(self, freeze: Freeze) -> bool:
        """Whether a freeze's scope touches what the filter shows."""
        teams_ok = not freeze.teams or not self.teams or bool(self.teams & set(freeze.teams))
        env_ok = (
            not freeze.environments
            or self.environment is None
            or self.environment in freeze.environments
        )
        return teams_ok and env_ok

    @property
    def active(self) -> bool:
        """Whether anything is filtered out."""
        return bool(self.teams) or self.train is not None or self.environment is not None


def release_runs(release: Release, *, environment: str | None = None) -> list[Run]:
    """The runs of days a release occupies in the calendar (see the module docs).

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Release, Stage
        >>> d = dt.date
        >>> r = Release("A", "A", "T", start=d(2026, 6, 1), target=d(2026, 6, 20), stages=(
        ...     Stage("Prod", d(2026, 6, 10), d(2026, 6, 11)),
        ...     Stage("Prod", d(2026, 6, 12), d(2026, 6, 13)),
        ...     Stage("Prod", d(2026, 6, 19), d(2026, 6, 20)),
        ... ))
        >>> [(a.day, b.day) for a, b in release_runs(r)]
        [(1, 20)]
        >>> [(a.day, b.day) for a, b in release_runs(r, environment="Prod")]
        [(10, 13), (19, 20)]
    """
    if environment is None:
        first = release.start or release.target
        last = release.target or release.start
        return [] if first is None or last is None else [(first, max(first, last))]
    windows = sorted((s.start, s.end) for s in release.stages if s.environment == environment)
    runs: list[Run] = []
    for start, end in windows:
        if end < start:
            continue
        if runs and start <= runs[-1][1] + _ONE_DAY:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs


def locate_release(release: Release, flt: CalendarFilter | None = None) -> dt.date | None:
    """The first day the calendar shows ``release`` on (None: it has no day to show)."""
    runs = release_runs(release, environment=None if flt is None else flt.environment)
    return runs[0][0] if runs else None
