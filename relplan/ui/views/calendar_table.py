"""The calendar's grid: a month model (one row per week) and the table that paints it.

:class:`CalendarModel` holds a :class:`~relplan.layout.calendar.CalendarLayout`;
:class:`CalendarTable` paints its days with :class:`CalendarDelegate` and the bars over them with
:func:`paint_bars`, shares its height among the weeks, shows the full story of a bar or a day as a
tooltip, and reports clicks as :class:`Hit` s.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QToolTip, QWidget

from relplan.ui._compat import override
from relplan.ui.views.calendar_legend import describe_day, describe_release
from relplan.ui.views.calendar_paint import (
    CalendarDelegate,
    DayRole,
    Hit,
    PaintContext,
    RowGeometry,
    hit_test,
    paint_bars,
)

if TYPE_CHECKING:
    from relplan.layout.calendar import CalendarLayout

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT: Final = QModelIndex()
#: The smallest height of a week row per period kind (rows grow to fill the view).
MIN_ROW_HEIGHT: Final = {"week": 160, "month": 112, "quarter": 76}
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CalendarModel(QAbstractTableModel):
    """The days of a calendar layout: one row per week, one column per weekday.

    ``data(index, DayRole)`` gives the :class:`CalendarDay`; ``DisplayRole`` its day number.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout: CalendarLayout | None = None

    @property
    def layout(self) -> CalendarLayout | None:
        """The layout shown."""
        return self._layout

    def set_layout(self, layout: CalendarLayout | None) -> None:
        """Show another layout (a model reset)."""
        self.beginResetModel()
        self._layout = layout
        self.endResetModel()

    def index_of(self, day: dt.date) -> QModelIndex:
        """The index of ``day`` (invalid when it is not shown)."""
        pos = None if self._layout is None else self._layout.position(day)
        return _ROOT if pos is None else self.index(*pos)

    @override
    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        if parent.isValid() or self._layout is None:
            return 0
        return len(self._layout.weeks)

    @override
    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() or self._layout is None else 7

    @override
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._layout is None or not index.isValid():
            return None
        day = self._layout.weeks[index.row()].days[index.column()]
        if role == DayRole:
            return day
        if role == Qt.ItemDataRole.DisplayRole:
            return str(day.date.day)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{day.date:%A %d %B %Y}: {len(day.entries)} releases"
        return None

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self._layout is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _WEEKDAYS[(section + self._layout.week_start) % 7]
        if 0 <= section < len(self._layout.weeks):
            return f"W{self._layout.weeks[section].number}"
        return None

    @override
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled if index.isValid() else Qt.ItemFlag.NoItemFlags


class CalendarTable(QTableView):
    """The grid of days; paints the bars over the cells and reports clicks on them.

    Signals:
        hit_clicked(object): a :class:`Hit` was clicked.
    """

    hit_clicked = Signal(object)

    def __init__(self, context: PaintContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("calendar-table")
        self.setItemDelegate(CalendarDelegate(context, self))
        self.setShowGrid(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setCornerButtonEnabled(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setHighlightSections(False)
        rows.setSectionsClickable(False)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._pressed: Hit | None = None
        self._show_all = False

    @property
    def show_all(self) -> bool:
        """Whether rows grow to show every lane (else they share the view, with "+N more")."""
        return self._show_all

    def set_show_all(self, show_all: bool) -> None:
        """Let rows grow to show every lane (the table then scrolls), or fit them to the view."""
        self._show_all = show_all
        self.fit_rows()

    def fit_rows(self) -> None:
        """Share the viewport's height among the weeks (never below the kind's minimum).

        With :attr:`show_all`, each row is at least as tall as its lanes need.
        """
        layout = self.context.layout
        rows = self.model().rowCount()
        if not rows or layout is None:
            return
        room = self.viewport().height()
        least = MIN_ROW_HEIGHT[layout.kind]
        if self._show_all:
            geometry = self.context.geometry
            heights = [max(least, geometry.full_height(week)) for week in layout.weeks]
        else:
            heights = [max(least, room // rows)] * rows
        # Rows that leave room share it, so the weeks fill the view.
        extra, spare = divmod(max(room - sum(heights), 0), rows)
        for row, height in enumerate(heights):
            self.setRowHeight(row, height + extra + (1 if row < spare else 0))

    def content_height(self) -> int:
        """The height the header and every row take (to export without scrolling)."""
        rows = self.model().rowCount()
        rows_height = sum(self.rowHeight(r) for r in range(rows))
        return self.horizontalHeader().height() + rows_height + 2 * self.frameWidth()

    def row_geometry(self, row: int) -> RowGeometry:
        """Where week ``row`` is in the viewport."""
        header = self.horizontalHeader()
        xs = [float(header.sectionViewportPosition(c)) for c in range(7)]
        xs.append(xs[-1] + header.sectionSize(6))
        return RowGeometry(self.rowViewportPosition(row), self.rowHeight(row), tuple(xs))

    def hit_at(self, pos: QPoint) -> Hit | None:
        """What is drawn at a viewport position."""
        index = self.indexAt(pos)
        if not index.isValid():
            return None
        cell = self.visualRect(index)
        return hit_test(self.context, index.row(), index.column(), cell, pos)

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_rows()

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        layout = self.context.layout
        if layout is None:
            return
        painter = QPainter(self.viewport())
        try:
            painter.setFont(self.font())
            area = event.rect()
            for row in range(len(layout.weeks)):
                geometry = self.row_geometry(row)
                if geometry.top > area.bottom() or geometry.top + geometry.height < area.top():
                    continue
                paint_bars(painter, self.context, row, geometry)
        finally:
            painter.end()

    @override
    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.hit_at(event.pos())
            text = self._tooltip(hit)
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() == QEvent.Type.Leave:
            self.viewport().update()
        return super().viewportEvent(event)

    def _tooltip(self, hit: Hit | None) -> str:
        layout = self.context.layout
        if hit is None or layout is None:
            return ""
        if hit.kind == "release" and hit.key is not None:
            return describe_release(layout, hit.key, hit.day, team_names=self.context.team_names)
        return describe_day(layout, hit.day, hidden=hit.hidden)

    @override
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = self.hit_at(event.position().toPoint())
        super().mousePressEvent(event)

    @override
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        hit = self.hit_at(event.position().toPoint())
        pressed, self._pressed = self._pressed, None
        if (
            event.button() == Qt.MouseButton.LeftButton
            and hit is not None
            and pressed is not None
            and (hit.kind, hit.key, hit.day.date) == (pressed.kind, pressed.key, pressed.day.date)
        ):
            self.hit_clicked.emit(hit)
