"""The releases a what-if slip moves, as a read-only table."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from relplan.ui._compat import override

if TYPE_CHECKING:
    from relplan.planning.impact import MovedRelease

#: The :class:`MovedRelease` of a row.
ItemRole = Qt.ItemDataRole.UserRole

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_LATER, _EARLIER = QColor("#c62828"), QColor("#2e7d32")


class MovedCol(IntEnum):
    """The moved-releases table's columns, in order."""

    KEY = 0
    START = 1
    TARGET = 2
    DAYS = 3


MOVED_TITLES = ("Release", "Start → new start", "Target → new target", "Days")


def _span(before: object, after: object) -> str:
    return f"{before}  →  {after}" if before != after else f"{before}  (unchanged)"


class MovedReleasesModel(QAbstractTableModel):
    """The ``moved`` list of an impact: each release's early dates before and after the slip.

    Args:
        parent: the owning QObject.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._moved: list[MovedRelease] = []
        self._slipped = ""

    def set_moved(self, moved: Iterable[MovedRelease], *, slipped: str = "") -> None:
        """Replace the rows; ``slipped`` (the release that slips) is set in bold."""
        self.beginResetModel()
        self._moved = list(moved)
        self._slipped = slipped
        self.endResetModel()

    def keys(self) -> list[str]:
        """The keys of the moved releases, in order."""
        return [m.key for m in self._moved]

    @override
    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._moved)

    @override
    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(MovedCol)

    @override
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._moved):
            return None
        moved = self._moved[index.row()]
        col = MovedCol(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            match col:
                case MovedCol.KEY:
                    return moved.key
                case MovedCol.START:
                    return _span(moved.start, moved.new_start)
                case MovedCol.TARGET:
                    return _span(moved.target, moved.new_target)
                case MovedCol.DAYS:
                    return f"{moved.days:+d}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col != MovedCol.KEY:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == MovedCol.DAYS and moved.days:
            return QBrush(_LATER if moved.days > 0 else _EARLIER)
        if role == Qt.ItemDataRole.FontRole and (
            moved.key == self._slipped or (col == MovedCol.DAYS and moved.days)
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col == MovedCol.DAYS:
            return "How far the forecast finish (early finish) moves"
        if role == ItemRole:
            return moved
        return None

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(MovedCol):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return MOVED_TITLES[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return left if section == MovedCol.KEY else int(Qt.AlignmentFlag.AlignCenter)
        return None

    @override
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
