"""The releases table's columns: their titles, sort keys and tooltips, and how a
:class:`~relplan.store.repository.ReleaseRow` reads, aligns and is coloured in each, and how an
edit of a cell is checked (with the core's :func:`~relplan.domain.rules.release_issues`).

Plain functions of a row, used by :class:`~relplan.ui.models.releases.ReleaseTableModel`; the
wording of the schedule's Float, Slip and CP cells lives in
:mod:`relplan.ui.models.schedule_cells`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor

from relplan.domain.model import RELEASE_STATUSES, Release
from relplan.domain.rules import release_issues
from relplan.store.repository import ReleaseRow
from relplan.ui.models import schedule_cells as cells

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_GATE_RANK = {"rejected": 0, "pending": 1, "approved": 2, "none": 3}
_STATUS_RANK = {status: i for i, status in enumerate(RELEASE_STATUSES)}
_RED, _GREEN, _GREY = QColor("#c62828"), QColor("#2e7d32"), QColor("#757575")


class Col(IntEnum):
    """The table's columns, in order."""

    KEY = 0
    NAME = 1
    TEAM = 2
    TRAIN = 3
    START = 4
    TARGET = 5
    STATUS = 6
    STAGES = 7
    GATES = 8
    FLOAT = 9
    SLIP = 10
    CRITICAL = 11
    PHASE = 12
    ON_TIME = 13


#: The columns filled from the schedule snapshot.
SCHEDULE_COLUMNS = frozenset({Col.FLOAT, Col.SLIP, Col.CRITICAL})


@dataclass(frozen=True, slots=True)
class Column:
    """A column's title, what it sorts by and its header's tooltip."""

    title: str
    sort_key: Callable[[ReleaseRow], Any]
    tooltip: str


def _casefold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


COLUMNS: dict[Col, Column] = {
    Col.KEY: Column("Key", lambda r: r.key.casefold(), "The release's key"),
    Col.NAME: Column("Name", lambda r: r.name.casefold(), "The release's name"),
    Col.TEAM: Column("Team", lambda r: r.team.casefold(), "The team that ships it"),
    Col.TRAIN: Column("Train", lambda r: _casefold(r.train), "The release train it rides"),
    Col.START: Column("Start", lambda r: r.start, "First day (YYYY-MM-DD); double-click to edit"),
    Col.TARGET: Column("Target", lambda r: r.target, "Ship day (YYYY-MM-DD); double-click to edit"),
    Col.STATUS: Column(
        "Status", lambda r: _STATUS_RANK.get(r.status, 99), "Double-click to change"
    ),
    Col.STAGES: Column("Stages", lambda r: r.stage_count, "Stage windows (environments)"),
    Col.GATES: Column(
        "Gates",
        lambda r: (_GATE_RANK[r.gate_status], r.gates_approved, r.gates_total),
        "Approval gates: approved of total",
    ),
    # The schedule columns sort by ReleaseSchedule values; see ReleaseTableModel._sort_value.
    Col.FLOAT: Column("Float", lambda r: None, cells.FLOAT_HEADER_TIP),
    Col.SLIP: Column("Slip", lambda r: None, cells.SLIP_HEADER_TIP),
    Col.CRITICAL: Column("CP", lambda r: None, cells.CRITICAL_HEADER_TIP),
    # Filled from the analysis (the phase needs the stages); see set_phases.
    Col.PHASE: Column(
        "Phase",
        lambda r: None,
        "Lifecycle phase today: planning, the stage under way, monitoring or done",
    ),
    # Filled from the portfolio forecast (set_on_time); sorts by the probability.
    Col.ON_TIME: Column(
        "On time",
        lambda r: None,
        "The chance it ships by its target, through its dependencies (relplan forecast)",
    ),
}
COLUMN_TITLES = tuple(COLUMNS[c].title for c in Col)
EDITABLE = frozenset({Col.START, Col.TARGET, Col.STATUS})


