"""Freeze windows as occurrences: recurring freezes expanded, times of day mapped to days.

A :class:`~relplan.domain.model.Freeze` describes its first window (``start``/``end`` days,
optionally narrowed by ``start_time``/``end_time`` in the planning zone) and may repeat it with an
RFC 5545 ``rrule``. Each repetition is an occurrence of the same length that begins where the rule
says; the rule is expanded here with :mod:`dateutil.rrule`, always within a bounded range of days,
so an endless rule costs only what the range holds.

**Times of day and the day-based checks.** ``check`` works on calendar days (a stage window is a
run of days). An occurrence covers every day that any part of its window touches: a freeze from
Friday 16:00 to Monday 08:00 covers Friday, Saturday, Sunday and Monday. The window's end is
exclusive, so a window that ends at 00:00 does not cover the day it ends on. Recurrence is in
wall-clock time of the planning zone (as RFC 5545 expands a rule with a ``TZID``), so "every Friday
16:00" stays at 16:00 across daylight-saving changes.

A rule that cannot be read (see :func:`rule_problem`) repeats nothing: the freeze is its first
window only.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from relplan.domain.model import Freeze

__all__ = [
    "MAX_OCCURRENCES",
    "FreezeDays",
    "Occurrence",
    "first_window",
    "occurrences",
    "rule_problem",
    "split_until",
    "until_local",
]

#: At most this many occurrences are expanded per freeze and range (a rule such as
#: ``FREQ=MINUTELY`` over years would otherwise be millions).
MAX_OCCURRENCES: Final = 5_000

_MIDNIGHT: Final = dt.time(0, 0)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One window of a freeze, in wall-clock time of the planning zone (naive datetimes).

    Attributes:
        start: When it begins.
        end: When it ends (exclusive).
    """

    start: dt.datetime
    end: dt.datetime

    @property
    def first_day(self) -> dt.date:
        """The first day the window touches."""
        return self.start.date()

    @property
    def last_day(self) -> dt.date:
        """The last day the window touches (an end at 00:00 does not touch its day).

        Examples:
            >>> import datetime as dt
            >>> Occurrence(dt.datetime(2026, 11, 6, 16), dt.datetime(2026, 11, 9, 8)).last_day
            datetime.date(2026, 11, 9)
            >>> Occurrence(dt.datetime(2026, 11, 6), dt.datetime(2026, 11, 7)).last_day
            datetime.date(2026, 11, 6)
        """
        if self.end <= self.start:
            return self.start.date()
        return (self.end - dt.timedelta(microseconds=1)).date()


def first_window(freeze: Freeze) -> Occurrence:
    """The freeze's first window: from ``start`` (at ``start_time``, else 00:00) to ``end`` (at
    ``end_time``, else the end of the day).

    Args:
        freeze: The freeze.

    Returns:
        The window.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Freeze
        >>> weekend = Freeze(
        ...     "Weekend", dt.date(2026, 11, 6), dt.date(2026, 11, 9),
        ...     start_time=dt.time(16), end_time=dt.time(8),
        ... )
        >>> w = first_window(weekend)
        >>> str(w.start), str(w.end)
        ('2026-11-06 16:00:00', '2026-11-09 08:00:00')
    """
    start = dt.datetime.combine(freeze.start, freeze.start_time or _MIDNIGHT)
    if freeze.end_time is None:
        end = dt.datetime.combine(freeze.end + dt.timedelta(days=1), _MIDNIGHT)
    else:
        end = dt.datetime.combine(freeze.end, freeze.end_time)
    return Occurrence(start, max(end, start))


