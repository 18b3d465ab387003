"""Plain-text tables of the planning results, for the command line without ``--json``.

Columns are aligned with spaces (numbers to the right); lines carry no trailing spaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from relplan.planning.check import ERROR, WARNING, Problem
from relplan.planning.impact import Impact
from relplan.planning.schedule import Schedule

__all__ = ["format_impact", "format_problems", "format_schedule", "format_table"]


_SCHEDULE_COLUMNS = (
    "KEY",
    "START",
    "TARGET",
    "EARLY START",
    "EARLY FINISH",
    "LATE START",
    "LATE FINISH",
    "FLOAT",
    "SLIP",
    "CRITICAL",
)


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, numeric: Sequence[int] = ()
) -> str:
    """Align rows under headers in columns two spaces apart.

    Args:
        headers: Column titles.
        rows: Cells; each is shown with ``str``.
        numeric: Indexes of columns to align to the right.

    Returns:
        The table, one line per row after the header, without a final newline.

    Examples:
        >>> print(format_table(["KEY", "DAYS"], [["A", 3], ["LONG-KEY", -12]], numeric=[1]))
        KEY       DAYS
        A            3
        LONG-KEY   -12
    """
    cells = [[str(h) for h in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = set(numeric)
    lines = []
    for row in cells:
        parts = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def format_problems(problems: Sequence[Problem]) -> str:
    """``check``'s table: severity, kind, subjects and message, then a count.

    Args:
        problems: Problems as :func:`~relplan.planning.check.check_plan` returns them.

    Returns:
        The text, without a final newline.

    Examples:
        >>> print(format_problems([]))
        No problems found.
        >>> p = Problem("gate_pending", "warning", ("release:A",), "A targets soon")
        >>> print(format_problems([p]))
        SEVERITY  KIND          SUBJECTS   MESSAGE
        warning   gate_pending  release:A  A targets soon
        0 errors, 1 warning
    """
    if not problems:
        return "No problems found."
    table = format_table(
        ["SEVERITY", "KIND", "SUBJECTS", "MESSAGE"],
        [[p.severity, p.kind, ", ".join(p.subjects), p.message] for p in problems],
    )
    errors = sum(p.severity == ERROR for p in problems)
    warnings = sum(p.severity == WARNING for p in problems)
    return f"{table}\n{_count(errors, 'error')}, {_count(warnings, 'warning')}"


def format_schedule(schedule: Schedule) -> str:
    """``schedule``'s table: the end, the critical path and one row per release.

    Args:
        schedule: A schedule from :func:`~relplan.planning.schedule.schedule_plan`.

    Returns:
        The text, without a final newline; critical releases are marked with ``*``.
    """
    head = [f"Train: {schedule.train}"] if schedule.train is not None else []
    if schedule.end is None:
        return "\n".join([*head, "No dated releases take part in the schedule."])
    head.append(f"End: {schedule.end}")
    head.append("Critical path: " + " -> ".join(schedule.critical_path))
    table = format_table(
        [*_SCHEDULE_COLUMNS],
        [
            [
                r.key,
                r.start,
                r.target,
                r.early_start,
                r.early_finish,
                r.late_start,
                r.late_finish,
                r.float_days,
                r.slip_days,
                "*" if r.critical else "",
            ]
            for r in schedule.releases
        ],
        numeric=[7, 8],
    )
    return "\n".join([*head, "", table])


def format_impact(impact: Impact) -> str:
    """``impact``'s text: a summary line, the moved releases, the new and the resolved problems.

    Args:
        impact: An impact from :func:`~relplan.planning.impact.impact_of_slip`.

    Returns:
        The text, without a final newline.
    """
    moves = _count(len(impact.moved), "release")
    summary = (
        f"Slipping {impact.release} by {_signed_days(impact.slip_days)} moves {moves}; "
        f"end {_day(impact.end_before)} -> {_day(impact.end_after)}"
    )
    if impact.end_before is not None and impact.end_after is not None:
        summary += f" ({_signed_days((impact.end_after - impact.end_before).days)})"
    lines = [summary]
    if impact.moved:
        table = format_table(
            ["KEY", "START", "TARGET", "NEW START", "NEW TARGET", "DAYS"],
            [
                [m.key, m.start, m.target, m.new_start, m.new_target, f"{m.days:+d}"]
                for m in impact.moved
            ],
            numeric=[5],
        )
        lines += ["", table]
    if impact.new_problems:
        lines += ["", "New problems:", format_problems(impact.new_problems)]
    else:
        lines += ["", "New problems: none"]
    if impact.resolved_problems:
        lines += ["", "Resolved problems:", format_problems(impact.resolved_problems)]
    else:
        lines += ["", "Resolved problems: none"]
    return "\n".join(lines)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _signed_days(days: int) -> str:
    return f"{days:+d} day" if days in (1, -1) else f"{days:+d} days"


def _day(day: dt.date | None) -> str:
    return "-" if day is None else day.isoformat()