def status_label(status: str) -> str:
    """How a release status reads in the table (``in_progress`` → ``In progress``)."""
    return status.replace("_", " ").capitalize()


def parse_day(value: object) -> dt.date | None:
    """Read a calendar day typed into a date cell; empty means no date.

    Raises:
        ValueError: not an existing day written YYYY-MM-DD.
    """
    if isinstance(value, QDate):
        return dt.date(value.year(), value.month(), value.day()) if value.isValid() else None
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a day of the calendar") from None


def _as_release(row: ReleaseRow) -> Release:
    """The fields of a row that the core's release rules look at, as a :class:`Release`."""
    start = None if row.start is None else dt.date.fromisoformat(row.start)
    target = None if row.target is None else dt.date.fromisoformat(row.target)
    return Release(row.key, row.name, row.team, row.train, start, target, row.status)


def _gate_text(row: ReleaseRow) -> str:
    if row.gates_total == 0:
        return "—"
    return f"{row.gates_approved}/{row.gates_total} {row.gate_status}"


def display(row: ReleaseRow, col: Col) -> Any:
    """The text of a cell (the schedule, phase and on-time columns are filled elsewhere)."""
    match col:
        case Col.KEY:
            return row.key
        case Col.NAME:
            return row.name
        case Col.TEAM:
            return row.team
        case Col.TRAIN:
            return row.train or ""
        case Col.START:
            return row.start or ""
        case Col.TARGET:
            return row.target or ""
        case Col.STATUS:
            return status_label(row.status)
        case Col.STAGES:
            return row.stage_count
        case Col.GATES:
            return _gate_text(row)
        case _:
            return ""


def alignment(col: Col) -> int:
    """How the cells of a column align."""
    if col in (Col.STAGES, Col.GATES, Col.START, Col.TARGET) or col in SCHEDULE_COLUMNS:
        return int(Qt.AlignmentFlag.AlignCenter)
    return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def tooltip(row: ReleaseRow, col: Col) -> str | None:
    """The tooltip of a cell, if it has one."""
    if col == Col.GATES and row.gates_total:
        return (
            f"{row.gates_approved} of {row.gates_total} gates approved, "
            f"{row.gates_rejected} rejected"
        )
    if col in (Col.START, Col.TARGET) and getattr(row, col.name.lower()) is None:
        return "No date yet; double-click to set one"
    if col == Col.NAME:
        return row.name
    return None


def foreground(row: ReleaseRow, col: Col) -> QBrush | None:
    """The text colour of a cell, if not the default."""
    if col == Col.GATES:
        color = {"rejected": _RED, "approved": _GREEN, "none": _GREY}.get(row.gate_status)
        return QBrush(color) if color is not None else None
    if col == Col.STATUS and row.status == "cancelled":
        return QBrush(_GREY)
    return None


def searchable(row: ReleaseRow) -> str:
    """What the text filter looks in: key, name, team, train and status, case-folded."""
    parts = (row.key, row.name, row.team, row.train or "", status_label(row.status))
    return "\x1f".join(parts).casefold()


def validated_edit(row: ReleaseRow, col: Col, value: Any) -> tuple[str, Any, ReleaseRow]:
    """(field, domain value, new row) of an edit, checked by the core's release rules.

    Raises:
        ValueError: the value is refused; the message says why.
    """
    release = _as_release(row)
    new_value: str | dt.date | None
    if col == Col.STATUS:
        status = str(value).strip().lower().replace(" ", "_")
        field, new_value = "status", status
        new, new_row = replace(release, status=status), replace(row, status=status)
    else:
        day = parse_day(value)
        text = None if day is None else day.isoformat()
        new_value = day
        if col == Col.START:
            field = "start"
            new, new_row = replace(release, start=day), replace(row, start=text)
        else:
            field = "target"
            new, new_row = replace(release, target=day), replace(row, target=text)
    issues = release_issues(new)
    if issues:
        raise ValueError("; ".join(issue.message for issue in issues))
    return field, new_value, new_row