def split_until(rule: str) -> tuple[str, str | None]:
    """Take ``UNTIL`` out of a rule (and an ``RRULE:`` prefix off it).

    ``UNTIL`` is kept apart because its form must match the start's (a date for all-day windows,
    a UTC time for timed ones; RFC 5545 3.3.10), which the caller decides.

    Args:
        rule: An RFC 5545 recurrence rule such as ``FREQ=WEEKLY;UNTIL=20261231``.

    Returns:
        The rule without ``UNTIL``, and the ``UNTIL`` value (None when absent).

    Examples:
        >>> split_until("RRULE:FREQ=WEEKLY;UNTIL=20261231;BYDAY=FR")
        ('FREQ=WEEKLY;BYDAY=FR', '20261231')
        >>> split_until("FREQ=DAILY")
        ('FREQ=DAILY', None)
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    kept: list[str] = []
    until: str | None = None
    for part in text.split(";"):
        name, _, value = part.partition("=")
        if name.strip().upper() == "UNTIL":
            until = value.strip()
        elif part.strip():
            kept.append(part.strip())
    return ";".join(kept), until


def until_local(value: str, zone: str) -> dt.datetime:
    """A rule's ``UNTIL`` as a naive wall-clock time of the planning zone (a date: the end of
    that day; a UTC time: converted to the zone).

    Args:
        value: ``YYYYMMDD``, ``YYYYMMDDTHHMMSS`` or ``YYYYMMDDTHHMMSSZ``.
        zone: The planning zone.

    Returns:
        The local time.

    Raises:
        ValueError: the value is neither ``YYYYMMDD`` nor ``YYYYMMDDTHHMMSS[Z]``.
    """
    text = value.strip().upper()
    if len(text) == 8:
        day = dt.datetime.strptime(text, "%Y%m%d").date()
        return dt.datetime.combine(day, dt.time.max)
    if text.endswith("Z"):
        utc = dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        return utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%S")


def _parse(freeze: Freeze, zone: str) -> tuple[rrule, dt.datetime | None]:
    """The freeze's rule from its first window's start, and its ``UNTIL`` (local).

    Raises:
        ValueError: the rule cannot be read.
    """
    assert freeze.rrule is not None
    text, until = split_until(freeze.rrule)
    if "FREQ=" not in text.upper():
        raise ValueError("the rule has no FREQ")
    parsed = rrulestr(text, dtstart=first_window(freeze).start)
    if not isinstance(parsed, rrule):  # rrulestr gives a set only for RDATE/EXDATE lines
        raise TypeError("expected a single RRULE")
    return parsed, None if until is None else until_local(until, zone)


def rule_problem(freeze: Freeze, *, zone: str = "UTC") -> str | None:
    """What is wrong with a freeze's ``rrule``, or None when it is fine (or absent).

    Args:
        freeze: The freeze.
        zone: The planning zone (``UNTIL`` in UTC is converted to it).

    Returns:
        One line, or None.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Freeze
        >>> day = dt.date(2026, 11, 6)
        >>> rule_problem(Freeze("F", day, day, rrule="FREQ=WEEKLY;BYDAY=FR")) is None
        True
        >>> rule_problem(Freeze("F", day, day, rrule="FREQ=SOMETIMES"))
        "rrule 'FREQ=SOMETIMES' cannot be read: invalid 'FREQ': SOMETIMES"
    """
    if freeze.rrule is None:
        return None
    try:
        _parse(freeze, zone)
    except (ValueError, TypeError, OverflowError) as exc:
        return f"rrule {freeze.rrule!r} cannot be read: {exc}"
    return None


def occurrences(
    freeze: Freeze,
    *,
    first: dt.date,
    last: dt.date,
    zone: str = "UTC",
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """The freeze's windows that touch a day of ``first..last``, in order.

    Args:
        freeze: The freeze.
        first: The first day of the range.
        last: The last day of the range.
        zone: The planning zone (only needed to read an ``UNTIL`` given in UTC).
        limit: At most this many occurrences.

    Returns:
        The occurrences; for a freeze without a rule (or with one that cannot be read), its
        first window when that touches the range.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Freeze
        >>> weekend = Freeze(
        ...     "Weekend", dt.date(2026, 11, 6), dt.date(2026, 11, 9),
        ...     start_time=dt.time(16), end_time=dt.time(8), rrule="FREQ=WEEKLY;BYDAY=FR",
        ... )
        >>> [(o.first_day.isoformat(), o.last_day.isoformat())
        ...  for o in occurrences(weekend, first=dt.date(2026, 11, 10), last=dt.date(2026, 11, 23))]
        [('2026-11-13', '2026-11-16'), ('2026-11-20', '2026-11-23')]
    """
    window = first_window(freeze)
    if last < first:
        return []
    parsed: tuple[rrule, dt.datetime | None] | None = None
    if freeze.rrule is not None:
        try:
            parsed = _parse(freeze, zone)
        except (ValueError, TypeError, OverflowError):
            parsed = None
    if parsed is None:
        touches = window.first_day <= last and window.last_day >= first
        return [window] if touches else []
    rule, until = parsed
    length = window.end - window.start
    # A window that begins before `first` may still reach into it.
    begin = max(dt.datetime.combine(first, _MIDNIGHT) - length, window.start)
    stop = dt.datetime.combine(last, dt.time.max)
    if until is not None:
        stop = min(stop, until)
    rule = _skip_ahead(rule, freeze, begin)
    found: list[Occurrence] = []
    for start in rule.xafter(begin, inc=True):
        if start > stop or len(found) >= limit:
            break
        occurrence = Occurrence(start, start + length)
        if occurrence.last_day >= first:
            found.append(occurrence)
    return found


_STEP_DAYS: Final = {"DAILY": 1, "WEEKLY": 7}


def _skip_ahead(rule: rrule, freeze: Freeze, begin: dt.datetime) -> rrule:
    """The same rule started closer to ``begin``, so that expanding it costs what the range holds.

    A daily or weekly rule without ``COUNT`` repeats every ``INTERVAL`` days or weeks whatever its
    start, so moving the start forward by whole periods keeps every later occurrence (a rule
    from 1900 would otherwise be stepped through day by day up to the range). Other rules are
    kept: monthly and yearly ones take few steps, and ``COUNT`` counts from the real start.
    """
    assert freeze.rrule is not None
    text, _ = split_until(freeze.rrule)
    parts = dict(p.partition("=")[::2] for p in text.upper().replace(" ", "").split(";"))
    step = _STEP_DAYS.get(parts.get("FREQ", ""))
    interval = parts.get("INTERVAL", "1")
    if step is None or "COUNT" in parts or not interval.isdigit() or int(interval) < 1:
        return rule
    period = dt.timedelta(days=step * int(interval))
    start = first_window(freeze).start
    periods = (begin - start) // period - 1
    if periods <= 0:
        return rule
    return rule.replace(dtstart=start + periods * period)


class FreezeDays:
    """A freeze's occurrences over a range of days, as day-based freezes for ``check``.

    Each occurrence becomes a :class:`Freeze` of the same name and scope whose ``start``/``end``
    are the days it touches (no rule, no times), so the day checks need not know about rules.
    A freeze with whole days and no rule is kept as it is.

    Args:
        freeze: The freeze.
        first: The first day of interest.
        last: The last day of interest.
        zone: The planning zone.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Freeze
        >>> fridays = Freeze("Fri", dt.date(2026, 11, 6), dt.date(2026, 11, 6), rrule="FREQ=WEEKLY")
        >>> days = FreezeDays(fridays, first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 30))
        >>> hits = days.between(dt.date(2026, 11, 10), dt.date(2026, 11, 20))
        >>> [f.start.isoformat() for f in hits]
        ['2026-11-13', '2026-11-20']
    """

    __slots__ = ("_ends", "_starts", "windows")

    def __init__(self, freeze: Freeze, *, first: dt.date, last: dt.date, zone: str = "UTC") -> None:
        if freeze.rrule is None and freeze.start_time is None and freeze.end_time is None:
            self.windows: Sequence[Freeze] = (freeze,) if freeze.start <= freeze.end else ()
        else:
            self.windows = [
                replace(
                    freeze,
                    start=o.first_day,
                    end=o.last_day,
                    rrule=None,
                    start_time=None,
                    end_time=None,
                )
                for o in occurrences(freeze, first=first, last=last, zone=zone)
            ]
        # Occurrences of one rule have one length, so both lists are sorted.
        self._starts = [w.start for w in self.windows]
        self._ends = [w.end for w in self.windows]

    def between(self, first: dt.date, last: dt.date) -> Sequence[Freeze]:
        """The day windows that share a day with ``first..last``."""
        low = bisect.bisect_left(self._ends, first)
        high = bisect.bisect_right(self._starts, last)
        return self.windows[low:high]
