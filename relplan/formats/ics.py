"""The plan as an iCalendar file (RFC 5545) that any calendar program can subscribe to.

One ``VEVENT`` per release (``start..target``), per milestone (its day), per stage window, per
rollout step of a stage (its day) and per freeze window (shared/spec/analysis.md, ``export``):

- Days are all-day events (``VALUE=DATE``) with an exclusive ``DTEND`` (the day after the last).
  A freeze with times of day is a timed event in the planning zone (``TZID``), and the calendar
  carries a matching ``VTIMEZONE``. A recurring freeze keeps its ``RRULE`` (not the expansion).
- ``UID`` is derived from what the event is about (kind and keys, :func:`event_uid`), so the same
  object has the same UID in every export and a calendar that imports the file again updates
  events instead of doubling them.
- ``SEQUENCE`` and ``LAST-MODIFIED`` come from the workspace's audit log
  (:func:`read_revisions`): each change of the object behind an event (done, undone or redone)
  counts, so both only ever grow.
- Cancelled releases stay, as ``STATUS:CANCELLED``; freezes are ``TRANSP:TRANSPARENT`` (they do
  not make anyone busy); ``CATEGORIES`` names the team(s) and the kind; ``DESCRIPTION`` carries
  the status, readiness and open problems; ``URL`` links back to the source item when the
  object was synced from a tracker.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TextIO, cast
from zoneinfo import ZoneInfo

import icalendar

from relplan import __version__
from relplan.domain import codec
from relplan.domain.model import RELEASE_PREFIX, Freeze, Plan, Release
from relplan.formats.export_filter import ExportFilter
from relplan.formats.ics_revisions import (
    Identity,
    Revision,
    read_revisions,
    read_source_urls,
    release_identities,
)
from relplan.formats.ics_writer import (
    Property,
    date_value,
    escape_text,
    fold,
    icalendar_line,
    timezone_text,
    utc_value,
    write_component,
)
from relplan.planning.check import FREEZE_PREFIX, Problem, check_plan
from relplan.planning.freezes import (
    first_window,
    rule_problem,
    split_until,
    until_local,
)
from relplan.planning.graph import PlanIndex
from relplan.planning.tally import Tally, tallies_of_rows
from relplan.store.workspace import Workspace

__all__ = [
    "PRODID",
    "UID_DOMAIN",
    "CalendarContext",
    "ExportFilter",
    "Revision",
    "build_calendar",
    "event_uid",
    "export_calendar",
    "read_revisions",
    "read_source_urls",
    "release_identities",
    "workspace_calendar",
    "workspace_context",
    "write_calendar",
]

PRODID: Final = f"-//relplan//relplan {__version__}//EN"
#: Every UID relplan writes ends with ``@`` and this, so publishing can tell its events apart.
UID_DOMAIN: Final = "relplan"
_NAMESPACE: Final = uuid.UUID("28bf64ec-eb6b-48e1-9362-1a64862daff8")
#: Problems listed per event description; the rest are counted ("and N more").
MAX_PROBLEMS: Final = 10
#: Characters of a problem message in an event description (longer ones are cut).
MESSAGE_CHARS: Final = 300
#: Characters of an event summary (a release, milestone or freeze name is cut to fit).
NAME_CHARS: Final = 200
_TZ_YEARS_AHEAD: Final = 5  # VTIMEZONE transitions written beyond the plan for endless rules
_DAY: Final = dt.timedelta(days=1)


def event_uid(identity: Identity) -> str:
    """The UID of the event about ``identity``: the same in every export, in every workspace.

    Examples:
        >>> event_uid(("release", "PAY-2026.12"))
        '...@relplan'
        >>> event_uid(("release", "A")) == event_uid(("release", "A"))
        True
    """
    return f"{uuid.uuid5(_NAMESPACE, chr(31).join(identity))}@{UID_DOMAIN}"


@dataclass(frozen=True, slots=True)
class CalendarContext:
    """What an export needs besides the plan.

    Attributes:
        name: The calendar's name (``X-WR-CALNAME``).
        stamp: When the export is made (``DTSTAMP`` of events whose revision time is unknown).
        revisions: Each event identity's revision (see :func:`read_revisions`).
        urls: Source-item URLs by ``(entity, key)`` (see :func:`read_source_urls`).
        problems: The plan's open problems (``check``), shown with the events they concern.
        progress: Each release's work items counted (the readiness :class:`Tally`), for the
            readiness lines; None: counted from the plan's work items (a workspace counts them
            in SQL instead, see :func:`workspace_context`).
    """

    name: str
    stamp: dt.datetime
    revisions: Mapping[Identity, Revision] = field(default_factory=dict)
    urls: Mapping[tuple[str, str], str] = field(default_factory=dict)
    problems: Sequence[Problem] = ()
    progress: Mapping[str, Tally] | None = None


# --- building -----------------------------------------------------------------------------------

#: An event before writing: its sort key (first day, kind, UID), kind and content lines.
_Event = tuple[dt.date, int, str, str, list[Property]]


def write_calendar(
    plan: Plan,
    context: CalendarContext,
    out: TextIO,
    *,
    selection: ExportFilter | None = None,
) -> Counter[str]:
    """Write the plan (or the part ``selection`` keeps) as an iCalendar file to ``out``.

    The bytes are those icalendar's ``Calendar.to_ical()`` would give for the same events
    (:mod:`relplan.formats.ics_writer`), written event by event.

    Args:
        plan: The plan.
        context: Name, time, revisions, URLs and problems.
        out: A text stream that keeps line ends as written (``newline=""``).
        selection: Which releases, freezes and days to keep (default: everything).

    Returns:
        How many events of each kind (``release``, ``stage``, ``milestone``, ``freeze``).
    """
    keep = selection or ExportFilter()
    builder = _Builder(plan, context)
    events: list[_Event] = []
    for release in plan.releases:
        if keep.keeps_release(release):
            events += builder.release_events(release, keep)
    for freeze in plan.freezes:
        if keep.keeps_freeze(freeze, plan, zone=plan.timezone):
            events.append(builder.freeze_event(freeze))
    header = [
        ("VERSION", "VERSION:2.0"),
        ("PRODID", f"PRODID:{escape_text(PRODID)}"),
        ("CALSCALE", "CALSCALE:GREGORIAN"),
        ("X-WR-CALNAME", f"X-WR-CALNAME:{escape_text(context.name)}"),
    ]
    out.write("BEGIN:VCALENDAR\r\n")
    out.write("".join(fold(line) + "\r\n" for _, line in header))
    if builder.timed_days:
        first, last = min(builder.timed_days), max(builder.timed_days)
        out.write(timezone_text(plan.timezone, first - _DAY, last + _DAY))
    kinds: Counter[str] = Counter()
    events.sort(key=lambda e: e[:3])
    for chunk in range(0, len(events), 500):  # a few large writes rather than 18,000 small
        part = events[chunk : chunk + 500]
        out.write("".join(write_component("VEVENT", e[4]) for e in part))
        kinds.update(e[3] for e in part)
    out.write("END:VCALENDAR\r\n")
    return kinds


def build_calendar(
    plan: Plan, context: CalendarContext, *, selection: ExportFilter | None = None
) -> icalendar.Calendar:
    """The plan (or the part ``selection`` keeps) as an icalendar calendar object.

    For callers that need the events as objects (publishing); files are written with
    :func:`write_calendar`, which this parses.

    Args:
        plan: The plan.
        context: Name, time, revisions, URLs and problems.
        selection: Which releases, freezes and days to keep (default: everything).

    Returns:
        The calendar; ``to_ical()`` gives the file's bytes.
    """
    text = io.StringIO(newline="")
    write_calendar(plan, context, text, selection=selection)
    calendar = icalendar.Calendar.from_ical(text.getvalue())
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis), so one long name or message
    cannot blow up every event that repeats it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Builder:
    """Makes the events of one export (one per call), sharing lookups."""

    def __init__(self, plan: Plan, context: CalendarContext) -> None:
        self.plan = plan
        self.context = context
        self.zone = plan.timezone
        self.problems: dict[str, list[Problem]] = defaultdict(list)
        for problem in context.problems:
            for subject in problem.subjects:
                self.problems[subject].append(problem)
        progress = context.progress
        if progress is None:
            from relplan.planning.readiness import ItemFacts  # numpy: only for a plan's items

            progress = ItemFacts.of_plan(plan).tallies
        self.tallies = progress
        self.team_names = {t.key: t.name for t in plan.teams}
        #: Days of timed events (and their rules' reach), for the VTIMEZONE's range.
        self.timed_days: list[dt.date] = []
        self._stamp = utc_value(context.stamp)

    # -- releases ---------------------------------------------------------------------------
    def release_events(self, release: Release, keep: ExportFilter) -> list[_Event]:
        identities = release_identities(codec.encode_release(release))
        about = self._release_text(release)
        url = self.context.urls.get(("release", release.key))
        status = "CANCELLED" if release.status == "cancelled" else "CONFIRMED"
        found = []
        for identity, payload in identities.items():
            kind = identity[0]
            if kind == "release":
                if release.target is None:
                    continue
                first = release.start or release.target
                last = release.target
                summary = f"{release.name} ({release.key})"
                lead = f"Release {release.key} of team {self._team(release.team)}"
            elif kind == "milestone":
                first = last = dt.date.fromisoformat(payload[0]["date"])
                summary = f"{release.name}: {payload[0]['name']}"
                lead = f"Milestone of release {release.key}"
            elif kind == "step":
                step, env, strategy = payload[0], payload[1], str(payload[2]).replace("_", " ")
                first = last = dt.date.fromisoformat(step["date"])
                summary = f"{release.name}: {env} at {step['percent']} %"
                lead = f"Rollout step ({strategy}) of release {release.key} in {env}"
            else:
                stage = payload[0]
                first = dt.date.fromisoformat(stage["start"])
                last = dt.date.fromisoformat(stage["end"])
                strategy = str(stage["strategy"]).replace("_", " ")
                summary = f"{release.name}: {stage['environment']} ({strategy})"
                lead = f"Stage window of release {release.key} in {stage['environment']}"
            if last < first or not keep.keeps_days(first, last):
                continue
            uid = event_uid(identity)
            lines = self._event(identity, uid, summary, f"{lead}\n{about}", url)
            lines += [
                ("DTSTART", f"DTSTART;VALUE=DATE:{date_value(first)}"),
                ("DTEND", f"DTEND;VALUE=DATE:{date_value(last + _DAY)}"),
                ("STATUS", f"STATUS:{status}"),
                ("CATEGORIES", f"CATEGORIES:{_categories([release.team, kind])}"),
            ]
            found.append((first, _KIND_ORDER[kind], uid, kind, lines))
        return found

    def _release_text(self, release: Release) -> str:
        lines = [f"Status: {release.status.replace('_', ' ')}", self._readiness(release)]
        if release.train:
            lines.append(f"Train: {release.train}")
        lines += self._problem_lines(RELEASE_PREFIX + release.key)
        return "\n".join(lines)

    def _readiness(self, release: Release) -> str:
        tally = self.tallies.get(release.key) or Tally()
        text = f"Readiness: {tally.done} of {tally.items} work items done"
        if tally.items and tally.all_pointed:
            if tally.points_total > 0:
                text += f" ({tally.points_done / tally.points_total:.0%} of points)"
        elif tally.items:
            text += f" ({tally.done / tally.items:.0%})"
        if release.gates:
            approved = sum(1 for g in release.gates if g.status == "approved")
            text += f"; {approved} of {len(release.gates)} gates approved"
        return text

    def _problem_lines(self, subject: str) -> list[str]:
        problems = self.problems.get(subject, [])
        if not problems:
            return ["Open problems: none"]
        lines = [f"Open problems ({len(problems)}):"]
        lines += [
            f"- {p.severity} {p.kind}: {_clip(p.message, MESSAGE_CHARS)}"
            for p in problems[:MAX_PROBLEMS]
        ]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"- and {len(problems) - MAX_PROBLEMS} more (relplan check)")
        return lines

    def _team(self, key: str) -> str:
        name = self.team_names.get(key)
        return f"{name} ({key})" if name and name != key else key

    # -- freezes ----------------------------------------------------------------------------
    def freeze_event(self, freeze: Freeze) -> _Event:
        identity = ("freeze", freeze.name)
        envs = ", ".join(freeze.environments) or "all environments"
        teams = ", ".join(self._team(t) for t in freeze.teams) or "all teams"
        lines = [f"Freeze: nothing ships to {envs} for {teams}"]
        problem = rule_problem(freeze, zone=self.zone)
        if freeze.rrule is not None:
            lines.append(
                f"Repeats: {freeze.rrule}" if problem is None else f"Not repeated: {problem}"
            )
        lines += self._problem_lines(FREEZE_PREFIX + freeze.name)
        url = self.context.urls.get(("freeze", freeze.name))
        uid = event_uid(identity)
        summary = f"Freeze: {freeze.name}"
        event = self._event(identity, uid, summary, "\n".join(lines), url)
        window = first_window(freeze)
        if freeze.start_time is None and freeze.end_time is None:
            event.append(("DTSTART", f"DTSTART;VALUE=DATE:{date_value(freeze.start)}"))
            event.append(("DTEND", f"DTEND;VALUE=DATE:{date_value(freeze.end + _DAY)}"))
        else:
            zone = ZoneInfo(self.zone)
            event.append(icalendar_line("dtstart", window.start.replace(tzinfo=zone)))
            event.append(icalendar_line("dtend", window.end.replace(tzinfo=zone)))
            self.timed_days += [window.first_day, window.last_day]
        if freeze.rrule is not None and problem is None:
            event.append(icalendar_line("rrule", self._rule(freeze)))
        event.append(("STATUS", "STATUS:CONFIRMED"))
        event.append(("CATEGORIES", f"CATEGORIES:{_categories([*freeze.teams, 'freeze'])}"))
        return (freeze.start, _KIND_ORDER["freeze"], uid, "freeze", event)

    def _rule(self, freeze: Freeze) -> icalendar.vRecur:
        """The freeze's rule, with ``UNTIL`` in the form RFC 5545 wants for its start."""
        assert freeze.rrule is not None
        text, until = split_until(freeze.rrule)
        rule: icalendar.vRecur = icalendar.vRecur.from_ical(text)
        timed = freeze.start_time is not None or freeze.end_time is not None
        if until is None:
            if timed:  # the VTIMEZONE must reach as far as the rule may
                self.timed_days.append(
                    freeze.start.replace(year=freeze.start.year + _TZ_YEARS_AHEAD)
                )
            return rule
        # The same reading of UNTIL as the checks use (relplan.planning.freezes).
        local = until_local(until, self.zone).replace(microsecond=0)
        if timed:
            rule["UNTIL"] = [local.replace(tzinfo=ZoneInfo(self.zone)).astimezone(dt.UTC)]
            self.timed_days.append(local.date() + (freeze.end - freeze.start) + _DAY)
        else:
            rule["UNTIL"] = [local.date()]
        return rule

    # -- common -----------------------------------------------------------------------------
    def _event(
        self, identity: Identity, uid: str, summary: str, text: str, url: str | None
    ) -> list[Property]:
        """The lines every event has; a plan is not busy time, so every event is TRANSPARENT."""
        revision = self.context.revisions.get(identity, Revision())
        stamp = self._stamp if revision.modified is None else utc_value(revision.modified)
        lines = [
            ("UID", f"UID:{escape_text(uid)}"),
            ("DTSTAMP", f"DTSTAMP:{stamp}"),
            ("SEQUENCE", f"SEQUENCE:{revision.sequence}"),
            ("SUMMARY", f"SUMMARY:{escape_text(_clip(summary, NAME_CHARS))}"),
            ("DESCRIPTION", f"DESCRIPTION:{escape_text(text)}"),
            ("TRANSP", "TRANSP:TRANSPARENT"),
        ]
        if revision.modified is not None:
            lines.append(("LAST-MODIFIED", f"LAST-MODIFIED:{stamp}"))
        if url:
            lines.append(("URL", f"URL:{url}"))
        return lines


