"""The problems list: a thin Qt adapter over the ``check`` problems of the latest analysis."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX
from relplan.ui._compat import override
from relplan.ui.icons import SEVERITY_COLORS, severity_icon

if TYPE_CHECKING:
    from relplan.planning.check import Problem

#: The :class:`Problem` of a row.
ItemRole = Qt.ItemDataRole.UserRole
#: The value a column sorts by.
SortRole = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_SEVERITY_RANK = {"error": 0, "warning": 1}
_PREFIXES = (
    ("freeze:", "freeze"),
    ("environment:", "environment"),
    (ITEM_PREFIX, "item"),
    ("flag:", "flag"),
)


class ProblemCol(IntEnum):
    """The problem table's columns, in order."""

    SEVERITY = 0
    KIND = 1
    SUBJECTS = 2
    MESSAGE = 3


PROBLEM_TITLES = ("Severity", "Kind", "Subjects", "Message")


def kind_label(kind: str) -> str:
    """How a problem kind reads (``dependency_violation`` → ``Dependency violation``)."""
    return kind.replace("_", " ").capitalize()


def subject_label(ref: str) -> str:
    """How a subject reads: a release by its key, anything else with its kind."""
    if ref.startswith(RELEASE_PREFIX):
        return ref[len(RELEASE_PREFIX) :]
    for prefix, noun in _PREFIXES:
        if ref.startswith(prefix):
            return f"{noun} {ref[len(prefix) :]}"
    return ref


def _sort_value(problem: Problem, col: ProblemCol) -> Any:
    match col:
        case ProblemCol.SEVERITY:
            return (_SEVERITY_RANK.get(problem.severity, 2), problem.kind, problem.subjects)
        case ProblemCol.KIND:
            return problem.kind
        case ProblemCol.SUBJECTS:
            return problem.subjects
        case ProblemCol.MESSAGE:
            return problem.message.casefold()


class ProblemTableModel(QAbstractTableModel):
    """A list of ``check`` problems as a read-only table (severity, kind, subjects, message).

    Args:
        parent: the owning QObject.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[Problem] = []

    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Replace the snapshot (kept in the order given: ``check`` sorts errors first)."""
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def problem_at(self, row: int) -> Problem:
        """The problem of row ``row``."""
        return self._problems[row]

    def problems(self) -> list[Problem]:
        """Every problem, in order."""
        return list(self._problems)

    @override
    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._problems)

    @override
    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(ProblemCol)

    @override
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        col = ProblemCol(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(problem, col)
        if role == Qt.ItemDataRole.DecorationRole and col == ProblemCol.SEVERITY:
            return severity_icon(problem.severity)
        if role == Qt.ItemDataRole.ForegroundRole and col == ProblemCol.SEVERITY:
            color = SEVERITY_COLORS.get(problem.severity)
            return None if color is None else QBrush(QColor(color))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == ProblemCol.SUBJECTS:
                return "\n".join(problem.subjects)
            return f"{problem.message}\n\nDouble-click to show the release in the table."
        if role == ItemRole:
            return problem
        if role == SortRole:
            return _sort_value(problem, col)
        return None

    @staticmethod
    def _display(problem: Problem, col: ProblemCol) -> str:
        match col:
            case ProblemCol.SEVERITY:
                return problem.severity.capitalize()
            case ProblemCol.KIND:
                return kind_label(problem.kind)
            case ProblemCol.SUBJECTS:
                return ", ".join(subject_label(ref) for ref in problem.subjects)
            case ProblemCol.MESSAGE:
                return problem.message

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(ProblemCol):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return PROBLEM_TITLES[section]
        return None

    @override
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ProblemFilterProxy(QSortFilterProxyModel):
    """Sorts problems by :data:`SortRole` and shows only one severity when asked.

    Args:
        parent: the owning QObject.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._severity: str | None = None
        self.setSortRole(SortRole)

    @property
    def severity(self) -> str | None:
        """The severity shown (None: all)."""
        return self._severity

    def set_severity(self, severity: str | None) -> None:
        """Show only problems of ``severity`` (None: all of them)."""
        if severity == self._severity:
            return
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10; invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self._severity = severity
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._severity = severity
            self.invalidateRowsFilter()

    @override
    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._severity is None:
            return True
        model = self.sourceModel()
        problem = model.index(source_row, 0, source_parent).data(ItemRole)
        return problem is not None and problem.severity == self._severity
