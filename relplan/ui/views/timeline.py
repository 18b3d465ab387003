"""The Timeline (Gantt): a row per release grouped by team or train, drawn from ``relplan.layout``.

The scene holds a single :class:`TimelineCanvas` item that paints only the rows and days exposed
(bars, stage segments, milestones, freeze bands, forecast ghosts, dependency arrows, today), so a
plan of 2,000 releases scrolls as fast as one of 20. The date header and the row labels are
widgets in the view's margins, like a table's headers. Dragging a bar moves the whole release,
dragging its right end moves the target; the view emits ``move_requested`` and the window turns it
into one undoable ``drag_release``. Ctrl+wheel zooms, Home goes to today.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, Literal

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyleOptionGraphicsItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Plan
from relplan.layout.graph import Link, PlanGraph, ViewFilter
from relplan.layout.timeline import TimelineLayout, arrow_path, dragged_dates
from relplan.ui._compat import override
from relplan.ui.palette import Theme, current_theme, environment_colors, ink, team_colors, tint
from relplan.ui.views.base import PlanView, export_widget_image

if TYPE_CHECKING:
    from relplan.ui.analysis import PlanAnalysis

#: Pixels per day of the zoom levels.
ZOOMS: Final = {"week": 24.0, "month": 6.5, "quarter": 2.2}
ROW_PX: Final = 24.0
LABEL_W: Final = 210
HEADER_H: Final = 54
CRITICAL: Final = "#e8710a"
#: Above this many release edges only explicit ones (and the selected release's) are drawn.
ALL_ARROWS_LIMIT: Final = 600
EXPORT_MAX: Final = QSize(2400, 7000)
ARROW_MODES: Final = (
    ("All dependencies", "all"),
    ("Explicit + selected", "explicit"),
    ("Selected release", "selected"),
    ("No dependencies", "none"),
)


_last_graph: list[tuple[Plan, PlanAnalysis | None, PlanGraph]] = []


def plan_graph(plan: Plan, analysis: PlanAnalysis | None) -> PlanGraph:
    """The plan graph of ``plan`` flagged from ``analysis``; views handed the same pair (as the
    window does) share one instead of each indexing ~100,000 edges again."""
    if _last_graph and _last_graph[0][0] is plan and _last_graph[0][1] is analysis:
        return _last_graph[0][2]
    schedule = analysis.schedule if analysis is not None else None
    problems = analysis.problems if analysis is not None else ()
    graph = PlanGraph(plan, schedule=schedule, problems=problems)
    _last_graph[:] = [(plan, analysis, graph)]
    return graph


def release_story(graph: PlanGraph, key: str) -> str:
    """The full story of a release as tooltip HTML: dates, forecast, stages, gates, problems."""
    r = graph.releases[key]
    esc = html.escape
    lines = [
        f"<b>{esc(r.key)}</b> — {esc(r.name)}",
        f"{esc(r.team)} · {r.train or 'no train'} · {r.status.replace('_', ' ')}",
    ]
    if r.start and r.target:
        lines.append(f"Planned {r.start} → {r.target} ({(r.target - r.start).days + 1} days)")
    f = graph.forecast(key)
    if f is not None:
        crit = " · <b>critical path</b>" if f.critical else ""
        lines.append(
            f"Forecast {f.early_start} → {f.early_finish} · slip {f.slip_days:+d} d"
            + ("" if f.float_days is None else f" · float {f.float_days} d")
            + crit
        )
    lines += [f"Stage {esc(s.environment)}: {s.start} → {s.end} ({s.strategy})" for s in r.stages]
    lines += [f"◆ {esc(m.name)}: {m.date}" for m in r.milestones]
    lines += [
        f"Gate {esc(g.name)}{f' ({g.environment})' if g.environment else ''}: {g.status}"
        for g in r.gates
    ]
    for problem in graph.problems.get(key, ()):
        color = "#d32f2f" if problem.severity == "error" else "#b26a00"
        lines.append(f"<span style='color:{color}'>⚠ {esc(problem.message)}</span>")
    return "<br>".join(lines)


def link_story(graph: PlanGraph | None, link: Link) -> str:
    """An edge's story as tooltip HTML: type, lag, which items imply it, what is wrong."""
    head = f"<b>{html.escape(link.predecessor)} → {html.escape(link.successor)}</b>"
    lag = f"{link.lag_days:+d} d lag" if link.lag_days else "no lag"
    lines = [head, f"{link.type or 'mixed'} · {lag}"]
    if link.weight > 1:
        lines.append(f"{link.weight} release dependencies")
    if link.implied and graph is not None and link.weight == 1:
        pairs = graph.implied_by(link.predecessor, link.successor)
        lines.append("Implied by " + ", ".join(f"{a[5:]} → {b[5:]}" for a, b in pairs[:6]))
        if len(pairs) > 6:
            lines.append(f"and {len(pairs) - 6} more item links")
    for flag, text in (
        (link.broken, "broken by the planned dates"),
        (link.cycle, "on a cycle"),
        (link.critical, "on the critical path"),
    ):
        if flag:
            lines.append(f"<b>{text}</b>")
    return "<br>".join(lines)