def _categories(names: Iterable[str]) -> str:
    return ",".join(escape_text(n) for n in names)


_KIND_ORDER: Final = {"freeze": 0, "release": 1, "stage": 2, "milestone": 3, "step": 4}


# --- from a workspace ---------------------------------------------------------------------------


def workspace_context(
    ws: Workspace,
    plan: Plan,
    *,
    today: dt.date,
    selection: ExportFilter | None = None,
    name: str | None = None,
    stamp: dt.datetime | None = None,
    index: PlanIndex | None = None,
) -> CalendarContext:
    """What an export of an open workspace's plan needs besides the plan.

    The work items' readiness columns are read from the workspace, so ``plan`` may be its
    release-level plan (:meth:`Workspace.release_plan`) with ``index`` from its columns.

    Args:
        ws: The workspace.
        plan: Its plan.
        today: The day problems are judged against (``check --today``).
        selection: Which part of the plan (named in the default calendar name).
        name: The calendar's name (default: ``relplan: <file name>`` and the filter).
        stamp: The export time (default: now).
        index: The plan's index for ``check`` (default: built from ``plan``).
    """
    if name is None:
        wanted = (selection or ExportFilter()).describe()
        name = f"relplan: {ws.path.stem}" + (f" ({wanted})" if wanted else "")
    return CalendarContext(
        name=name,
        stamp=stamp or dt.datetime.now(dt.UTC).replace(microsecond=0),
        revisions=read_revisions(ws.conn),
        urls=read_source_urls(ws.conn),
        problems=check_plan(plan, today=today, index=index),
        progress=tallies_of_rows(ws.release_tallies()),
    )


