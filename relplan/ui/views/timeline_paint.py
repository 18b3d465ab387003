"""Painting the Timeline: the chart canvas (bars, stages, milestones, freezes, arrows, today)
and its margins (the date header and the row labels)."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from relplan.layout.lifecycle import lifecycle_marks
from relplan.layout.timeline import arrow_path
from relplan.ui._compat import override
from relplan.ui.palette import Theme, ink, tint
from relplan.ui.views.timeline_level import level_legend_chip, paint_level_ghost, paint_level_pin
from relplan.ui.views.timeline_lifecycle import paint_lifecycle
from relplan.ui.views.view_common import CRITICAL, legend_html

if TYPE_CHECKING:
    from relplan.ui.views.timeline_chart import TimelineChart

#: Pixels per day of the zoom levels.
ZOOMS: Final = {"week": 24.0, "month": 6.5, "quarter": 2.2}
ROW_PX: Final = 24.0
LABEL_W: Final = 210
HEADER_H: Final = 54


def timeline_legend(environments: dict[str, QColor], theme: Theme, *, preview: bool = False) -> str:
    """The timeline's legend: environments, critical path, broken, implied, forecast, today
    (and, with ``preview``, the levelling preview's ghosts first)."""
    chips = level_legend_chip() if preview else []
    chips += [(c.name(), "■", env) for env, c in environments.items()]
    chips += [
        (CRITICAL, "▬", "critical path"),
        (theme.error, "→", "broken / cycle"),
        (theme.muted, "⇢", "implied"),
        (theme.muted, "▭", "forecast"),
        (theme.text, "◆", "milestone"),
        (theme.text, "▮", "rollout step"),
        (theme.muted, "▨", "monitoring"),
        (theme.accent, "│", "today"),
    ]
    return legend_html(chips, theme)


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
        # On screen, a bar that starts left of the view keeps its name in sight, at the view's
        # left edge; a picture of the whole chart (no viewport) puts every name at its bar.
        view_left = chart.mapToScene(0, 0).x() if widget is chart.viewport() else -math.inf
        for items in layout.items(first, last):
            self._row(painter, items, layout.rows[items.row].label, view_left)
        self._arrows(painter, first, last)
        for n in range(first, last + 1):  # a levelling preview, over the bars
            ghost = chart.level_ghosts.get(n)
            if ghost is not None:
                paint_level_ghost(painter, ghost, px=px, row_px=ROW_PX, theme=theme)
            pin = chart.level_pinned.get(n)
            if pin is not None:
                paint_level_pin(painter, pin, n, px=px, row_px=ROW_PX)
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

    def _row(self, painter: QPainter, items: Any, label: str, view_left: float) -> None:
        chart = self.chart
        px, theme, y = chart.day_px, chart.theme, items.row * ROW_PX
        base = theme.color("base")
        release = chart.graph.releases[items.key] if chart.graph else None
        team = chart.team_colors.get(release.team if release else "", QColor("#607d8b"))
        bar = items.bar
        pending = chart.pending.get(items.key)
        shift = 0.0  # days a body drag moves the stage windows and milestones with the bar
        if pending is not None and chart.timeline is not None:
            bar = (chart.timeline.x(pending[0]), chart.timeline.x(pending[1]) + 1)
            shift = bar[0] - items.bar[0] if items.bar is not None else 0.0
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
            painter.drawRect(
                QRectF((x0 + shift) * px, rect.bottom() - 5, max((x1 - x0) * px, 1), 4)
            )
        if release is not None and chart.timeline is not None:
            marks = lifecycle_marks(
                release, chart.timeline.origin, chart.flags.get(release.key, ())
            )
            if not marks.empty:
                paint_lifecycle(painter, marks, rect, px=px, shift=shift, team=team, theme=theme)
                painter.setPen(Qt.PenStyle.NoPen)
        shown = rect.adjusted(max(view_left - rect.left(), 0), 0, 0, 0)  # the part in view
        if pending is None and shown.width() > 60:
            painter.setPen(theme.color("muted") if done else theme.color("text"))
            text = painter.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, int(shown.width()) - 8
            )
            painter.drawText(shown.adjusted(5, -1, -3, -4), Qt.AlignmentFlag.AlignVCenter, text)
        painter.setPen(QPen(base, 1))
        painter.setBrush(theme.color("text"))
        for x, _name in items.milestones:
            cx, cy, r = (x + shift) * px, rect.top() + 1, 4.5
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


