"""Freezes from an iCalendar file: drop in a company holiday or freeze calendar.

Each all-day ``VEVENT`` becomes a freeze of the same days (``DTEND`` is exclusive, as RFC 5545
says; without ``DTEND`` or ``DURATION`` the event is its start day). An ``RRULE`` is kept as the
freeze's rule. Events a freeze cannot hold (with a time of day, or with ``RDATE``, ``EXDATE`` or
``RECURRENCE-ID``) are skipped, each reported with why (shared/spec/analysis.md, amended
2026-12-04), and the rest is imported; with ``strict`` any such event is an error and nothing is
imported. Events without a summary or with an unreadable rule are errors, one line each, and then
nothing is imported; cancelled events are skipped.

Names must be unique: a name already taken (in the workspace or earlier in the file) gets the
start day appended (``Public holiday (2026-12-26)``), then a counter. A freeze that already exists
with the same name, days and rule is left as it is, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import icalendar

from relplan.domain.bounds import (
    clip,
    day_problem,
    echo,
    name_problem,
    rule_bounds_problem,
)
from relplan.domain.model import Freeze
from relplan.errors import Issue, ValidationError
from relplan.planning.freezes import rule_problem
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace

__all__ = ["FreezeImport", "freezes_from_ics", "import_freezes"]

_UNSUPPORTED = ("RDATE", "EXDATE", "RECURRENCE-ID")


@dataclass(slots=True)
class FreezeImport:
    """What an ICS file gives.

    Attributes:
        freezes: New freezes, in file order, with unique names.
        unchanged: Events that match a freeze already in the workspace.
        skipped: Cancelled events.
        left_out: Events a freeze cannot hold, each with why (``event 3 (Standup): ...``).
        changes: What the import wrote (set by :func:`import_freezes`).
    """

    freezes: list[Freeze] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0
    left_out: list[Issue] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)


def _days(
    event: icalendar.Component, where: str, issues: list[Issue], left_out: list[Issue]
) -> tuple[dt.date, dt.date] | None:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        issues.append(Issue(where, "has no DTSTART"))
        return None
    start = getattr(start_prop, "dt", None)
    if not isinstance(start, dt.date):
        issues.append(Issue(where, "DTSTART is not a date"))
        return None
    if isinstance(start, dt.datetime):
        left_out.append(
            Issue(where, f"starts at {start:%Y-%m-%d %H:%M}: only all-day events become freezes")
        )
        return None
    end_prop = event.get("DTEND")
    duration = event.get("DURATION")
    if end_prop is not None:
        end = getattr(end_prop, "dt", None)
        if not isinstance(end, dt.date):
            issues.append(Issue(where, "DTEND is not a date"))
            return None
        if isinstance(end, dt.datetime):
            issues.append(Issue(where, "DTEND has a time of day but DTSTART is a date"))
            return None
        last = end - dt.timedelta(days=1)
    elif duration is not None:
        length = getattr(duration, "dt", None)
        if not isinstance(length, dt.timedelta):
            issues.append(Issue(where, "DURATION is not a duration"))
            return None
        if length.seconds or length.microseconds:
            issues.append(Issue(where, f"DURATION {length} is not whole days"))
            return None
        last = start + length - dt.timedelta(days=1)
    else:
        last = start
    if last < start:
        issues.append(Issue(where, f"ends ({last + dt.timedelta(days=1)}) before it starts"))
        return None
    return start, last


def _rule(
    event: icalendar.Component, where: str, issues: list[Issue], left_out: list[Issue]
) -> tuple[bool, str | None]:
    """Whether the event's recurrence can be kept, and its rule as text (None: no rule)."""
    for name in _UNSUPPORTED:
        if name in event:
            left_out.append(Issue(where, f"has {name}, which a freeze cannot hold"))
            return False, None
    rules = event.get("RRULE")
    if rules is None:
        return True, None
    if isinstance(rules, list):  # icalendar gives a list only for repeated properties
        issues.append(Issue(where, "has more than one RRULE"))
        return False, None
    text: bytes = rules.to_ical()
    return True, text.decode("utf-8")


def _unique(freeze: Freeze, taken: Mapping[str, Freeze]) -> Freeze | None:
    """The freeze under a free name, or None when an equal one exists already."""
    start = freeze.start.isoformat()
    first = [freeze.name, f"{freeze.name} ({start})"]
    for name in itertools.chain(
        first, (f"{freeze.name} ({start}) {n}" for n in itertools.count(2))
    ):
        other = taken.get(name)
        if other is None:
            return replace(freeze, name=name)
        if replace(other, name=freeze.name) == freeze:
            return None
    raise AssertionError("unreachable: the candidates never end")  # pragma: no cover


# What icalendar raises for input it cannot read (it has no error type of its own).
_UNREADABLE = (ValueError, IndexError, KeyError, TypeError, AttributeError, OverflowError)