def _release_level(ws: Workspace) -> tuple[Plan, PlanIndex]:
    """The workspace's releases and freezes, and their links (and cycles) from the analysis
    cache: all a calendar needs, without building 100,000 work items or searching 150,000
    dependencies for cycles again."""
    from relplan.planning.links import release_index

    with ws.read_snapshot():
        plan = ws.release_plan()
        return plan, release_index(plan, ws)


def export_calendar(
    ws: Workspace,
    path: str | os.PathLike[str],
    *,
    today: dt.date,
    selection: ExportFilter | None = None,
    name: str | None = None,
) -> tuple[int, Counter[str]]:
    """Write the calendar of an open workspace to ``path`` (all or nothing).

    This is what ``relplan export ics`` and File → Export Calendar do.

    Args:
        ws: The workspace.
        path: The ``.ics`` file.
        today: The day problems are judged against.
        selection: Which part of the plan (default: all of it).
        name: The calendar's name (default: ``relplan: <file name>`` and the filter).

    Returns:
        The file's size in bytes and the number of events of each kind.

    Raises:
        ValidationError: the folder of ``path`` does not exist.
    """
    from relplan.formats.workspace_io import check_output_folder, open_output

    check_output_folder(path)
    plan, index = _release_level(ws)
    context = workspace_context(ws, plan, today=today, selection=selection, name=name, index=index)
    with open_output(path) as out:
        kinds = write_calendar(plan, context, cast(TextIO, out), selection=selection)
    return os.path.getsize(path), kinds


def workspace_calendar(
    ws: Workspace,
    *,
    today: dt.date,
    selection: ExportFilter | None = None,
    name: str | None = None,
    stamp: dt.datetime | None = None,
) -> icalendar.Calendar:
    """The calendar of an open workspace as objects: its plan with revisions, source URLs and
    problems (what ``relplan publish caldav`` sends).

    Args:
        ws: The workspace.
        today: The day problems are judged against (``check --today``).
        selection: Which part of the plan (default: all of it).
        name: The calendar's name (default: ``relplan: <file name>`` and the filter).
        stamp: The export time (default: now).

    Returns:
        The calendar.
    """
    plan, index = _release_level(ws)
    context = workspace_context(
        ws, plan, today=today, selection=selection, name=name, stamp=stamp, index=index
    )
    return build_calendar(plan, context, selection=selection)