class TimelineMargin(QWidget):
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
                (paint_header if self.header else paint_labels)(self.chart, painter)
        finally:
            painter.end()


def paint_header(chart: TimelineChart, painter: QPainter) -> None:
    """Months (or years) over weeks, days or months, then freeze names, then today."""
    layout, px, theme = chart.timeline, chart.day_px, chart.theme
    assert layout is not None
    dx = chart.horizontalScrollBar().value()
    width = chart.header.width()
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
            painter.setPen(theme.color("muted" if unit == "day" and day.weekday() >= 5 else "text"))
            painter.setFont(small if top else painter.font())
            rect = QRectF(max(x0, 0) + 4, top, x1 - max(x0, 0) - 6, height)
            text = day.strftime(fmt)
            # A label pinned to the left edge with too little room is left out, not cut short
            # under the next one ("Sep 2" beside "Oct 2026").
            if painter.fontMetrics().horizontalAdvance(text) <= rect.width():
                painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, text)
            day = nxt
    painter.setFont(small)
    freezes = sorted(layout.freeze_bands(), key=lambda band: band.x0)
    shown = [
        (band, band.x0 * px - dx, band.x1 * px - dx)
        for band in freezes
        if band.x1 * px - dx >= 0 and band.x0 * px - dx <= width
    ]
    for _band, x0, x1 in shown:  # every band first: a later band never covers a name
        painter.fillRect(QRectF(x0, 39, x1 - x0, 14), QColor(theme.freeze_hatch))
    painter.setPen(QColor(theme.freeze_text))
    metrics = painter.fontMetrics()
    taken = -math.inf  # where the last name drawn ends: names never overlap
    for n, (band, x0, x1) in enumerate(shown):
        left = max(x0 + 3, taken + 8)
        following = shown[n + 1][1] if n + 1 < len(shown) else float(width)
        # The name may run on until the next freeze starts (or to its own end, if later).
        room = min(max(x1, following), float(width)) - left - 4
        if room < 12:
            continue
        scope = f" ({', '.join(band.environments)})" if band.environments else ""
        text = metrics.elidedText(band.name + scope, Qt.TextElideMode.ElideRight, int(room))
        painter.drawText(QRectF(left, 39, room, 14), Qt.AlignmentFlag.AlignVCenter, text)
        taken = left + metrics.horizontalAdvance(text)
    if chart.today is not None:
        x = layout.x(chart.today) * px - dx
        painter.setPen(QPen(theme.color("accent"), 2))
        painter.drawLine(QPointF(x, 20), QPointF(x, HEADER_H))


def paint_labels(chart: TimelineChart, painter: QPainter) -> None:
    """Group names (with their team colour) and release keys, aligned with the rows."""
    layout, theme = chart.timeline, chart.theme
    assert layout is not None
    dy = chart.verticalScrollBar().value()
    first = int(dy // ROW_PX)
    last = int((dy + chart.labels.height()) // ROW_PX)
    bold = QFont(painter.font())
    bold.setBold(True)
    for row in layout.rows[first : last + 1]:
        rect = QRectF(0, row.row * ROW_PX - dy, LABEL_W, ROW_PX)
        problems = chart.graph.problems.get(row.key) if chart.graph else None
        if row.kind == "group":
            swatch = chart.team_colors.get(row.key) if layout.group_by == "team" else None
            painter.fillRect(rect.adjusted(0, 0, 0, -1), theme.color("outside"))
            painter.fillRect(
                QRectF(4, rect.top() + 5, 4, ROW_PX - 10), swatch or theme.color("muted")
            )
            painter.setFont(bold)
            painter.setPen(theme.color("text"))
            name = row.label if row.key else "No train"
            text = f"{name} ({row.key})" if row.key and row.key != name else name
        else:
            if row.key == chart.selected:
                painter.fillRect(rect, tint(theme.color("accent"), theme.color("base"), 0.18))
            painter.setFont(painter.font() if painter.font() != bold else QFont(chart.font()))
            painter.setPen(theme.color("error") if problems else theme.color("text"))
            text = ("⚠ " if problems else "") + row.key
        painter.drawText(rect.adjusted(14, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, text)
    painter.setPen(theme.color("grid"))
    painter.drawLine(LABEL_W - 1, 0, LABEL_W - 1, chart.labels.height())


def _next(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=1)
    if unit == "week":
        return day + dt.timedelta(days=7 - day.weekday())
    if unit == "year":
        return dt.date(day.year + 1, 1, 1)
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