def _freeze(
    event: icalendar.Component,
    n: int,
    environments: Sequence[str],
    teams: Sequence[str],
    issues: list[Issue],
    result: FreezeImport,
    strict: bool,
) -> Freeze | None:
    """The freeze of one event, or None (cancelled, left out, or its problems were recorded)."""
    summary = str(event.get("SUMMARY", "")).strip()
    where = f"event {n} ({clip(summary or str(event.get('UID', 'no UID')))})"
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        result.skipped += 1
        return None
    left_out: list[Issue] = []
    days = _days(event, where, issues, left_out)
    rule_ok, rule = _rule(event, where, issues, left_out) if not left_out else (False, None)
    if left_out:  # one reason per event is enough
        (issues if strict else result.left_out).append(left_out[0])
        return None
    if not summary:
        issues.append(Issue(where, "has no SUMMARY to name the freeze"))
    elif (problem := name_problem(summary)) is not None:
        issues.append(Issue(where, f"SUMMARY: {problem}"))
        return None
    if days is None or not rule_ok or not summary:
        return None
    for label, day in (("DTSTART", days[0]), ("end", days[1])):
        if (problem := day_problem(day)) is not None:
            issues.append(Issue(where, f"{label}: {problem}"))
            return None
    if rule is not None and (problem := rule_bounds_problem(rule)) is not None:
        issues.append(Issue(where, f"RRULE: {problem}"))
        return None
    freeze = Freeze(summary, days[0], days[1], tuple(environments), tuple(teams), rule)
    problem = rule_problem(freeze)
    if problem is not None:
        issues.append(Issue(where, problem))
        return None
    return freeze


def freezes_from_ics(
    data: bytes,
    *,
    existing: Iterable[Freeze] = (),
    environments: Sequence[str] = (),
    teams: Sequence[str] = (),
    source: str = "",
    strict: bool = False,
) -> FreezeImport:
    """Read the all-day events of an iCalendar file as freezes.

    Args:
        data: The file's bytes.
        existing: The workspace's freezes (for unique names and unchanged events).
        environments: The new freezes' environments (empty: all).
        teams: The new freezes' teams (empty: all).
        source: The file name, for messages.
        strict: Make an event a freeze cannot hold (timed, RDATE, ...) an error, not a skip.

    Returns:
        The freezes to add, and what was left out.

    Raises:
        ValidationError: the file is not iCalendar, or events cannot become freezes (one issue
            per event).
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"not an iCalendar file: not UTF-8 text (byte {exc.start} cannot be read)"
        raise ValidationError([Issue("", message)], source=source) from None
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
        events = [e for cal in calendars for e in cal.walk("VEVENT")]
    except _UNREADABLE as exc:
        message = f"not an iCalendar file: {clip(str(exc), 120)}"
        raise ValidationError([Issue("", message)], source=source) from None
    issues: list[Issue] = []
    result = FreezeImport()
    taken: dict[str, Freeze] = {f.name: f for f in existing}
    if not events:
        raise ValidationError([Issue("", "holds no events")], source=source)
    for n, event in enumerate(events, start=1):
        where = f"event {n}"
        try:
            freeze = _freeze(event, n, environments, teams, issues, result, strict)
        except _UNREADABLE as exc:
            issues.append(Issue(where, f"cannot be read: {clip(str(exc), 120)}"))
            continue
        if freeze is None:
            continue
        named = _unique(freeze, taken)
        if named is None:
            result.unchanged += 1
            continue
        taken[named.name] = named
        result.freezes.append(named)
    if issues:
        raise ValidationError(issues, source=source)
    return result


def import_freezes(
    ws: Workspace,
    path: str | os.PathLike[str],
    *,
    environments: Sequence[str] = (),
    teams: Sequence[str] = (),
    strict: bool = False,
) -> FreezeImport:
    """Add the all-day events of an iCalendar file as freezes, as one undoable command.

    Args:
        ws: The workspace.
        path: The ``.ics`` file.
        environments: The freezes' environments (empty: all); each must exist.
        teams: The freezes' teams (empty: all); each must exist.
        strict: Refuse the file when an event cannot become a freeze (default: skip it and
            report it in ``left_out``).

    Returns:
        What was imported (``changes`` is empty when nothing was new).

    Raises:
        ValidationError: the file or an event cannot be used, or a scope names nothing; nothing
            was written.
        OSError: the file cannot be read.
    """
    source = str(path)
    # What is new is decided on the state the write applies to (another process may write).
    with ws.write():
        known_envs = TABLES["environment"].existing_keys(ws.conn)
        known_teams = TABLES["team"].existing_keys(ws.conn)
        unknown = [
            Issue("--environment", f"no environment {echo(e)}")
            for e in environments
            if e not in known_envs
        ]
        unknown += [Issue("--team", f"no team {echo(t)}") for t in teams if t not in known_teams]
        if unknown:
            raise ValidationError(unknown, source=source)
        result = freezes_from_ics(
            Path(path).read_bytes(),
            existing=TABLES["freeze"].all(ws.conn, "name"),
            environments=environments,
            teams=teams,
            source=source,
            strict=strict,
        )
        if result.freezes:
            edits = tuple(Edit("freeze", f.name, None, f) for f in result.freezes)
            result.changes = ws.execute(Command(f"Import freezes from {Path(path).name}", edits))
    return result
