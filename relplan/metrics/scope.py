"""What an analysis looks at: a window of days and the releases of a team or train."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relplan.domain.model import Plan, Release
from relplan.domain.zone import plan_zone
from relplan.errors import Issue, UnknownObjectError, ValidationError

__all__ = ["DEFAULT_WINDOW_DAYS", "Window", "releases_in_scope", "resolve_window", "today_in"]

#: ``metrics`` looks at the 90 days ending today unless told otherwise.
DEFAULT_WINDOW_DAYS = 90


def today_in(plan: Plan) -> dt.date:
    """Today's date in the plan's planning zone."""
    return dt.datetime.now(plan_zone(plan)).date()


@dataclass(frozen=True, slots=True)
class Window:
    """Calendar days ``start..end`` in the planning zone, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """How many days the window holds."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def resolve_window(
    date_from: dt.date | None,
    date_to: dt.date | None,
    *,
    today: dt.date,
    default_days: int = DEFAULT_WINDOW_DAYS,
) -> Window:
    """The window ``--from``/``--to`` ask for.

    A missing end is today; a missing start is ``default_days`` days before the end (the end
    included).

    Raises:
        ValidationError: the start is after the end.

    Examples:
        >>> import datetime as dt
        >>> w = resolve_window(None, None, today=dt.date(2026, 11, 30))
        >>> w.start, w.days
        (datetime.date(2026, 9, 2), 90)
    """
    end = date_to if date_to is not None else today
    start = date_from if date_from is not None else end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ValidationError([Issue("--from", f"{start} is after --to {end}")])
    return Window(start, end)


def releases_in_scope(
    plan: Plan, *, team: str | None = None, train: str | None = None
) -> dict[str, Release]:
    """The releases of ``team`` and ``train`` (every release when both are None), by key.

    Raises:
        UnknownObjectError: the team or train is not in the plan.
    """
    if team is not None and team not in {t.key for t in plan.teams}:
        raise UnknownObjectError("team", team)
    if train is not None and train not in {t.key for t in plan.trains}:
        raise UnknownObjectError("train", train)
    return {
        r.key: r
        for r in plan.releases
        if (team is None or r.team == team) and (train is None or r.train == train)
    }
