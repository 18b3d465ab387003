"""The releases table view and its cell editors."""

from __future__ import annotations

import functools

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QProxyStyle,
    QStyle,
    QStyledItemDelegate,
    QStyleOption,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from relplan.domain.model import RELEASE_STATUSES
from relplan.ui._compat import override
from relplan.ui.models.release_columns import Col, status_label

AnyIndex = QModelIndex | QPersistentModelIndex

#: Pixels between a cell's text and the cell's edge.
TEXT_MARGIN = 7
#: Starting widths in pixels (Name stretches to fill the rest).
# Narrow enough that the stretched Name column keeps ~150 px at 1280 px wide.
_WIDTHS = {
    Col.KEY: 120,
    Col.TEAM: 70,
    Col.TRAIN: 90,
    Col.START: 95,
    Col.TARGET: 95,
    Col.STATUS: 100,
    Col.STAGES: 64,
    Col.GATES: 110,
    Col.FLOAT: 64,
    Col.SLIP: 64,
    Col.CRITICAL: 48,
    Col.PHASE: 85,
}


class _RoomyStyle(QProxyStyle):
    """The application style with more room around the text of cells and header sections."""

    @override
    def pixelMetric(
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        if metric == QStyle.PixelMetric.PM_FocusFrameHMargin:  # cell text margin is this + 1
            return TEXT_MARGIN - 1
        if metric == QStyle.PixelMetric.PM_HeaderMargin:
            return TEXT_MARGIN
        return super().pixelMetric(metric, option, widget)


@functools.cache
def _roomy_style() -> _RoomyStyle:
    # Widgets do not own their style: parent it to the application, which outlives them.
    style = _RoomyStyle()
    style.setParent(QApplication.instance())
    return style


class DateDelegate(QStyledItemDelegate):
    """Edits a day as text (YYYY-MM-DD; empty clears it); the model validates it."""

    @override
    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setPlaceholderText("YYYY-MM-DD")
        editor.setFrame(False)
        return editor


class StatusDelegate(QStyledItemDelegate):
    """Edits a release status with a combo box of the allowed statuses."""

    @override
    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for status in RELEASE_STATUSES:
            combo.addItem(status_label(status), status)
        return combo

    @override
    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            pos = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(pos, 0))
        else:
            super().setEditorData(editor, index)

    @override
    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class ReleaseTableView(QTableView):
    """The central table of releases: sortable by header click, alternating rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("releases-table")
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setWordWrap(False)
        self.setShowGrid(False)
        # Wider text margins in cells and headers alike (a style sheet would pad only cells).
        style = _roomy_style()
        self.setStyle(style)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setStyle(style)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setStretchLastSection(False)
        self._date_delegate = DateDelegate(self)
        self._status_delegate = StatusDelegate(self)
        self.setItemDelegateForColumn(Col.START, self._date_delegate)
        self.setItemDelegateForColumn(Col.TARGET, self._date_delegate)
        self.setItemDelegateForColumn(Col.STATUS, self._status_delegate)

    @override
    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is None:
            return
        header = self.horizontalHeader()
        for col, width in _WIDTHS.items():
            header.resizeSection(col, width)
        header.setSectionResizeMode(Col.NAME, QHeaderView.ResizeMode.Stretch)
        # No sort until the user asks: the snapshot comes ordered by key.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
