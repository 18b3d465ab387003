"""Painting a release's lifecycle on its Timeline row: the monitoring period after the target
(hatched), rollout steps inside the stage bar (a tick whose height is the percent), blue-green
switch days, and the release's feature flags as a thin line under the bar.

The geometry comes from :func:`relplan.layout.lifecycle.lifecycle_marks`; this only paints it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from relplan.layout.lifecycle import LifecycleMarks
from relplan.ui.palette import Theme

__all__ = ["paint_lifecycle"]


def paint_lifecycle(
    painter: QPainter,
    marks: LifecycleMarks,
    bar: QRectF,
    *,
    px: float,
    shift: float,
    team: QColor,
    theme: Theme,
) -> None:
    """Paint ``marks`` around the bar rectangle ``bar`` (``shift``: days a drag moves them)."""
    if marks.monitoring is not None:
        x0, x1 = marks.monitoring
        rect = QRectF((x0 + shift) * px, bar.top() + 2, max((x1 - x0) * px, 1), bar.height() - 4)
        painter.setPen(QPen(team, 1, Qt.PenStyle.DotLine))
        painter.setBrush(QBrush(team, Qt.BrushStyle.BDiagPattern))
        painter.drawRect(rect)
    if marks.steps and px >= 2:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("text"))
        full = bar.height() - 6
        width = min(max(px * 0.35, 1.5), 4.0)
        for x, percent in marks.steps:
            height = max(full * percent / 100, 1.5)
            left = (x + shift) * px + px / 2 - width / 2
            painter.drawRect(QRectF(left, bar.bottom() - 5 - height, width, height))
    if marks.switches:
        painter.setPen(QPen(theme.color("accent"), 2))
        for x in marks.switches:
            cx = (x + shift) * px + px / 2
            painter.drawLine(QPointF(cx, bar.top()), QPointF(cx, bar.bottom()))
    if marks.flags:
        y = bar.bottom() + 2.5
        painter.setPen(QPen(theme.color("accent"), 1.5))
        for x0, x1, _key, _percents in marks.flags:
            painter.drawLine(QPointF((x0 + shift) * px, y), QPointF((x1 + shift) * px, y))
            painter.drawLine(QPointF((x0 + shift) * px, y - 2), QPointF((x0 + shift) * px, y + 1))
