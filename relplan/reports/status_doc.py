"""The weekly status report as a :class:`~relplan.reports.document.Document`: the words, tables
and charts, in the order people read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final
from zoneinfo import ZoneInfo

from relplan.metrics.dora import DoraMetrics
from relplan.metrics.report import format_hours
from relplan.planning.check import Problem
from relplan.planning.wording import count, verdict_words
from relplan.reports.document import Block, Bullets, Chart, Document, Heading, Paragraph, Table
from relplan.reports.status import Blocker, StatusReport, Upcoming

__all__ = ["SECTIONS", "day", "status_document"]

#: The sections' anchors, in order (the HTML's ``<section id>``).
SECTIONS: Final = ("headline", "changes", "risk", "critical-path", "ahead", "dora", "charts")
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: A table shows at most this many rows; a note says how many more there are (a report is read,
#: and a large workspace has hundreds of releases at risk: --train and --team narrow it).
MAX_ROWS: Final = 30
#: A day of the small calendar names at most this many things, then "+N more".
MAX_PER_DAY: Final = 3
#: Examples of release pairs named per pair of teams in the blockers table.
_EXAMPLES: Final = 3


def day(value: dt.date | None) -> str:
    """A day for people: ``Fri 2026-12-04``; a dash for none."""
    if value is None:
        return "-"
    return f"{_WEEKDAYS[value.weekday()]} {value.isoformat()}"


def _when(at: dt.datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _signed(days: int) -> str:
    return f"+{days}" if days > 0 else str(days)


def _capped(table: Table, what: str) -> list[Block]:
    """The table cut to :data:`MAX_ROWS` rows, with a note of how many more there are."""
    if len(table.rows) <= MAX_ROWS:
        return [table]
    more = len(table.rows) - MAX_ROWS
    cut = Table(table.headers, table.rows[:MAX_ROWS], table.kind, table.links)
    return [cut, Paragraph(f"... and {count(more, what)} more, not shown.", note=True)]


def _problems(problems: Sequence[Problem]) -> list[Block]:
    rows = tuple((p.severity, p.kind.replace("_", " "), p.message) for p in problems)
    return _capped(Table(("Severity", "Kind", "Problem"), rows, kind="problems"), "problem")


def _headline(report: StatusReport) -> list[Block]:
    blocks: list[Block] = [Heading("Headline", anchor="headline")]
    if not report.headlines:
        what = "no trains" if report.releases else "no releases"
        blocks.append(Paragraph(f"The workspace has {what} to report on.", note=True))
        return blocks
    rows = tuple(
        (h.train, h.name, day(h.target), day(h.forecast), verdict_words(h.verdict), h.words)
        for h in report.headlines
    )
    blocks.append(
        Table(("Train", "Name", "Target", "Forecast (P85)", "Verdict", "In words"), rows, "trains")
    )
    return blocks


def _changes(report: StatusReport) -> list[Block]:
    c = report.changes
    blocks: list[Block] = [
        Heading(f"What changed since {day(report.since)}", anchor="changes"),
        Paragraph(
            f"{count(c.commands, 'change')} recorded in the audit log; "
            f"{count(len(c.moves), 'date move')}, {count(len(c.gates), 'gate decision')}, "
            f"{count(len(c.shipped), 'release')} shipped, "
            f"{count(len(report.new_problems), 'new problem')}, "
            f"{count(len(report.resolved_problems), 'resolved problem')}."
        ),
    ]
    zone = report.zone
    blocks.append(Heading("Dates moved", 3))
    if c.moves:
        moves = tuple(
            (
                m.release, m.field, day(m.before), day(m.after),
                _signed(m.days) + " d" if m.before and m.after else "-",
                m.who, _when(m.at, zone), m.label,
            )
            for m in c.moves
        )  # fmt: skip
        blocks.append(
            Table(
                ("Release", "Date", "From", "To", "Moved", "By", "When", "Change"), moves, "moves"
            )
        )
    else:
        blocks.append(Paragraph("No release dates moved.", note=True))
    blocks.append(Heading("Releases shipped", 3))
    if c.shipped:
        rows = tuple((s.release, s.who, _when(s.at, zone), s.label) for s in c.shipped)
        blocks += _capped(Table(("Release", "By", "When", "Change"), rows, "shipped"), "release")
    else:
        blocks.append(Paragraph("No release shipped.", note=True))
    blocks.append(Heading("Gates decided", 3))
    if c.gates:
        gates = tuple((g.release, g.gate, g.status, g.who, _when(g.at, zone)) for g in c.gates)
        headers = ("Release", "Gate", "Decision", "By", "When")
        blocks += _capped(Table(headers, gates, "gates"), "gate decision")
    else:
        blocks.append(Paragraph("No gate decided.", note=True))
    blocks.append(Heading("New problems", 3))
    blocks += (
        _problems(report.new_problems)
        if report.new_problems
        else [Paragraph("No new problem.", note=True)]
    )
    blocks.append(Heading("Resolved problems", 3))
    blocks += (
        _problems(report.resolved_problems)
        if report.resolved_problems
        else [Paragraph("No problem resolved.", note=True)]
    )
    return blocks


def _risk(report: StatusReport) -> list[Block]:
    blocks: list[Block] = [Heading("At risk", anchor="risk")]
    if not report.at_risk:
        blocks.append(Paragraph("No open release is late or at risk.", note=True))
        return blocks
    rows = tuple(
        (
            r.key, r.team, verdict_words(r.verdict), day(r.target), day(r.forecast_p85),
            f"{r.percent_done:.0f} %", r.reason,
        )
        for r in report.at_risk
    )  # fmt: skip
    headers = ("Release", "Team", "Verdict", "Target", "P85", "Done", "Why")
    blocks += _capped(Table(headers, rows, "risk"), "release")
    return blocks


def _critical(report: StatusReport) -> list[Block]:
    blocks: list[Block] = [Heading("Critical path", anchor="critical-path")]
    if report.critical_path:
        blocks.append(Paragraph(" → ".join(report.critical_path)))
    else:
        blocks.append(Paragraph(f"No critical path: {report.critical_note}.", note=True))
    blocks.append(Heading("Open blockers across teams", 3, anchor="blockers"))
    if report.blockers:
        # Per pair of teams: a large workspace has thousands of release pairs.
        pairs: dict[tuple[str, str], list[Blocker]] = {}
        for b in report.blockers:
            pairs.setdefault((b.team, b.held_by_team), []).append(b)
        ranked = sorted(pairs.items(), key=lambda kv: (-sum(b.items for b in kv[1]), kv[0]))
        rows = tuple(
            (
                team, other, str(len({b.release for b in group})),
                str(sum(b.items for b in group)),
                "\n".join(
                    f"{b.release} waits on {b.held_by} ({b.items})"
                    for b in sorted(group, key=lambda b: (-b.items, b.release))[:_EXAMPLES]
                ),
            )
            for (team, other), group in ranked
        )  # fmt: skip
        headers = ("Team", "Waits on team", "Releases", "Open items", "Most")
        blocks += _capped(Table(headers, rows, "blockers"), "pair of teams")
    else:
        blocks.append(Paragraph("No open release waits on another team.", note=True))
    return blocks


def _ahead(report: StatusReport) -> list[Block]:
    window = report.ahead
    blocks: list[Block] = [
        Heading(f"Next four weeks ({day(window.start)} to {day(window.end)})", anchor="ahead")
    ]
    if not report.upcoming:
        blocks.append(
            Paragraph("No milestone, gate, freeze or Production window is due.", note=True)
        )
        return blocks
    # The small calendar: a row per week, a column per weekday; a span shows on its first day
    # in the window.
    monday = window.start - dt.timedelta(days=window.start.weekday())
    by_day: dict[dt.date, list[Upcoming]] = {}
    for u in report.upcoming:
        by_day.setdefault(max(u.first, window.start), []).append(u)
    rows = []
    for week in range(5):
        start = monday + dt.timedelta(days=7 * week)
        if start > window.end:
            break
        cells = [start.strftime("%d %b")]
        for offset in range(7):
            d = start + dt.timedelta(days=offset)
            today = [f"{u.kind}: {u.subject}" for u in by_day.get(d, ())]
            if len(today) > MAX_PER_DAY:
                today[MAX_PER_DAY - 1 :] = [f"+{len(today) - MAX_PER_DAY + 1} more"]
            cells.append("\n".join(today))
        rows.append(tuple(cells))
    blocks.append(Table(("Week of", *_WEEKDAYS), tuple(rows), "calendar"))
    rows_list = tuple(
        (
            day(u.first) if u.first == u.last else f"{day(u.first)} to {day(u.last)}",
            u.kind, u.subject, u.text,
        )
        for u in report.upcoming
    )  # fmt: skip
    blocks += _capped(Table(("When", "What", "Subject", "Details"), rows_list, "upcoming"), "event")
    return blocks


def _band(band: str | None) -> str:
    return band or "-"


def dora_rows(m: DoraMetrics) -> tuple[tuple[str, str, str], ...]:
    """The four keys as ``(metric, value, band)`` rows."""
    rate = "-" if m.change_failure_rate is None else f"{100 * m.change_failure_rate:.0f} %"
    return (
        ("Deployment frequency", f"{m.per_week:.1f} per week", _band(m.frequency_band)),
        ("Lead time for changes", format_hours(m.lead_time_hours), _band(m.lead_time_band)),
        ("Change failure rate", rate, _band(m.failure_band)),
        ("Time to restore", format_hours(m.time_to_restore_hours), _band(m.restore_band)),
    )


def _dora(report: StatusReport) -> list[Block]:
    m = report.dora
    blocks: list[Block] = [
        Heading(f"Delivery (DORA) from {day(m.window.start)} to {day(m.window.end)}", anchor="dora")
    ]
    if report.deployments == 0:
        blocks.append(
            Paragraph(
                "No deployments are recorded in this workspace, so there are no DORA figures "
                "(import them with relplan deployments import).",
                note=True,
            )
        )
        return blocks
    blocks.append(
        Paragraph(f"{count(m.deployments, 'Production deployment')}; bands: {m.report.name}.")
    )
    blocks.append(Table(("Metric", "Value", "Band"), dora_rows(m), "dora"))
    if m.notes:
        blocks.append(Heading("Data quality", 3))
        blocks.append(Bullets(m.notes))
    return blocks


def _charts(report: StatusReport) -> list[Block]:
    from relplan.charts.burnup import burnup_figure
    from relplan.charts.dora import dora_figure
    from relplan.charts.readiness import readiness_figure

    blocks: list[Block] = [Heading("Charts", anchor="charts")]
    open_ = report.open_releases
    if not open_ and report.deployments == 0:
        blocks.append(Paragraph("Nothing to chart: no open release and no deployment.", note=True))
        return blocks
    if open_:
        blocks.append(
            Chart(
                "readiness",
                "Readiness of open releases",
                lambda: readiness_figure(open_, title="Readiness of open releases"),
            )
        )
    for burnup in report.burnups:
        blocks.append(
            Chart(
                f"burnup-{burnup.key}",
                f"Burn-up of {burnup.key}",
                lambda b=burnup: burnup_figure(b),  # type: ignore[misc]
            )
        )
    if report.deployments:
        weekly = report.dora_weekly
        blocks.append(Chart("dora", "DORA per week", lambda: dora_figure(weekly)))
    return blocks


def status_document(report: StatusReport) -> Document:
    """The report's words, tables and charts."""
    scope = []
    if report.train:
        scope.append(f"train {report.train}")
    if report.team:
        scope.append(f"team {report.team}")
    title = "Release status" + (f": {', '.join(scope)}" if scope else "")
    subtitle = (
        f"{day(report.today)}, changes since {day(report.since)}; "
        f"{count(report.releases, 'release')}; dates in {report.zone}"
    )
    blocks: list[Block] = []
    if report.releases == 0:
        blocks.append(
            Paragraph("This workspace holds no releases yet: there is nothing to report.", True)
        )
    for part in (_headline, _changes, _risk, _critical, _ahead, _dora, _charts):
        blocks += part(report)
    return Document(title, subtitle, tuple(blocks))
