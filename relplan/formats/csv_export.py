"""The plan as CSV for spreadsheets: one row per release, or one per work item.

Releases carry their stage windows, milestones and gates summarised in one cell each (entries
separated by ``"; "``) plus counts, so a spreadsheet can filter and sort on them. The file is
UTF-8 with CRLF line ends (RFC 4180) and a header row; empty values are empty cells. Rows are
sorted by key. A text cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR (a title synced
from a tracker may hold ``=HYPERLINK(...)``) gets a leading ``'`` so that spreadsheets show it
instead of running it, as OWASP advises against CSV injection; ``raw=True`` (``--raw``) opts out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from relplan.domain.model import Plan, Release, WorkItem
from relplan.formats.export_filter import ExportFilter

__all__ = [
    "FORMULA_STARTS",
    "ITEM_COLUMNS",
    "RELEASE_COLUMNS",
    "items_csv",
    "neutralise",
    "releases_csv",
    "selected_items",
    "selected_releases",
]

RELEASE_COLUMNS: Final = (
    "key",
    "name",
    "team",
    "train",
    "status",
    "start",
    "target",
    "stages",
    "stage_count",
    "milestones",
    "milestone_count",
    "gates",
    "gates_approved",
    "gates_total",
    "items_done",
    "items_total",
    "url",
)
ITEM_COLUMNS: Final = (
    "key",
    "title",
    "team",
    "release",
    "type",
    "status",
    "category",
    "points",
    "created",
    "resolved",
    "url",
)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
#: Entries listed in one summary cell (stages, milestones, gates); the rest are counted.
MAX_ENTRIES: Final = 20
#: Characters of one entry in a summary cell (a longer name is cut).
ENTRY_CHARS: Final = 200


def neutralise(text: str) -> str:
    """A cell that a spreadsheet will show as text: a leading ``'`` before a formula start.

    Examples:
        >>> neutralise('=HYPERLINK("http://x","y")')
        '\'=HYPERLINK("http://x","y")'
        >>> neutralise("PAY-101")
        'PAY-101'
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write(columns: Sequence[str], rows: Iterable[Sequence[object]], *, raw: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    if raw:
        writer.writerows([_text(v) for v in row] for row in rows)
    else:  # only text can be a formula; numbers (a negative lag) stay numbers
        writer.writerows(
            [neutralise(v) if isinstance(v, str) else _text(v) for v in row] for row in rows
        )
    return out.getvalue()


def _entries(texts: Sequence[str]) -> str:
    """Entries for one cell, joined by ``"; "``: at most :data:`MAX_ENTRIES`, each cut to
    :data:`ENTRY_CHARS`, so one huge name cannot make a huge file."""
    shown = [t if len(t) <= ENTRY_CHARS else t[: ENTRY_CHARS - 1] + "…" for t in texts]
    if len(shown) > MAX_ENTRIES:
        shown = [*shown[:MAX_ENTRIES], f"and {len(shown) - MAX_ENTRIES} more"]
    return "; ".join(shown)


def _release_days(release: Release) -> tuple[dt.date, dt.date] | None:
    days = [d for d in (release.start, release.target) if d is not None]
    days += [s.start for s in release.stages] + [s.end for s in release.stages]
    days += [m.date for m in release.milestones]
    return (min(days), max(days)) if days else None


def selected_releases(plan: Plan, selection: ExportFilter) -> list[Release]:
    """The releases a filter keeps, by key: team and train, and (with dates) any of its days
    (start to target, stage windows, milestones) in the date window.

    Args:
        plan: The plan.
        selection: The filter.

    Returns:
        The releases.
    """
    kept = []
    for release in sorted(plan.releases, key=lambda r: r.key):
        if not selection.keeps_release(release):
            continue
        if selection.date_from is not None or selection.date_to is not None:
            span = _release_days(release)
            if span is None or not selection.keeps_days(*span):
                continue
        kept.append(release)
    return kept


def releases_csv(
    plan: Plan,
    *,
    selection: ExportFilter | None = None,
    urls: Mapping[tuple[str, str], str] | None = None,
    raw: bool = False,
) -> str:
    """One row per release (see :data:`RELEASE_COLUMNS`).

    Args:
        plan: The plan.
        selection: Which releases (default: all).
        urls: Source-item URLs by ``(entity, key)``.
        raw: Write text cells as they are, formulas included (``--raw``); by default a cell
            that starts like a formula gets a leading ``'`` (:func:`neutralise`).

    Returns:
        The CSV text.
    """
    links = urls or {}
    done: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for item in plan.work_items:
        if item.release is not None:
            total[item.release] += 1
            done[item.release] += item.category == "done"
    rows = []
    for r in selected_releases(plan, selection or ExportFilter()):
        stages = sorted(r.stages, key=lambda s: (s.start, s.end, s.environment))
        milestones = sorted(r.milestones, key=lambda m: (m.date, m.name))
        rows.append(
            (
                r.key,
                r.name,
                r.team,
                r.train,
                r.status,
                r.start,
                r.target,
                _entries([f"{s.environment} {s.start}..{s.end} ({s.strategy})" for s in stages]),
                len(stages),
                _entries([f"{m.name} {m.date}" for m in milestones]),
                len(milestones),
                _entries([f"{g.name}: {g.status}" for g in r.gates]),
                sum(1 for g in r.gates if g.status == "approved"),
                len(r.gates),
                done[r.key],
                total[r.key],
                links.get(("release", r.key)),
            )
        )
    return _write(RELEASE_COLUMNS, rows, raw=raw)


def selected_items(plan: Plan, selection: ExportFilter) -> list[WorkItem]:
    """The work items a filter keeps, by key: those of the releases it keeps; an item of no
    release is kept when its team passes and no train or dates are asked for.

    Args:
        plan: The plan.
        selection: The filter.

    Returns:
        The items.
    """
    releases = {r.key for r in selected_releases(plan, selection)}
    loose = selection.train is None and selection.date_from is None and selection.date_to is None
    kept = []
    for item in sorted(plan.work_items, key=lambda i: i.key):
        if item.release is not None:
            if item.release in releases:
                kept.append(item)
        elif loose and (not selection.teams or item.team in selection.teams):
            kept.append(item)
    return kept


def items_csv(
    plan: Plan,
    *,
    selection: ExportFilter | None = None,
    urls: Mapping[tuple[str, str], str] | None = None,
    raw: bool = False,
) -> str:
    """One row per work item (see :data:`ITEM_COLUMNS`).

    Args:
        plan: The plan.
        selection: Which items (default: all).
        urls: Source-item URLs by ``(entity, key)``.
        raw: Write text cells as they are (see :func:`releases_csv`).

    Returns:
        The CSV text.
    """
    links = urls or {}
    rows = [
        (
            i.key,
            i.title,
            i.team,
            i.release,
            i.type,
            i.status,
            i.category,
            i.points,
            i.created,
            i.resolved,
            links.get(("work_item", i.key)),
        )
        for i in selected_items(plan, selection or ExportFilter())
    ]
    return _write(ITEM_COLUMNS, rows, raw=raw)
