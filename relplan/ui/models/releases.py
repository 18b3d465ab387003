"""The releases table: a thin Qt adapter over a snapshot of :class:`ReleaseRow` s.

Sorting and filtering run in Python on the snapshot instead of through a
``QSortFilterProxyModel``, which took 36 s to sort 100k rows here; a stable ``list.sort`` with a
per-column key takes a fraction of a second. ``data()`` never touches the database: edits are
validated here (with the core's :func:`~relplan.domain.rules.release_issues`) and handed to an
edit handler, which submits the core command on the DB lane. The columns, and how a row reads in
each, live in :mod:`relplan.ui.models.release_columns`.

The Float, Slip and CP columns come from a second snapshot, the latest forecast
:class:`~relplan.planning.schedule.Schedule` (:meth:`ReleaseTableModel.set_schedule`); the
wording of their cells lives in :mod:`relplan.ui.models.schedule_cells`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from relplan.store.repository import ReleaseRow
from relplan.ui._compat import override
from relplan.ui.models import schedule_cells as cells
from relplan.ui.models.release_columns import (
    COLUMN_TITLES,
    COLUMNS,
    EDITABLE,
    SCHEDULE_COLUMNS,
    Col,
    alignment,
    display,
    foreground,
    parse_day,
    searchable,
    status_label,
    tooltip,
    validated_edit,
)

if TYPE_CHECKING:
    from relplan.planning.portfolio_forecast import ReleaseOdds
    from relplan.planning.schedule import ReleaseSchedule, Schedule

# Importable from here as before (the views and the tests read the columns through the model).
__all__ = [
    "COLUMN_TITLES",
    "EDITABLE",
    "SCHEDULE_COLUMNS",
    "AnyIndex",
    "Col",
    "EditHandler",
    "ItemRole",
    "ReleaseTableModel",
    "SortRole",
    "parse_day",
    "status_label",
]

#: The domain row of a table row (:class:`ReleaseRow`).
ItemRole = Qt.ItemDataRole.UserRole
#: The value a column sorts by.
SortRole = Qt.ItemDataRole.UserRole + 1

#: Called with a release key and the fields to change (``{"target": date}``).
EditHandler = Callable[[str, dict[str, Any]], None]
AnyIndex = QModelIndex | QPersistentModelIndex

_ROOT = QModelIndex()  # the invisible root, as a default argument


class ReleaseTableModel(QAbstractTableModel):
    """The releases of a workspace as a sortable, filterable, editable table.

    Args:
        parent: the owning QObject.
        edit_handler: receives validated edits; without one the table is read-only.

    Signals:
        message(str): a transient explanation for the status bar (why an edit was refused).
        counts_changed(int, int): rows shown, rows in the snapshot.
    """

    message = Signal(str)
    counts_changed = Signal(int, int)

    def __init__(
        self, parent: QObject | None = None, *, edit_handler: EditHandler | None = None
    ) -> None:
        super().__init__(parent)
        self._edit_handler = edit_handler
        self._by_key: dict[str, ReleaseRow] = {}
        self._haystack: dict[str, str] = {}
        self._order: list[str] = []  # every key, in the current sort order
        self._shown: list[str] = []  # the keys that pass the filter, in order
        self._teams: frozenset[str] | None = None
        self._train: str | None = None
        self._text = ""
        self._sort: tuple[Col, Qt.SortOrder] | None = None
        self._schedule: Schedule | None = None
        self._schedule_error = ""
        self._critical: dict[str, int] = {}  # key -> position on the critical path
        self._phases: Mapping[str, str] = {}  # key -> lifecycle phase on the analysis's day
        self._on_time: Mapping[str, ReleaseOdds] = {}

    # -- snapshot ---------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[ReleaseRow]) -> None:
        """Replace the snapshot, keeping the current sort and filter."""
        self.beginResetModel()
        self._by_key = {row.key: row for row in rows}
        self._haystack = {key: searchable(row) for key, row in self._by_key.items()}
        self._order = list(self._by_key)
        if self._sort is not None:
            self._order = self._sorted(self._order, *self._sort)
        self._shown = self._filtered(self._order)
        self.endResetModel()
        self._emit_counts()

    def apply_changes(self, changed: Mapping[str, ReleaseRow | None]) -> None:
        """Update the rows of a few touched releases (None: deleted) in place.

        A changed row keeps its place even if it no longer matches the sort or filter, as in a
        spreadsheet; a new or deleted release resets the model.
        """
        if any(row is None or key not in self._by_key for key, row in changed.items()):
            rows = dict(self._by_key)
            for key, row in changed.items():
                if row is None:
                    rows.pop(key, None)
                else:
                    rows[key] = row
            self.set_rows(rows.values())
            return
        positions = {key: i for i, key in enumerate(self._shown)} if len(changed) > 1 else None
        for key, row in changed.items():
            assert row is not None
            self._by_key[key] = row
            self._haystack[key] = searchable(row)
            pos = positions.get(key) if positions is not None else self._position(key)
            if pos is not None:
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, len(Col) - 1))

    def set_schedule(self, schedule: Schedule | None, *, error: str = "") -> None:
        """Replace the schedule snapshot behind the Float, Slip and CP columns.

        Args:
            schedule: the latest forecast; None when there is none (see ``error``).
            error: why there is no schedule (a dependency cycle), shown in the cells' tooltips.
        """
        self._schedule = schedule
        self._schedule_error = error
        self._critical = (
            {key: i for i, key in enumerate(schedule.critical_path)} if schedule else {}
        )
        if self._sort is not None and self._sort[0] in SCHEDULE_COLUMNS:
            self.sort(*self._sort)  # a new snapshot re-sorts, as set_rows does
        elif self._shown:
            first, last = min(SCHEDULE_COLUMNS), max(SCHEDULE_COLUMNS)
            self.dataChanged.emit(self.index(0, first), self.index(len(self._shown) - 1, last))

    def set_phases(self, phases: Mapping[str, str]) -> None:
        """Replace the lifecycle phases behind the Phase column (from the latest analysis)."""
        self._phases = phases
        if self._sort is not None and self._sort[0] == Col.PHASE:
            self.sort(*self._sort)
        elif self._shown:
            self.dataChanged.emit(
                self.index(0, Col.PHASE), self.index(len(self._shown) - 1, Col.PHASE)
            )

    def phase_for(self, key: str) -> str | None:
        """The lifecycle phase of a release on the analysis's day (None: not analysed yet)."""
        return self._phases.get(key)

    def set_on_time(self, odds: Mapping[str, ReleaseOdds]) -> None:
        """Replace the portfolio forecast behind the On time column (by release key)."""
        self._on_time = odds
        if self._sort is not None and self._sort[0] == Col.ON_TIME:
            self.sort(*self._sort)
        elif self._shown:
            column = int(Col.ON_TIME)
            self.dataChanged.emit(self.index(0, column), self.index(len(self._shown) - 1, column))

    def on_time_for(self, key: str) -> ReleaseOdds | None:
        """The forecast odds of one release (None: none yet, or it takes no part)."""
        return self._on_time.get(key)

    @property
    def schedule(self) -> Schedule | None:
        """The schedule snapshot shown, if any."""
        return self._schedule

    def schedule_for(self, key: str) -> ReleaseSchedule | None:
        """The forecast of one release (None: not scheduled, or no schedule yet)."""
        return None if self._schedule is None else self._schedule.release(key)

    def row_for(self, key: str) -> ReleaseRow | None:
        """The snapshot row of a release key."""
        return self._by_key.get(key)

    def row_of(self, key: str) -> int | None:
        """The table row that shows a release (None: filtered out or unknown)."""
        return self._position(key)

    def row_at(self, row: int) -> ReleaseRow:
        """The release shown in table row ``row``."""
        return self._by_key[self._shown[row]]

    def keys(self) -> list[str]:
        """The keys shown, top to bottom."""
        return list(self._shown)

    def teams(self) -> list[str]:
        """Every team in the snapshot, sorted."""
        return sorted({row.team for row in self._by_key.values()})

    @property
    def shown_count(self) -> int:
        """How many rows pass the filter."""
        return len(self._shown)

    @property
    def total_count(self) -> int:
        """How many releases the snapshot holds."""
        return len(self._by_key)

    # -- filter -----------------------------------------------------------------------------
    def set_team_filter(self, teams: Iterable[str] | None) -> None:
        """Show only releases of ``teams`` (None: every team)."""
        self._teams = None if teams is None else frozenset(teams)
        self._refilter()

    def set_filters(self, teams: Iterable[str] | None, train: str | None) -> None:
        """Show only releases of ``teams`` (None: every team) on ``train`` (None: any or none),
        the window's filter bar (one refilter for both)."""
        self._teams = None if teams is None else frozenset(teams)
        self._train = train
        self._refilter()

    def set_text_filter(self, text: str) -> None:
        """Show only releases whose key, name, team, train or status contains ``text``."""
        self._text = text.strip().casefold()
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._shown = self._filtered(self._order)
        self.endResetModel()
        self._emit_counts()

    def _filtered(self, keys: list[str]) -> list[str]:
        teams, train, text = self._teams, self._train, self._text
        if teams is None and train is None and not text:
            return list(keys)
        by_key, haystack = self._by_key, self._haystack
        return [
            k
            for k in keys
            if (teams is None or by_key[k].team in teams)
            and (train is None or by_key[k].train == train)
            and (not text or text in haystack[k])
        ]

    def _emit_counts(self) -> None:
        self.counts_changed.emit(len(self._shown), len(self._by_key))

    def _position(self, key: str) -> int | None:
        try:
            return self._shown.index(key)
        except ValueError:
            return None

    # -- sorting ----------------------------------------------------------------------------
    def _sort_value(self, row: ReleaseRow, col: Col) -> Any:
        if col == Col.PHASE:
            return self._phases.get(row.key)
        if col == Col.ON_TIME:
            odds = self._on_time.get(row.key)
            return None if odds is None else odds.p_on_time
        if col not in SCHEDULE_COLUMNS:
            return COLUMNS[col].sort_key(row)
        if col == Col.CRITICAL:
            return self._critical.get(row.key)  # the path's order first; the rest last
        forecast = self.schedule_for(row.key)
        if forecast is None:
            return None
        if forecast.released:  # blank Float and Slip: sorted with the releases without a value
            return None
        return forecast.float_days if col == Col.FLOAT else forecast.slip_days

    def _sorted(self, keys: list[str], col: Col, order: Qt.SortOrder) -> list[str]:
        """``keys`` stably sorted by ``col``; releases without a value come last either way."""
        by_key = self._by_key
        values = {k: self._sort_value(by_key[k], col) for k in keys}
        present = [k for k in keys if values[k] is not None]
        missing = [k for k in keys if values[k] is None]
        present.sort(key=values.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        return present + missing

    @override
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (stable, so an earlier sort breaks ties); keeps the selection."""
        if not 0 <= column < len(Col):
            return
        col = Col(column)
        self._sort = (col, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old_keys = [(self._shown[i.row()], i.column()) for i in persistent]
        self._order = self._sorted(self._order, col, order)
        self._shown = self._filtered(self._order)
        if persistent:
            pos = {key: i for i, key in enumerate(self._shown)}
            self.changePersistentIndexList(
                persistent,
                [self.index(pos[key], c) if key in pos else QModelIndex() for key, c in old_keys],
            )
        self.layoutChanged.emit()

    # -- Qt model interface -----------------------------------------------------------------
    @override
    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    @override
    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Col)

    @override
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        row = self._by_key[self._shown[index.row()]]
        col = Col(index.column())
        if col in SCHEDULE_COLUMNS and role != ItemRole:
            return self._schedule_data(row, col, role)
        if col == Col.PHASE and role in (Qt.ItemDataRole.DisplayRole, SortRole):
            return self._phases.get(row.key, "" if role == Qt.ItemDataRole.DisplayRole else None)
        if col == Col.ON_TIME and role != ItemRole:
            return self._on_time_data(row, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return display(row, col)
        if role == Qt.ItemDataRole.EditRole:
            return row.status if col == Col.STATUS else display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return alignment(col)
        if role == Qt.ItemDataRole.ForegroundRole:
            return foreground(row, col)
        if role == ItemRole:
            return row
        if role == SortRole:
            return COLUMNS[col].sort_key(row)
        return None

    def _on_time_data(self, row: ReleaseRow, role: int) -> Any:
        odds = self._on_time.get(row.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if odds is None or odds.p_on_time is None else f"{odds.p_on_time:.0%}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[Col.ON_TIME].tooltip if odds is None else odds.explain()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _schedule_data(self, row: ReleaseRow, col: Col, role: int) -> Any:
        forecast = self.schedule_for(row.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return cells.display(col.name, forecast, critical=row.key in self._critical)
        if role == Qt.ItemDataRole.ToolTipRole:
            if forecast is None:
                return cells.unscheduled_tip(row, self._schedule is not None, self._schedule_error)
            step = self._critical.get(row.key)
            return cells.tooltip(col.name, forecast, self._schedule, step)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = cells.foreground(col.name, forecast, critical=row.key in self._critical)
            return None if color is None else QBrush(QColor(color))
        if role == Qt.ItemDataRole.BackgroundRole:
            color = cells.background(col.name, forecast)
            return None if color is None else QBrush(QColor(color))
        if role == Qt.ItemDataRole.FontRole and cells.bold(
            col.name, forecast, critical=row.key in self._critical
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == SortRole:
            return self._sort_value(row, col)
        return None

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Col):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMN_TITLES[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[Col(section)].tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return alignment(Col(section))
        return None

    @override
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._edit_handler is not None and index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    @override
    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Validate an edit, show it at once and submit it; False (and a message) if refused."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if self._edit_handler is None or index.column() not in EDITABLE:
            return False
        row = self.row_at(index.row())
        col = Col(index.column())
        try:
            field, new_value, new_row = validated_edit(row, col, value)
        except ValueError as exc:
            self.message.emit(f"{row.key}: {exc}")
            return False
        if new_row == row:
            return True
        # Shown at once; the refresh from the command's ChangeSet confirms (or reverts) it.
        self._by_key[row.key] = new_row
        self._haystack[row.key] = searchable(new_row)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(Col) - 1))
        self._edit_handler(row.key, {field: new_value})
        return True