def legend_html(chips: Iterable[tuple[str, str, str]], theme: Theme) -> str:
    """A legend line: ``(colour, glyph, meaning)`` chips in muted text."""
    parts = [f"<span style='color:{c}'>{glyph}</span> {html.escape(t)}" for c, glyph, t in chips]
    return f"<span style='color:{theme.muted}'>" + " &nbsp; ".join(parts) + "</span>"


def timeline_legend(environments: dict[str, QColor], theme: Theme) -> str:
    """The timeline's legend: environments, critical path, broken, implied, forecast, today."""
    chips = [(c.name(), "■", env) for env, c in environments.items()]
    chips += [
        (CRITICAL, "▬", "critical path"),
        (theme.error, "→", "broken / cycle"),
        (theme.muted, "⇢", "implied"),
        (theme.muted, "▭", "forecast"),
        (theme.text, "◆", "milestone"),
        (theme.accent, "│", "today"),
    ]
    return legend_html(chips, theme)


def heading(text: str, parent: QWidget) -> QLabel:
    """A view's title label (bold, larger), which its exports show too."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


def viewport_tooltip(area: QAbstractScrollArea, event: QEvent, text_at: Any) -> bool:
    """Answer a ToolTip event on ``area``'s viewport with ``text_at(position)``; whether it
    was one (a view's ``viewportEvent`` passes every other event on)."""
    if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
        return False
    text = text_at(QPointF(event.pos()))
    if text:
        QToolTip.showText(event.globalPos(), text, area.viewport())
    else:
        QToolTip.hideText()
    return True


def without_chrome(area: QAbstractScrollArea) -> None:
    """No frame and no scroll bars: for the offscreen copies that exports render."""
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class TimelineCanvas(QGraphicsItem):
    """The whole chart as one item that paints only what is exposed."""

    def __init__(self, chart: TimelineChart) -> None:
        super().__init__()
        self.chart = chart
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    @override
    def boundingRect(self) -> QRectF:
        layout = self.chart.timeline
        if layout is None:
            return QRectF()
        return QRectF(0, 0, layout.span_days * self.chart.day_px, len(layout.rows) * ROW_PX)

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        chart, layout = self.chart, self.chart.timeline
        if layout is None:
            return
        exposed = option.exposedRect.intersected(self.boundingRect())
        first, last = int(exposed.top() // ROW_PX), int(exposed.bottom() // ROW_PX)
        theme, px = chart.theme, chart.day_px
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, right = exposed.left(), exposed.right()
        for row in layout.rows[first : last + 1]:  # group rows and the selection
            if row.kind == "group":
                painter.fillRect(
                    QRectF(left, row.row * ROW_PX, exposed.width(), ROW_PX), theme.color("outside")
                )
            elif row.key == chart.selected:
                painter.fillRect(
                    QRectF(left, row.row * ROW_PX, exposed.width(), ROW_PX),
                    tint(theme.color("accent"), theme.color("base"), 0.12),
                )
        self._grid(painter, exposed)
        for band in layout.freeze_bands():
            spans = band.rows or ((first, last),)
            for a, b in spans:
                top, bottom = max(a, first) * ROW_PX, (min(b, last) + 1) * ROW_PX
                if bottom > top and band.x1 * px > left and band.x0 * px < right:
                    rect = QRectF(band.x0 * px, top, (band.x1 - band.x0) * px, bottom - top)
                    painter.fillRect(rect, QColor(theme.freeze))
                    painter.fillRect(
                        rect, QBrush(QColor(theme.freeze_hatch), Qt.BrushStyle.BDiagPattern)
                    )
        for items in layout.items(first, last):
            self._row(painter, items, layout.rows[items.row].label)
        self._arrows(painter, first, last)
        today = chart.today
        if today is not None:
            x = layout.x(today) * px
            painter.setPen(QPen(theme.color("accent"), 2))
            painter.drawLine(QPointF(x, exposed.top()), QPointF(x, exposed.bottom()))

    def _grid(self, painter: QPainter, exposed: QRectF) -> None:
        chart, layout = self.chart, self.chart.timeline
        assert layout is not None
        px, theme = chart.day_px, chart.theme
        first_day, last_day = layout.day(exposed.left() / px), layout.day(exposed.right() / px)
        day = first_day
        grid = theme.color("grid")
        while day <= last_day:
            x = layout.x(day) * px
            if day.day == 1:
                painter.setPen(QPen(grid, 1))
                painter.drawLine(QPointF(x, exposed.top()), QPointF(x, exposed.bottom()))
            elif px >= 4 and day.weekday() == 0:
                painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
                painter.drawLine(QPointF(x, exposed.top()), QPointF(x, exposed.bottom()))
            if px >= 14 and day.weekday() >= 5:
                painter.fillRect(
                    QRectF(x, exposed.top(), px, exposed.height()), theme.color("weekend")
                )
            day += dt.timedelta(days=1)

    def _row(self, painter: QPainter, items: Any, label: str) -> None:
        chart = self.chart
        px, theme, y = chart.day_px, chart.theme, items.row * ROW_PX
        base = theme.color("base")
        release = chart.graph.releases[items.key] if chart.graph else None
        team = chart.team_colors.get(release.team if release else "", QColor("#607d8b"))
        bar = items.bar
        pending = chart.pending.get(items.key)
        if pending is not None and chart.timeline is not None:
            bar = (chart.timeline.x(pending[0]), chart.timeline.x(pending[1]) + 1)
        if items.ghost is not None:  # the forecast, behind the bar: shows where it slips to
            x0, x1 = items.ghost
            painter.setPen(QPen(theme.color("muted"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(tint(theme.color("muted"), base, 0.18))
            painter.drawRoundedRect(QRectF(x0 * px, y + 6, (x1 - x0) * px, ROW_PX - 12), 3, 3)
        if bar is None:
            return
        done = release is not None and release.status in ("released", "cancelled")
        rect = QRectF(bar[0] * px, y + 4, max((bar[1] - bar[0]) * px, 2), ROW_PX - 8)
        outline = QColor(CRITICAL) if items.critical else ink(team, theme)
        painter.setPen(QPen(outline, 2.2 if items.critical else 1))
        painter.setBrush(tint(team, base, 0.22 if done else 0.42))
        painter.drawRoundedRect(rect, 3, 3)
        colors = chart.env_colors
        painter.setPen(Qt.PenStyle.NoPen)
        for x0, x1, env, _rank in items.segments:
            painter.setBrush(colors.get(env, QColor("#90a4ae")))
            painter.drawRect(QRectF(x0 * px, rect.bottom() - 5, max((x1 - x0) * px, 1), 4))
        if pending is None and rect.width() > 60:
            painter.setPen(theme.color("muted") if done else theme.color("text"))
            text = painter.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, int(rect.width()) - 8
            )
            painter.drawText(rect.adjusted(5, -1, -3, -4), Qt.AlignmentFlag.AlignVCenter, text)
        painter.setPen(QPen(base, 1))
        painter.setBrush(theme.color("text"))
        for x, _name in items.milestones:
            cx, cy, r = x * px, rect.top() + 1, 4.5
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(cx, cy - r),
                        QPointF(cx + r, cy),
                        QPointF(cx, cy + r),
                        QPointF(cx - r, cy),
                    ]
                )
            )
        if pending is not None:
            painter.setPen(QPen(theme.color("accent"), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)

    def _arrows(self, painter: QPainter, first: int, last: int) -> None:
        chart, layout = self.chart, self.chart.timeline
        assert layout is not None
        for arrow in chart.visible_arrows(first, last):
            link = arrow.link
            color = QColor(
                chart.theme.error
                if link.broken or link.cycle
                else CRITICAL
                if link.critical
                else chart.theme.muted
            )
            style = Qt.PenStyle.DashLine if link.implied else Qt.PenStyle.SolidLine
            painter.setPen(QPen(color, 2 if link.critical or link.broken else 1, style))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            points = [QPointF(*p) for p in arrow_path(arrow, day_px=chart.day_px, row_px=ROW_PX)]
            painter.drawPolyline(points)
            tip, back = points[-1], points[-2]
            d = 1 if tip.x() >= back.x() else -1
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawPolygon(
                QPolygonF(
                    [
                        tip,
                        QPointF(tip.x() - 6 * d, tip.y() - 3.5),
                        QPointF(tip.x() - 6 * d, tip.y() + 3.5),
                    ]
                )
            )


class _Margin(QWidget):
    """The date header or the row labels, painted from the chart's scroll position."""

    def __init__(self, chart: TimelineChart, *, header: bool) -> None:
        super().__init__(chart)
        self.chart, self.header = chart, header

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), self.chart.theme.color("outside"))
            if self.chart.timeline is not None:
                (self.chart.paint_header if self.header else self.chart.paint_labels)(painter)
        finally:
            painter.end()


