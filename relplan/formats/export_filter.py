"""Which part of a plan an export holds: the ``--team``, ``--train`` and ``--from``/``--to``
options of every export (calendar, CSV, graph). Apart from :mod:`relplan.formats.ics` so that
the exports that write no calendar do not import icalendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relplan.domain.model import Freeze, Plan, Release
from relplan.planning.freezes import first_window, occurrences, rule_problem

__all__ = ["ExportFilter"]


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which part of a plan an export holds (``--team``, ``--train``, ``--from``/``--to``).

    Attributes:
        teams: Only these teams' releases, and freezes that cover one of them (empty: all).
        train: Only this train's releases, and freezes that cover one of its teams.
        date_from: Only events that reach this day or later.
        date_to: Only events that begin on this day or earlier.
    """

    teams: frozenset[str] = frozenset()
    train: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def keeps_release(self, release: Release) -> bool:
        """Whether the release's team and train pass (dates are judged per event)."""
        if self.teams and release.team not in self.teams:
            return False
        return self.train is None or release.train == self.train

    def keeps_days(self, first: dt.date, last: dt.date) -> bool:
        """Whether ``first..last`` shares a day with the date window."""
        if self.date_from is not None and last < self.date_from:
            return False
        return self.date_to is None or first <= self.date_to

    def keeps_freeze(self, freeze: Freeze, plan: Plan, *, zone: str) -> bool:
        """Whether a freeze covers a team in view and has a window in the date window."""
        if self.train is not None or self.teams:
            teams = {r.team for r in plan.releases if self.keeps_release(r)}
            if freeze.teams and not teams.intersection(freeze.teams):
                return False
        if freeze.rrule is None or rule_problem(freeze, zone=zone) is not None:
            window = first_window(freeze)
            return self.keeps_days(window.first_day, window.last_day)
        first = self.date_from or freeze.start
        last = self.date_to or max(first, freeze.start) + dt.timedelta(days=366 * 20)
        return bool(occurrences(freeze, first=first, last=last, zone=zone, limit=1))

    def describe(self) -> str:
        """The filter in a few words (empty for none), for calendar names."""
        parts = [*sorted(self.teams)]
        if self.train:
            parts.append(self.train)
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'}..{self.date_to or '…'}")
        return ", ".join(parts)
