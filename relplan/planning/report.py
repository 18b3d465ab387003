"""Plain-text tables of the planning results, for the command line without ``--json``.

Columns are aligned with spaces (numbers to the right); lines carry no trailing spaces.
"""

from __future__ import annotations

import datetime as dt
import textwrap
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


#: ``check``'s table names this many subjects of a problem, then "and N more".
SUBJECTS_SHOWN = 3
#: A wrapped column is never made narrower than this.
_MIN_WRAP_WIDTH = 16


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[int] = (),
    width: int | None = None,
    wrap: Sequence[int] = (),
) -> str:
    """Align rows under headers in columns two spaces apart.

    Args:
        headers: Column titles.
        rows: Cells; each is shown with ``str``.
        numeric: Indexes of columns to align to the right.
        width: The longest line wanted (a terminal's width); None: no limit.
        wrap: Indexes of columns whose cells may wrap onto more lines to keep within ``width``.

    Returns:
        The table, one line per row after the header (more where a cell wraps), without a
        final newline.

    Examples:
        >>> print(format_table(["KEY", "DAYS"], [["A", 3], ["LONG-KEY", -12]], numeric=[1]))
        KEY       DAYS
        A            3
        LONG-KEY   -12
    """
    cells = [[str(h) for h in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if width is not None and wrap:
        widths = _fit(widths, width, wrap)
    right = set(numeric)
    lines = []
    for row in cells:
        columns = [
            textwrap.wrap(cell, w, break_on_hyphens=False) or [""] if i in wrap else [cell]
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        for n in range(max(len(column) for column in columns)):
            parts = []
            for i, (column, w) in enumerate(zip(columns, widths, strict=True)):
                cell = column[n] if n < len(column) else ""
                parts.append(cell.rjust(w) if i in right else cell.ljust(w))
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _fit(widths: list[int], width: int, wrap: Sequence[int]) -> list[int]:
    """Narrow the ``wrap`` columns so that a line fits in ``width`` (each to a fair share)."""
    fixed = sum(w for i, w in enumerate(widths) if i not in wrap) + 2 * (len(widths) - 1)
    room = max(width - fixed, _MIN_WRAP_WIDTH * len(wrap))
    fitted = list(widths)
    # Narrow columns keep their width; the room they leave goes to the wider ones.
    for n, i in enumerate(sorted(wrap, key=lambda i: widths[i])):
        share = max(room // (len(wrap) - n), _MIN_WRAP_WIDTH)
        fitted[i] = min(widths[i], share)
        room -= fitted[i]
    return fitted


def subjects_text(subjects: Sequence[str], shown: int = SUBJECTS_SHOWN) -> str:
    """A problem's subjects for people: the first few, then "and N more".

    Examples:
        >>> subjects_text(["release:A", "release:B"])
        'release:A, release:B'
        >>> subjects_text([f"release:R{n}" for n in range(31)])
        'release:R0, release:R1, release:R2 and 28 more'
    """
    if len(subjects) <= shown + 1:
        return ", ".join(subjects)
    return f"{', '.join(subjects[:shown])} and {len(subjects) - shown} more"


def format_problems(problems: Sequence[Problem], *, width: int | None = None) -> str:
    """``check``'s table: severity, kind, subjects and message, then a count.

    A problem with many subjects names the first few (:func:`subjects_text`); with ``width``
    the subjects and messages wrap so that no line is longer.

    Args:
        problems: Problems as :func:`~relplan.planning.check.check_plan` returns them.
        width: The longest line wanted (the terminal's width); None: no limit.

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
        [[p.severity, p.kind, subjects_text(p.subjects), p.message] for p in problems],
        width=width,
        wrap=(2, 3),
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
                # A released release has no late dates or float: blank cells, not "None".
                "" if r.late_start is None else r.late_start,
                "" if r.late_finish is None else r.late_finish,
                "" if r.float_days is None else r.float_days,
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
        # The dates are the schedule's forward pass (early dates), not the planned ones.
        table = format_table(
            ["KEY", "FORECAST START", "FORECAST FINISH", "NEW START", "NEW FINISH", "DAYS"],
            [
                [m.key, m.start, m.target, m.new_start, m.new_target, f"{m.days:+d}"]
                for m in impact.moved
            ],
            numeric=[5],
        )
        lines += ["", "Forecast dates (the schedule's early start and finish):", table]
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
