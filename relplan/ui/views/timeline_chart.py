"""The Timeline's scrolling chart: zoom, scrolling, hit testing, dragging, tooltips."""

from __future__ import annotations

import datetime as dt
import html
import itertools
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QMenu,
    QWidget,
)

from relplan.domain.model import Flag
from relplan.layout.graph import PlanGraph
from relplan.layout.timeline import TimelineLayout, arrow_path, dragged_dates
from relplan.layout.timeline_level import LevelGhost, level_ghosts, pinned_starts
from relplan.ui._compat import override
from relplan.ui.palette import Theme, current_theme, environment_colors, team_colors
from relplan.ui.views.timeline_paint import (
    HEADER_H,
    LABEL_W,
    ROW_PX,
    ZOOMS,
    TimelineCanvas,
    TimelineMargin,
)
from relplan.ui.views.view_common import link_story, release_story, viewport_tooltip

if TYPE_CHECKING:
    from relplan.planning.level import Move


class TimelineChart(QGraphicsView):
    """The scrolling chart, its date header and its row labels.

    Signals:
        move_requested(str, str, int): a bar was dragged: key, part ("body" or "end"), days.
        release_activated(str): a bar was double-clicked.
        selection_changed(str): a bar was clicked (its key).
        pin_requested(str, bool): "Pin for levelling" (True) or "Unpin" (False) was chosen in
            a bar's context menu.
    """

    move_requested = Signal(str, str, int)
    release_activated = Signal(str)
    selection_changed = Signal(str)
    zoom_changed = Signal()
    pin_requested = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-chart")
        self.graph: PlanGraph | None = None
        self.timeline: TimelineLayout | None = None
        self.theme: Theme = current_theme()
        self.day_px = ZOOMS["month"]
        self.today: dt.date | None = None
        self.selected = ""
        self.arrow_mode = "explicit"
        self.pending: dict[str, tuple[dt.date, dt.date]] = {}
        self.team_colors: dict[str, QColor] = {}
        self.env_colors: dict[str, QColor] = {}
        self.flags: dict[str, list[Flag]] = {}
        self._drag: tuple[str, str, float, int] | None = None  # key, part, press x, delta days
        # A levelling preview (the Level dialog's moves) and the rows of its ghosts.
        self.level_moves: tuple[Move, ...] = ()
        self.level_ghosts: dict[int, LevelGhost] = {}
        #: The releases pinned in the Level dialog (the context menu offers to unpin them).
        self.level_pins: frozenset[str] = frozenset()
        self.level_pinned: dict[int, float] = {}  # their bars' starts, by row
        self.setScene(QGraphicsScene(self))
        self.canvas = TimelineCanvas(self)
        self.scene().addItem(self.canvas)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportMargins(LABEL_W, HEADER_H, 0, 0)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setMouseTracking(True)
        self.header, self.labels = (
            TimelineMargin(self, header=True),
            TimelineMargin(self, header=False),
        )
        self.horizontalScrollBar().valueChanged.connect(self.header.update)
        # The names of bars cut by the view's left edge follow it: the whole view repaints.
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().valueChanged.connect(self.labels.update)
        self.apply_theme(self.theme)

    def apply_theme(self, theme: Theme) -> None:
        """Paint with ``theme``."""
        self.theme = theme
        self.setBackgroundBrush(theme.color("base"))
        self.viewport().update()
        self.header.update()
        self.labels.update()

    def set_layout(self, graph: PlanGraph, layout: TimelineLayout, today: dt.date | None) -> None:
        """Show a new layout (keeps zoom and scroll position)."""
        self.canvas.prepareGeometryChange()
        self.graph, self.timeline, self.today, self.pending = graph, layout, today, {}
        self.team_colors = team_colors(graph.plan.teams)
        self.env_colors = environment_colors(graph.plan.environments)
        # Feature flags are drawn under their release's bar.
        self.flags = {}
        for flag in graph.plan.flags:
            self.flags.setdefault(flag.release, []).append(flag)
        self.level_ghosts = level_ghosts(layout, self.level_moves)
        self.level_pinned = pinned_starts(layout, self.level_pins)
        self._resize_scene()

    def set_level_preview(self, moves: tuple[Move, ...], pins: frozenset[str]) -> None:
        """Draw ghosts for these moves of a levelling preview (empty: none) and know the pins."""
        self.level_moves, self.level_pins = moves, pins
        layout = self.timeline
        self.level_ghosts = {} if layout is None else level_ghosts(layout, moves)
        self.level_pinned = {} if layout is None else pinned_starts(layout, pins)
        self.viewport().update()

    def set_zoom(self, day_px: float, *, anchor_x: float | None = None) -> None:
        """Show ``day_px`` pixels per day, keeping the day at viewport x ``anchor_x`` in place."""
        day_px = min(max(day_px, 1.0), 60.0)
        anchor = self.viewport().width() / 2 if anchor_x is None else anchor_x
        day = self.mapToScene(int(anchor), 0).x() / self.day_px
        self.canvas.prepareGeometryChange()
        self.day_px = day_px
        self._resize_scene()
        bar = self.horizontalScrollBar()
        bar.setValue(int(day * day_px - anchor))
        self.header.update()

    def scroll_to_day(self, day: dt.date) -> None:
        """Scroll so that ``day`` is a little right of the left edge."""
        if self.timeline is not None:
            x = self.timeline.x(day) * self.day_px
            self.horizontalScrollBar().setValue(int(x - self.viewport().width() * 0.25))

    def scroll_to_release(self, key: str) -> None:
        """Scroll so that the release's row and start are in view, and select it."""
        row = self.timeline.row_of(key) if self.timeline else None
        if row is None or self.timeline is None:
            return
        self.selected = key
        release = self.timeline.graph.releases[key]
        x = self.timeline.x(release.start) * self.day_px if release.start else 0
        self.centerOn(x + self.viewport().width() * 0.3, row * ROW_PX)
        self.viewport().update()

    def view_anchor(self) -> tuple[dt.date, str | None, int] | None:
        """What is in view: the day at the left edge, the key of the top row, the scroll y."""
        if self.timeline is None:
            return None
        y = self.verticalScrollBar().value()
        top = int(y // ROW_PX)
        rows = self.timeline.rows
        key = rows[top].key if 0 <= top < len(rows) and rows[top].kind == "release" else None
        return self.timeline.day(self.horizontalScrollBar().value() / self.day_px), key, y

    def restore_anchor(self, anchor: tuple[dt.date, str | None, int]) -> None:
        """Scroll back to what :meth:`view_anchor` saw (the same day and top release)."""
        if self.timeline is None:
            return
        day, key, y = anchor
        self.horizontalScrollBar().setValue(round(self.timeline.x(day) * self.day_px))
        row = self.timeline.row_of(key) if key else None
        self.verticalScrollBar().setValue(round(row * ROW_PX) if row is not None else y)

    def relayout_scene(self) -> None:
        """Take the canvas size again (after ``day_px`` was set directly)."""
        self.canvas.prepareGeometryChange()
        self._resize_scene()
        self._margin_geometry()

    def _resize_scene(self) -> None:
        self.scene().setSceneRect(self.canvas.boundingRect())
        self.viewport().update()
        self.header.update()
        self.labels.update()

    def visible_arrows(self, first: int, last: int) -> list[Any]:
        """The arrows the arrow mode shows for rows ``first..last``."""
        if self.timeline is None or self.arrow_mode == "none":
            return []
        around = {self.selected} if self.selected else set()
        if self.arrow_mode == "selected":
            row = self.timeline.row_of(self.selected)
            return [] if row is None else self.timeline.arrows(row, row)
        return self.timeline.arrows(first, last, implied=self.arrow_mode == "all", around=around)

    # -- margins ------------------------------------------------------------------------------
    def _margin_geometry(self) -> None:
        vp = self.viewport().geometry()
        self.header.setGeometry(vp.left(), vp.top() - HEADER_H, vp.width(), HEADER_H)
        self.labels.setGeometry(vp.left() - LABEL_W, vp.top(), LABEL_W, vp.height())

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._margin_geometry()

    # -- interaction --------------------------------------------------------------------------
    def _at(self, pos: QPointF) -> tuple[str, str] | None:
        if self.timeline is None:
            return None
        scene = self.mapToScene(pos.toPoint())
        row, within = divmod(scene.y(), ROW_PX)
        if not 3 <= within <= ROW_PX - 3:  # between bars
            return None
        grip = min(6 / self.day_px, 1.5)
        return self.timeline.hit(int(row), scene.x() / self.day_px, grip_days=grip)

    @override
    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._at(event.position())
        if event.button() != Qt.MouseButton.LeftButton or hit is None:
            super().mousePressEvent(event)
            return
        self._drag = (hit[0], hit[1], event.position().x(), 0)
        if self.selected != hit[0]:
            self.selected = hit[0]
            self.selection_changed.emit(hit[0])
        self.viewport().update()
        self.labels.update()

    @override
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None or self.timeline is None:
            super().mouseMoveEvent(event)  # first: it resets the viewport's cursor
            hit = self._at(event.position())
            cursors = {"end": Qt.CursorShape.SizeHorCursor, "body": Qt.CursorShape.OpenHandCursor}
            self.viewport().setCursor(cursors[hit[1]] if hit else Qt.CursorShape.ArrowCursor)
            return
        key, part, x, _ = self._drag
        delta = round((event.position().x() - x) / self.day_px)
        self._drag = (key, part, x, delta)
        release = self.timeline.graph.releases[key]
        if release.start and release.target:
            if delta:
                self.pending[key] = dragged_dates(release.start, release.target, delta, part=part)
            else:
                self.pending.pop(key, None)
        self.viewport().update()

    @override
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None or self.timeline is None:
            super().mouseReleaseEvent(event)
            return
        key, part, _, delta = self._drag
        self._drag = None
        dates = self.pending.get(key)
        if delta and dates is not None:
            self.move_requested.emit(key, part, delta)  # shown until the next layout

    def context_actions(self, key: str) -> list[QAction]:
        """The actions of a bar's context menu (parented to the chart; the menu shows them)."""
        pinned = key in self.level_pins
        action = QAction("Unpin for levelling" if pinned else "Pin for levelling", self)
        action.setStatusTip(
            f"{'Let levelling move' if pinned else 'Keep the dates of'} {key} in Level the Plan"
        )
        action.triggered.connect(lambda: self.pin_requested.emit(key, not pinned))
        return [action]

    @override
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        hit = self._at(QPointF(event.pos()))
        if hit is None:
            super().contextMenuEvent(event)
            return
        actions = self.context_actions(hit[0])
        QMenu.exec(actions, event.globalPos(), None, self)
        for action in actions:
            action.deleteLater()

    @override
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self._at(event.position())
        if hit is not None:
            self._drag = None
            self.pending.pop(hit[0], None)
            self.release_activated.emit(hit[0])

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            self.pending.pop(self._drag[0], None)
            self._drag = None
            self.viewport().update()
        elif event.key() == Qt.Key.Key_Home and self.today is not None:
            self.scroll_to_day(self.today)
        else:
            super().keyPressEvent(event)

    @override
    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.25 ** (event.angleDelta().y() / 120)
            self.set_zoom(self.day_px * factor, anchor_x=event.position().x())
            self.zoom_changed.emit()
        else:
            super().wheelEvent(event)

    @override
    def viewportEvent(self, event: QEvent) -> bool:
        return viewport_tooltip(self, event, self.tooltip_at) or super().viewportEvent(event)

    def tooltip_at(self, pos: QPointF) -> str:
        """The tooltip for viewport position ``pos``: a bar's story, an arrow's, or a freeze's."""
        if self.timeline is None or self.graph is None:
            return ""
        hit = self._at(pos)
        if hit is not None:
            return release_story(self.graph, hit[0])
        scene = self.mapToScene(pos.toPoint())
        row = int(scene.y() // ROW_PX)
        for arrow in self.visible_arrows(row - 40, row + 40):
            points = arrow_path(arrow, day_px=self.day_px, row_px=ROW_PX)
            if any(_near(scene.x(), scene.y(), a, b) for a, b in itertools.pairwise(points)):
                return link_story(self.graph, arrow.link)
        x = scene.x() / self.day_px
        for band in self.timeline.freeze_bands():
            if band.x0 <= x < band.x1 and (
                not band.rows or any(a <= row <= b for a, b in band.rows)
            ):
                scope = html.escape(", ".join(band.environments + band.teams) or "everything")
                days = f"{self.timeline.day(band.x0)} → {self.timeline.day(band.x1 - 1)}"
                return f"<b>{html.escape(band.name)}</b><br>{days} · {scope}"
        return ""


def _near(
    x: float, y: float, a: tuple[float, float], b: tuple[float, float], tol: float = 4
) -> bool:
    (ax, ay), (bx, by) = a, b
    return (
        min(ax, bx) - tol <= x <= max(ax, bx) + tol and min(ay, by) - tol <= y <= max(ay, by) + tol
    )