class TimelineChart(QGraphicsView):
    """The scrolling chart, its date header and its row labels.

    Signals:
        move_requested(str, str, int): a bar was dragged: key, part ("body" or "end"), days.
        release_activated(str): a bar was double-clicked.
        selection_changed(str): a bar was clicked (its key).
    """

    move_requested = Signal(str, str, int)
    release_activated = Signal(str)
    selection_changed = Signal(str)
    zoom_changed = Signal()

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
        self._drag: tuple[str, str, float, int] | None = None  # key, part, press x, delta days
        self.setScene(QGraphicsScene(self))
        self.canvas = TimelineCanvas(self)
        self.scene().addItem(self.canvas)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportMargins(LABEL_W, HEADER_H, 0, 0)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setMouseTracking(True)
        self.header, self.labels = _Margin(self, header=True), _Margin(self, header=False)
        self.horizontalScrollBar().valueChanged.connect(self.header.update)
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
        self._resize_scene()

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

    def paint_header(self, painter: QPainter) -> None:
        """Months (or years) over weeks, days or months, then freeze names, then today."""
        layout, px, theme = self.timeline, self.day_px, self.theme
        assert layout is not None
        dx = self.horizontalScrollBar().value()
        width = self.header.width()
        first, last = layout.day(dx / px), layout.day((dx + width) / px)
        painter.setPen(theme.color("grid"))
        painter.drawLine(0, HEADER_H - 1, width, HEADER_H - 1)
        small = QFont(painter.font())
        small.setPointSizeF(small.pointSizeF() * 0.85)
        bands = [(0, 20, "%b %Y" if px >= 1.8 else "%Y", "month" if px >= 1.8 else "year")]
        bands.append(
            (
                20,
                18,
                "%d" if px >= 14 else "W%V" if px >= 4 else "%b",
                "day" if px >= 14 else "week" if px >= 4 else "month",
            )
        )
        for top, height, fmt, unit in bands:
            day = first - dt.timedelta(days=40 if unit != "day" else 0)
            while day <= last:
                nxt = _next(day, unit)
                x0, x1 = layout.x(day) * px - dx, layout.x(nxt) * px - dx
                painter.setPen(theme.color("grid"))
                painter.drawLine(int(x0), top, int(x0), top + height)
                painter.setPen(
                    theme.color("muted" if unit == "day" and day.weekday() >= 5 else "text")
                )
                painter.setFont(small if top else painter.font())
                rect = QRectF(max(x0, 0) + 4, top, x1 - max(x0, 0) - 6, height)
                if rect.width() > 12:
                    painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, day.strftime(fmt))
                day = nxt
        painter.setFont(small)
        freezes = sorted(layout.freeze_bands(), key=lambda band: band.x0)
        for n, band in enumerate(freezes):
            following = freezes[n + 1].x0 * px - dx if n + 1 < len(freezes) else float(width)
            x0, x1 = band.x0 * px - dx, band.x1 * px - dx
            if x1 < 0 or x0 > width:
                continue
            painter.fillRect(QRectF(x0, 39, x1 - x0, 14), QColor(theme.freeze_hatch))
            painter.setPen(QColor(theme.freeze_text))
            scope = f" ({', '.join(band.environments)})" if band.environments else ""
            room = max(x1, following) - x0 - 4  # the name may run on until the next freeze
            text = painter.fontMetrics().elidedText(
                band.name + scope, Qt.TextElideMode.ElideRight, int(room)
            )
            painter.drawText(QRectF(x0 + 3, 39, room, 14), Qt.AlignmentFlag.AlignVCenter, text)
        if self.today is not None:
            x = layout.x(self.today) * px - dx
            painter.setPen(QPen(theme.color("accent"), 2))
            painter.drawLine(QPointF(x, 20), QPointF(x, HEADER_H))

    def paint_labels(self, painter: QPainter) -> None:
        """Group names (with their team colour) and release keys, aligned with the rows."""
        layout, theme = self.timeline, self.theme
        assert layout is not None
        dy = self.verticalScrollBar().value()
        first = int(dy // ROW_PX)
        last = int((dy + self.labels.height()) // ROW_PX)
        bold = QFont(painter.font())
        bold.setBold(True)
        for row in layout.rows[first : last + 1]:
            rect = QRectF(0, row.row * ROW_PX - dy, LABEL_W, ROW_PX)
            problems = self.graph.problems.get(row.key) if self.graph else None
            if row.kind == "group":
                swatch = self.team_colors.get(row.key) if layout.group_by == "team" else None
                painter.fillRect(rect.adjusted(0, 0, 0, -1), theme.color("outside"))
                painter.fillRect(
                    QRectF(4, rect.top() + 5, 4, ROW_PX - 10), swatch or theme.color("muted")
                )
                painter.setFont(bold)
                painter.setPen(theme.color("text"))
                name = row.label if row.key else "No train"
                text = f"{name} ({row.key})" if row.key and row.key != name else name
            else:
                if row.key == self.selected:
                    painter.fillRect(rect, tint(theme.color("accent"), theme.color("base"), 0.18))
                painter.setFont(painter.font() if painter.font() != bold else QFont(self.font()))
                painter.setPen(theme.color("error") if problems else theme.color("text"))
                text = ("⚠ " if problems else "") + row.key
            painter.drawText(rect.adjusted(14, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, text)
        painter.setPen(theme.color("grid"))
        painter.drawLine(LABEL_W - 1, 0, LABEL_W - 1, self.labels.height())

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


def _next(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=1)
    if unit == "week":
        return day + dt.timedelta(days=7 - day.weekday())
    if unit == "year":
        return dt.date(day.year + 1, 1, 1)
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _near(
    x: float, y: float, a: tuple[float, float], b: tuple[float, float], tol: float = 4
) -> bool:
    (ax, ay), (bx, by) = a, b
    return (
        min(ax, bx) - tol <= x <= max(ax, bx) + tol and min(ay, by) - tol <= y <= max(ay, by) + tol
    )


class TimelineView(QWidget, PlanView):
    """The Timeline tab: zoom, grouping and dependency controls, a search box and the chart.

    Args:
        parent: the owning widget.

    Signals:
        release_activated(str): a bar was double-clicked (the window opens the editor).
        move_requested(str, str, int): a bar was dragged: key, part (``"body"`` or ``"end"``)
            and days; the window writes it with ``WorkspaceSession.drag_release``.
    """

    move_requested = Signal(str, str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-view")
        self._plan: Plan | None = None
        self._analysis: PlanAnalysis | None = None
        self._graph: PlanGraph | None = None
        self._today = dt.date.today()  # replaced by the analysis' day in set_data
        self._filter = ViewFilter()
        self._group_by: Literal["team", "train"] = "team"
        self._scrolled = False
        #: Appended to the title (an export that shows only some releases says so).
        self.title_note = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 4)
        self.zoom_buttons: dict[str, QToolButton] = {}
        for name in ZOOMS:
            button = QToolButton(self)
            button.setText(name.title())
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setToolTip(f"{name.title()} zoom (Ctrl+wheel zooms freely)")
            button.clicked.connect(lambda _=False, n=name: self.set_zoom(n))
            bar.addWidget(button)
            self.zoom_buttons[name] = button
        today = QToolButton(self)
        today.setText("Today")
        today.setToolTip("Scroll to today (Home)")
        today.clicked.connect(self.go_today)
        bar.addWidget(today)
        bar.addSpacing(12)
        self.group_box = QComboBox(self)
        self.group_box.addItem("Group by team", "team")
        self.group_box.addItem("Group by train", "train")
        self.group_box.currentIndexChanged.connect(self._on_group_box_changed)
        bar.addWidget(self.group_box)
        self.arrow_box = QComboBox(self)
        for label, mode in ARROW_MODES:
            self.arrow_box.addItem(label, mode)
        self.arrow_box.currentIndexChanged.connect(self._on_arrow_box_changed)
        bar.addWidget(self.arrow_box)
        bar.addStretch(1)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find release…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        bar.addWidget(self.search)
        layout.addLayout(bar)
        self.canvas = QWidget(self)
        self.canvas.setObjectName("timeline-canvas")
        self.canvas.setAutoFillBackground(True)
        body = QVBoxLayout(self.canvas)
        body.setContentsMargins(8, 4, 8, 8)
        self.title = heading("Timeline", self.canvas)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        self.legend = QLabel("", self.canvas)
        top.addWidget(self.legend)
        body.addLayout(top)
        self.chart = TimelineChart(self.canvas)
        body.addWidget(self.chart, 1)
        layout.addWidget(self.canvas, 1)
        self.chart.move_requested.connect(self.move_requested)
        self.chart.release_activated.connect(self.release_activated)
        self.chart.zoom_changed.connect(self._sync_zoom_buttons)
        self._sync_zoom_buttons()

    # -- the protocol -------------------------------------------------------------------------
    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        """Show ``plan`` with the schedule and problems ``analysis`` found."""
        from relplan.ui.analysis import zone_today

        self._plan, self._analysis = plan, analysis
        self._today = analysis.today if analysis is not None else zone_today(plan.timezone)
        self._graph = plan_graph(plan, analysis)
        if self.arrow_box.property("chosen") is None:  # until the user picks, by plan size
            mode = "all" if len(self._graph.links) <= ALL_ARROWS_LIMIT else "explicit"
            self.arrow_box.blockSignals(True)
            self.arrow_box.setCurrentIndex(self.arrow_box.findData(mode))
            self.arrow_box.blockSignals(False)
            self.chart.arrow_mode = mode
        self.relayout()

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Show only these teams (empty: all), train and environment (None: any)."""
        self._filter = replace(
            self._filter, teams=frozenset(teams), train=train, environment=environment
        )
        self.relayout()

    def set_date_range(self, first: dt.date | None, last: dt.date | None) -> None:
        """Show only these days (None: from the first release, to the last)."""
        self._filter = replace(self._filter, first=first, last=last)
        self.relayout()

    def focus_search(self) -> bool:
        """Focus the search box (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def set_theme(self, theme: Theme) -> None:
        """Repaint with another theme."""
        self.chart.apply_theme(theme)

    def export_widget(self) -> QWidget:
        """The title and the chart, without the controls."""
        return self.canvas

    def export_image(self, path: str) -> None:
        """Write every row of the shown days (all days when never shown) as PNG, SVG or PDF.

        An offscreen copy sized to fit the rows and days (within :data:`EXPORT_MAX`) is
        rendered, so the file does not depend on this view's size or scrolling.
        """
        copy = TimelineView()
        try:
            copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            copy._filter, copy._group_by, copy._scrolled = self._filter, self._group_by, True
            copy.title_note = self.title_note
            chart = copy.chart
            chart.apply_theme(self.chart.theme)
            chart.arrow_mode, chart.selected = self.chart.arrow_mode, self.chart.selected
            copy.arrow_box.setProperty("chosen", True)
            without_chrome(chart)
            copy.resize(900, 600)
            copy.show()
            if self._plan is not None:
                copy.set_data(self._plan, self._analysis)
            timeline = chart.timeline
            days, rows = (timeline.span_days, len(timeline.rows)) if timeline else (90, 1)
            first_x = 0.0
            if self.isVisible() and self.chart.timeline is not None:  # the days in view
                first_x = self.chart.mapToScene(0, 0).x() / self.chart.day_px
                days = math.ceil(self.chart.viewport().width() / self.chart.day_px)
            QApplication.sendPostedEvents()
            chrome = copy.size() - chart.viewport().size()
            day_px = (EXPORT_MAX.width() - chrome.width()) / max(days, 1)
            if not self.isVisible():  # no zoom to keep: as wide as reads well
                day_px = min(day_px, max(ZOOMS["month"], 1600 / max(days, 1)))
            chart.day_px = min(ZOOMS["week"], max(1.0, day_px))
            width = chrome.width() + math.ceil(days * chart.day_px)
            height = chrome.height() + math.ceil(rows * ROW_PX)
            copy.resize(min(width, EXPORT_MAX.width()), min(height, EXPORT_MAX.height()))
            QApplication.sendPostedEvents()
            chart.relayout_scene()
            chart.horizontalScrollBar().setValue(round(first_x * chart.day_px))
            chart.verticalScrollBar().setValue(0)
            if timeline is not None and self.isVisible():
                first = timeline.day(first_x)
                copy.set_title(timeline, first, first + dt.timedelta(days=days - 1))
            export_widget_image(copy.canvas, path)
        finally:
            copy.hide()
            copy.deleteLater()

    # -- state --------------------------------------------------------------------------------
    @property
    def graph(self) -> PlanGraph | None:
        """The plan graph shown (None before ``set_data``)."""
        return self._graph

    def relayout(self) -> None:
        """Lay the rows out again from the plan, analysis, filter and grouping."""
        if self._graph is None:
            return
        today = self._today
        layout = TimelineLayout(self._graph, self._filter, group_by=self._group_by, today=today)
        self.chart.set_layout(self._graph, layout, today)
        self.set_title(layout, layout.origin, layout.day(layout.span_days - 1))
        self.legend.setText(timeline_legend(self.chart.env_colors, self.chart.theme))
        if not self._scrolled:
            self._scrolled = True
            self.chart.scroll_to_day(today - dt.timedelta(days=30))

    def set_title(self, layout: TimelineLayout, first: dt.date, last: dt.date) -> None:
        """Name the days shown and how many releases."""
        count = len(layout.rows) - len({row.group for row in layout.rows})
        self.title.setText(
            f"Timeline — {count} release{'s' * (count != 1)}"
            f"{' ' + self.title_note if self.title_note else ''}, "
            f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
        )

    def set_zoom(self, name: str) -> None:
        """Zoom to ``week``, ``month`` or ``quarter``."""
        self.chart.set_zoom(ZOOMS[name])
        self._sync_zoom_buttons()

    def set_group_by(self, group_by: Literal["team", "train"]) -> None:
        """Group rows by ``team`` or ``train``."""
        self.group_box.setCurrentIndex(self.group_box.findData(group_by))

    def set_arrow_mode(self, mode: str) -> None:
        """Draw ``all``, ``explicit`` (+ the selected release's), ``selected`` or ``none``."""
        self.arrow_box.setCurrentIndex(self.arrow_box.findData(mode))

    def go_today(self) -> None:
        """Scroll to today."""
        if self.chart.today is not None:
            self.chart.scroll_to_day(self.chart.today)

    def _sync_zoom_buttons(self) -> None:
        for name, button in self.zoom_buttons.items():
            button.setAutoExclusive(False)  # else the checked one cannot be unchecked
            button.setChecked(abs(ZOOMS[name] - self.chart.day_px) < 0.01)
            button.setAutoExclusive(True)

    def _on_group_box_changed(self) -> None:
        self._group_by = self.group_box.currentData()
        self.relayout()

    def _on_arrow_box_changed(self) -> None:
        self.arrow_box.setProperty("chosen", True)
        self.chart.arrow_mode = self.arrow_box.currentData()
        self.chart.viewport().update()

    def _on_search_return_pressed(self) -> None:
        layout = self.chart.timeline
        if layout is None or self._graph is None:
            return
        shown = [row.key for row in layout.rows if row.kind == "release"]
        found = self._graph.search(self.search.text(), shown)
        if found:
            self.chart.scroll_to_release(found[0])
