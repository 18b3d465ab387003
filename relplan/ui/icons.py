"""Small icons drawn in code, so they stay crisp at any scale and need no resource file."""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

#: Colours of the severities, shared by the icons and the text that names them.
SEVERITY_COLORS = {"error": "#d32f2f", "warning": "#f29900"}
_SIZES = (16, 24, 32, 48)


def _glyph(size: int, severity: str) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(SEVERITY_COLORS.get(severity, "#757575"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    inset = size * 0.06
    if severity == "warning":
        path = QPainterPath()
        path.moveTo(QPointF(size / 2, inset))
        path.lineTo(QPointF(size - inset, size - inset * 1.5))
        path.lineTo(QPointF(inset, size - inset * 1.5))
        path.closeSubpath()
        painter.drawPath(path)
        mark = QRectF(0, size * 0.2, size, size * 0.8)
    else:
        painter.drawEllipse(QRectF(inset, inset, size - 2 * inset, size - 2 * inset))
        mark = QRectF(0, 0, size, size)
    painter.setPen(QPen(QColor("white")))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, int(size * 0.62)))
    painter.setFont(font)
    painter.drawText(mark, int(Qt.AlignmentFlag.AlignCenter), "!")
    painter.end()
    return pixmap


@functools.cache
def severity_icon(severity: str) -> QIcon:
    """A red circle (``error``) or an amber triangle (``warning``) with an exclamation mark."""
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_glyph(size, severity))
    return icon
