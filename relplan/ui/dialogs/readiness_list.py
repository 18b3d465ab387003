"""Every open release's readiness, most urgent first: what the Dashboard's chart has no room for.

The readiness chart shows the most urgent releases its panel can hold and counts the rest
("N more not shown"); this dialog lists them all, in the chart's order, with the words the
chart's notes use (:func:`~relplan.charts.readiness.readiness_note`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relplan.charts.readiness import readiness_note
from relplan.charts.style import VERDICT_COLORS
from relplan.planning.readiness import ReleaseReadiness
from relplan.ui._compat import override

__all__ = ["ReadinessListDialog", "ReadinessListModel"]

#: The columns: header and the cell of a release.
_COLUMNS: Final = (
    ("#", lambda n, r: str(n)),
    ("Release", lambda n, r: r.key),
    ("Team", lambda n, r: r.team),
    ("Done", lambda n, r: f"{r.percent_done:.0f} %"),
    ("Verdict", lambda n, r: readiness_note(r)),
    ("Why", lambda n, r: r.reason),
)

Index = QModelIndex | QPersistentModelIndex


class ReadinessListModel(QAbstractTableModel):
    """Releases in the given order (rank, key, team, percent done, verdict and P85, reason)."""

    def __init__(self, releases: Sequence[ReleaseReadiness], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._releases = list(releases)

    @override
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._releases)

    @override
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    @override
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        release = self._releases[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[index.column()][1](index.row() + 1, release)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (1, 4):
            return QColor(VERDICT_COLORS.get(release.verdict, "black"))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section][0]
        return None


class ReadinessListDialog(QDialog):
    """The open releases by risk, as the Dashboard's readiness chart orders them.

    Args:
        releases: The releases, most urgent first.
        shown: How many of them the chart shows.
        parent: The parent widget.
    """

    def __init__(
        self, releases: Sequence[ReleaseReadiness], shown: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("readiness-list")
        self.setWindowTitle("Readiness of open releases")
        self.resize(760, 520)
        count = len(releases)
        text = f"{count} open releases, most urgent first"
        if shown < count:
            text += f"; the chart shows the first {shown}"
        self.summary = QLabel(text)
        self.model = ReadinessListModel(releases, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        # Sized once from the first rows: measuring 2,000 rows' text would stall the window.
        header.setResizeContentsPrecision(100)
        self.table.resizeColumnsToContents()
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
