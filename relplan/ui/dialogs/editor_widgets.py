"""Small widgets shared by the editors: optional dates, tables of editable rows, confirmations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from relplan.ui._compat import override

DATE_FORMAT: Final = "yyyy-MM-dd"
ColumnKind = Literal["text", "choice", "date", "int", "readonly"]


def to_qdate(day: dt.date) -> QDate:
    """A QDate from a date."""
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    """A date from a QDate."""
    return dt.date(day.year(), day.month(), day.day())


def date_edit(parent: QWidget | None, day: dt.date | None = None) -> QDateEdit:
    """An ISO date field with a calendar popup."""
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setDate(to_qdate(day or dt.date.today()))
    return edit


class OptionalDateEdit(QWidget):
    """A date that may be left unset: a check box and a date field.

    Signals:
        changed(): the date or whether it is set changed.
    """

    changed = Signal()

    def __init__(self, day: dt.date | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(self)
        self.check.setToolTip("Uncheck to leave the date unset")
        self.edit = date_edit(self, day)
        row.addWidget(self.check)
        row.addWidget(self.edit, 1)
        self.set_date(day)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self.changed)

    def date(self) -> dt.date | None:
        """The date, or None when unset."""
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_date(self, day: dt.date | None) -> None:
        """Set the date (None: unset)."""
        self.check.setChecked(day is not None)
        self.edit.setEnabled(day is not None)
        if day is not None:
            self.edit.setDate(to_qdate(day))


@dataclass(frozen=True, slots=True)
class Column:
    """A column of an :class:`EditTable`.

    Attributes:
        title: The header.
        kind: ``text`` (an editable cell), ``choice`` (a combo box of ``choices``), ``date``,
            ``int`` (a spin box from ``minimum`` to ``maximum``) or ``readonly``.
        choices: ``(label, value)`` pairs of a ``choice`` column.
        minimum: The smallest value of an ``int`` column.
        maximum: The largest value of an ``int`` column.
        stretch: Whether the column takes the spare width.
    """

    title: str
    kind: ColumnKind = "text"
    choices: Sequence[tuple[str, Any]] = ()
    minimum: int = -3650
    maximum: int = 3650
    stretch: bool = False


class EditTable(QTableWidget):
    """Rows of values edited in place; Delete removes the selected rows (after ``confirm``).

    Args:
        columns: The columns.
        parent: The owning widget.
        confirm: Asked before Delete removes rows (with a description); None: no question.

    Signals:
        rows_removed(list): row indexes removed by Delete (before removal, descending).
    """

    rows_removed = Signal(list)

    def __init__(
        self,
        columns: Sequence[Column],
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(0, len(columns), parent)
        self.columns = list(columns)
        self._confirm = confirm
        self.setHorizontalHeaderLabels([c.title for c in columns])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(28)
        header = self.horizontalHeader()
        for i, column in enumerate(columns):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column.stretch
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(i, mode)

    def add_row(self, values: Sequence[Any], *, data: Any = None) -> int:
        """Append a row showing ``values`` (one per column); ``data`` rides along with it."""
        row = self.rowCount()
        self.insertRow(row)
        for col, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            self._set_cell(row, col, column, value)
        anchor = self.item(row, 0) or QTableWidgetItem()
        anchor.setData(Qt.ItemDataRole.UserRole, data)
        if self.item(row, 0) is None:
            self.setItem(row, 0, anchor)
        return row

    def _set_cell(self, row: int, col: int, column: Column, value: Any) -> None:
        if column.kind in ("text", "readonly"):
            item = QTableWidgetItem("" if value is None else str(value))
            if column.kind == "readonly":
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, col, item)
        elif column.kind == "choice":
            combo = QComboBox(self)
            for label, choice in column.choices:
                combo.addItem(label, choice)
            index = combo.findData(value)
            combo.setCurrentIndex(max(index, 0))
            self.setCellWidget(row, col, combo)
        elif column.kind == "date":
            self.setCellWidget(row, col, date_edit(self, value))
        else:
            spin = QSpinBox(self)
            spin.setRange(column.minimum, column.maximum)
            spin.setValue(int(value or 0))
            self.setCellWidget(row, col, spin)

    def value(self, row: int, col: int) -> Any:
        """The value of a cell (text, chosen value, date or int)."""
        widget = self.cellWidget(row, col)
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QDateEdit):
            return from_qdate(widget.date())
        if isinstance(widget, QSpinBox):
            return widget.value()
        item = self.item(row, col)
        return "" if item is None else item.text()

    def set_value(self, row: int, col: int, value: Any) -> None:
        """Show another value in a cell."""
        self._set_cell(row, col, self.columns[col], value)

    def row_data(self, row: int) -> Any:
        """The data given to :meth:`add_row`."""
        item = self.item(row, 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def set_row_data(self, row: int, data: Any) -> None:
        """Replace the data of a row."""
        item = self.item(row, 0)
        if item is not None:
            item.setData(Qt.ItemDataRole.UserRole, data)

    def rows(self) -> list[list[Any]]:
        """Every row's values, top to bottom."""
        return [
            [self.value(r, c) for c in range(self.columnCount())] for r in range(self.rowCount())
        ]

    def selected_rows(self) -> list[int]:
        """The selected rows, bottom to top (so they can be removed in order)."""
        rows = {index.row() for index in self.selectionModel().selectedRows()}
        current = self.currentRow()
        if not rows and current >= 0:
            rows = {current}
        return sorted(rows, reverse=True)

    def remove_selected(self, *, ask: bool = True) -> list[int]:
        """Remove the selected rows (asking ``confirm`` first when ``ask``); the rows removed."""
        rows = self.selected_rows()
        if not rows:
            return []
        if ask and self._confirm is not None:
            what = f"{len(rows)} rows" if len(rows) > 1 else "the selected row"
            if not self._confirm(f"Remove {what}?"):
                return []
        self.rows_removed.emit(rows)
        for row in rows:
            self.removeRow(row)
        return rows

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.remove_selected()
            event.accept()
            return
        super().keyPressEvent(event)


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask a yes/no question (No is the default)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
