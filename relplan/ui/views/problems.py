"""The Problems panel: a dock listing what ``check`` found, filterable by severity.

It follows the window's team/train filter; which problems pass and which release a problem
opens are decided by :class:`~relplan.layout.problems.ProblemScope`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relplan.layout.graph import ViewFilter
from relplan.layout.problems import ProblemScope
from relplan.planning.wording import path_words
from relplan.ui._compat import override
from relplan.ui.models.problems import (
    ItemRole,
    ProblemCol,
    ProblemFilterProxy,
    ProblemTableModel,
)

if TYPE_CHECKING:
    from relplan.planning.check import Problem
    from relplan.ui.analysis import PlanAnalysis

_WIDTHS = {ProblemCol.SEVERITY: 92, ProblemCol.KIND: 170, ProblemCol.SUBJECTS: 290}
_SEVERITIES = (("All severities", None), ("Errors", "error"), ("Warnings", "warning"))
_CYCLE_STYLE = "color: #c62828;"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def problems_title(errors: int, warnings: int) -> str:
    """The dock's title for these counts (``Problems — 5 errors, 2 warnings``)."""
    if not errors and not warnings:
        return "Problems — none"
    return f"Problems — {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


class ProblemTableView(QTableView):
    """A compact, sortable, read-only table of problems."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problems-table")
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)

    @override
    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is None:
            return
        header = self.horizontalHeader()
        for col, width in _WIDTHS.items():
            header.resizeSection(col, width)
        header.setSectionResizeMode(ProblemCol.MESSAGE, QHeaderView.ResizeMode.Stretch)


class ProblemsDock(QDockWidget):
    """The Problems panel: a severity filter, a summary line and the table of problems.

    Args:
        parent: the main window.

    Signals:
        release_activated(str): a problem was double-clicked; the key of the release it is
            about (for a dependency violation, the successor, whose dates break the rule).
        message(str): a transient status-bar message.
    """

    release_activated = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Problems", parent)
        self.setObjectName("problems-dock")
        self.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self.model = ProblemTableModel(self)
        self._analysis: PlanAnalysis | None = None
        self._scope: ProblemScope | None = None
        self._filter = ViewFilter()
        self.proxy = ProblemFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.summary = QLabel("Checking the plan…", body)
        self.summary.setObjectName("problems-summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.summary, 1)
        self.severity_filter = QComboBox(body)
        self.severity_filter.setObjectName("severity-filter")
        for text, severity in _SEVERITIES:
            self.severity_filter.addItem(text, severity)
        top.addWidget(self.severity_filter)
        layout.addLayout(top)
        self.table = ProblemTableView(body)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(ProblemCol.SEVERITY, Qt.SortOrder.AscendingOrder)
        layout.addWidget(self.table)
        self.setWidget(body)

        self.severity_filter.currentIndexChanged.connect(self._on_severity_filter_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

    # -- showing ----------------------------------------------------------------------------
    def show_analysis(self, analysis: PlanAnalysis) -> None:
        """Show the problems of a finished analysis that pass the filter, with counts."""
        self._analysis = analysis
        self._scope = ProblemScope(analysis.plan)
        self._refresh()

    def set_filter(self, teams: frozenset[str], train: str | None) -> None:
        """Show only the problems of these teams (empty: every team) and this train."""
        flt = ViewFilter(frozenset(teams), train)
        if flt == self._filter:
            return
        self._filter = flt
        self._refresh()

    def _refresh(self) -> None:
        analysis, scope = self._analysis, self._scope
        if analysis is None or scope is None:
            return
        shown = scope.shown(analysis.problems, self._filter)
        errors = sum(p.severity == "error" for p in shown)
        warnings = len(shown) - errors
        self.model.set_problems(shown)
        self.setWindowTitle(problems_title(errors, warnings))
        self._fill_severity_counts(errors, warnings)
        parts = [f"Checked against {analysis.today.isoformat()}"]
        if len(shown) != len(analysis.problems):
            parts.insert(0, f"{len(shown)} of {len(analysis.problems)} problems ({self._named()})")
        schedule = analysis.schedule
        if schedule is not None and schedule.end is not None:
            parts.append(f"plan ends {schedule.end.isoformat()}")
            if schedule.critical_path:
                parts.append("critical path " + path_words(schedule.critical_path))
        text = html.escape(" · ".join(parts))
        if analysis.schedule_error:
            reason = html.escape(analysis.schedule_error)
            text = f'<span style="{_CYCLE_STYLE}"><b>No schedule:</b> {reason}</span><br>{text}'
        self.summary.setText(text)
        tips = [analysis.schedule_error] if analysis.schedule_error else []
        if schedule is not None and len(schedule.critical_path) > 1:
            tips.append("Critical path: " + " → ".join(schedule.critical_path))
        # As rich text, so that Qt wraps a long path instead of drawing one screen-wide line.
        self.summary.setToolTip("".join(f"<p>{html.escape(tip)}</p>" for tip in tips))

    def _named(self) -> str:
        """The filter in words (``team PAY, train Q4``)."""
        parts = [f"team {', '.join(sorted(self._filter.teams))}"] if self._filter.teams else []
        if self._filter.train is not None:
            parts.append(f"train {self._filter.train}")
        return ", ".join(parts)

    def set_checking(self) -> None:
        """Say that a new analysis runs (the previous problems stay until it arrives)."""
        if self.model.rowCount() == 0:
            self.summary.setText("Checking the plan…")

    def _fill_severity_counts(self, errors: int, warnings: int) -> None:
        counts = {None: errors + warnings, "error": errors, "warning": warnings}
        for i, (text, severity) in enumerate(_SEVERITIES):
            self.severity_filter.setItemText(i, f"{text} ({counts[severity]})")

    # -- filtering and activation -----------------------------------------------------------
    def set_severity(self, severity: str | None) -> None:
        """Show only problems of ``severity`` (None: all)."""
        self.severity_filter.setCurrentIndex(max(self.severity_filter.findData(severity), 0))

    def shown_problems(self) -> list[Problem]:
        """The problems shown, top to bottom."""
        return [self.proxy.index(row, 0).data(ItemRole) for row in range(self.proxy.rowCount())]

    @Slot()
    def _on_severity_filter_changed(self) -> None:
        self.proxy.set_severity(self.severity_filter.currentData())

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        problem = index.data(ItemRole)
        if problem is None:
            return
        key = None if self._scope is None else self._scope.focus(problem)
        if key is None:
            self.message.emit("This problem names no release")
            return
        self.release_activated.emit(key)
