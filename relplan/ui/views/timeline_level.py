"""Painting a levelling preview on the Timeline: ghost bars at the new dates, arrows from the old.

The geometry comes from :func:`relplan.layout.timeline_level.level_ghosts`; this module only
paints it, over the bars (a ghost shows where a bar goes, so it must not hide under it).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF

from relplan.layout.timeline_level import LevelGhost
from relplan.ui.palette import Theme, tint

__all__ = ["LEVEL_COLOR", "level_legend_chip", "paint_level_ghost", "paint_level_pin"]

#: The preview's colour: apart from the team fills, the critical orange, the error red and the
#: accent blue, so a ghost never reads as any of them.
LEVEL_COLOR: Final = "#8e24aa"


def level_legend_chip() -> list[tuple[str, str, str]]:
    """The legend entries of a preview: colour, symbol, words."""
    return [(LEVEL_COLOR, "⇢▭", "levelled (preview)"), (LEVEL_COLOR, "●", "pinned")]


def paint_level_pin(painter: QPainter, x: float, row: int, *, px: float, row_px: float) -> None:
    """Mark a release pinned for levelling: a pin's head and needle at its bar's start."""
    color = QColor(LEVEL_COLOR)
    cx, top = x * px, row * row_px
    painter.setPen(QPen(color, 2))
    painter.drawLine(QPointF(cx, top + 7), QPointF(cx, top + row_px - 3))
    painter.setPen(QPen(QColor("white"), 1))
    painter.setBrush(color)
    painter.drawEllipse(QPointF(cx, top + 6), 4.5, 4.5)


def paint_level_ghost(painter: QPainter, ghost: LevelGhost, *, px: float, row_px: float,
                      theme: Theme) -> None:  # fmt: skip
    """Paint one moved release: a dashed bar at its levelled dates, an arrow from its start now
    to its levelled start along the top of the row, and ``+N d`` at the ghost's start."""
    color = QColor(LEVEL_COLOR)
    y = ghost.row * row_px
    rect = QRectF(ghost.new_x0 * px, y + 3, max((ghost.new_x1 - ghost.new_x0) * px, 2), row_px - 6)
    fill = tint(color, theme.color("base"), 0.28)
    fill.setAlphaF(0.6)  # the planned bar still shows through where the two overlap
    painter.setPen(QPen(color, 1.6, Qt.PenStyle.DashLine))
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 3, 3)
    # The arrow runs along the row's top edge, above both bars, from the planned start.
    x0, x1, top = ghost.x0 * px, ghost.new_x0 * px, y + 2.5
    painter.setPen(QPen(color, 1.6))
    painter.drawLine(QPointF(x0, y + 6), QPointF(x0, top))
    painter.drawLine(QPointF(x0, top), QPointF(x1 - 1, top))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(
        QPolygonF([QPointF(x1 + 1, top + 1), QPointF(x1 - 6, top - 2.5), QPointF(x1 - 6, top + 4)])
    )
    font = QFont(painter.font())
    font.setBold(True)
    painter.setFont(font)
    # "+N d" at the ghost's start (a long ghost's end is often out of view), on a plate.
    text = f"+{ghost.days} d"
    width = painter.fontMetrics().horizontalAdvance(text) + 8
    plate = QRectF(rect.left() + 3, rect.top() + 2, width, rect.height() - 4)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.color("base"))
    painter.drawRoundedRect(plate, 2, 2)
    painter.setPen(color)
    painter.drawText(plate, Qt.AlignmentFlag.AlignCenter, text)
    font.setBold(False)
    painter.setFont(font)
