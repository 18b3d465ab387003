"""The Map's scene items: release, team and item boxes, and edges (one, or a batch)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QStyleOptionGraphicsItem,
)

from relplan.layout.graph_map import (
    MapEdge,
    MapNode,
)
from relplan.ui._compat import override
from relplan.ui.palette import Theme, ink, tint
from relplan.ui.views.view_common import (
    CRITICAL,
    legend_html,
    link_story,
    release_story,
)

if TYPE_CHECKING:
    from relplan.ui.views.graph_map import DependencyMapView


def map_legend(theme: Theme) -> str:
    """The map's legend: what the edge colours, dashes, borders and badges mean."""
    chips = [
        ("#546e7a", "━", "across teams"),
        (theme.muted, "━", "within a team"),
        (theme.muted, "┅", "implied by work items"),
        (theme.error, "━", "broken or on a cycle"),
        (CRITICAL, "▭", "critical path"),
        (theme.accent, "▭", "focus"),
        (theme.error, "●", "problems"),
        (theme.muted, "✓", "released or cancelled"),
    ]
    return legend_html(chips, theme)


class NodeItem(QGraphicsItem):
    """A release, team or item box."""

    def __init__(self, node: MapNode, view: DependencyMapView) -> None:
        super().__init__()
        self.node, self.view = node, view
        self.setPos(node.x, node.y)
        self.setZValue(2)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)

    @override
    def boundingRect(self) -> QRectF:
        return QRectF(-3, -9, self.node.w + 12, self.node.h + 12)

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        node, theme = self.node, self.view.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        team = self.view.team_colors.get(node.group, QColor(theme.muted))
        rect = QRectF(0, 0, node.w, node.h)
        fill = theme.color("base")
        faded = node.role == "context"  # outside the filter: faded, yet opaque over edges
        if faded:
            team = tint(team, fill, 0.4)
        if node.key in self.view.matches or self.isSelected():
            fill = tint(theme.color("accent"), fill, 0.22)
        border, width = (team if faded else ink(team, theme)), 1.0
        if node.cycle:
            border, width = QColor(theme.error), 2.5
        elif node.critical:
            border, width = QColor(CRITICAL), 2.5
        if node.role == "focus":
            border, width = theme.color("accent"), 3.0
        pen = QPen(border, width)
        if node.role == "external":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 5, 5)
        painter.fillRect(QRectF(1, 1, 6, node.h - 2), team)
        done = node.status in ("released", "cancelled", "done")
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(theme.color("muted" if done or faded else "text"))
        label = ("✓ " if done else "") + node.label
        metrics = painter.fontMetrics()
        text_rect = rect.adjusted(13, 4, -8, -node.h / 2)
        elide = Qt.TextElideMode.ElideRight
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(label, elide, int(text_rect.width())),
        )
        font.setBold(False)
        font.setPointSizeF(font.pointSizeF() * 0.88)
        painter.setFont(font)
        painter.setPen(theme.color("muted"))
        detail_rect = rect.adjusted(13, node.h / 2, -8, -4)
        detail = painter.fontMetrics().elidedText(node.detail, elide, int(detail_rect.width()))
        painter.drawText(detail_rect, Qt.AlignmentFlag.AlignVCenter, detail)
        if node.problems:
            badge = QRectF(node.w - 10, -7, 18, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.error))
            painter.drawEllipse(badge)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(min(node.problems, 99)))

    def tooltip(self) -> str:
        """The node's story."""
        node, graph = self.node, self.view.graph
        if graph is None:
            return ""
        if node.kind == "release":
            return release_story(graph, node.key)
        if node.kind == "team":
            problems = f"; {node.problems} problems" if node.problems else ""
            head = f"<b>{html.escape(node.label)}</b> ({node.key})"
            return f"{head}<br>{node.detail}{problems}<br>Double-click to show its releases"
        return f"<b>{html.escape(node.label)}</b><br>{html.escape(node.detail)}" + (
            f"<br>{node.status.replace('_', ' ')}" if node.status else ""
        )


class EdgesItem(QGraphicsItem):
    """One edge (with a tooltip), or a batch of edges drawn alike as straight lines (a long
    curve is stroked whole however little of it shows; a line is clipped first)."""

    def __init__(self, edges: Sequence[MapEdge], pen: QPen, view: DependencyMapView) -> None:
        super().__init__()
        self.edges, self.pen, self.view = edges, pen, view
        # Batches paint only the arrowheads exposed (the flag costs a little per item).
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, len(edges) > 1)
        self.path, self.lines = QPainterPath(), []
        self.heads: list[tuple[QPointF, QPolygonF]] = []
        for edge in edges:
            p0, c1, c2, p3 = (QPointF(*p) for p in edge.path)
            self.path.moveTo(p0)
            if len(edges) == 1:
                self.path.cubicTo(c1, c2, p3)
            else:
                self.path.lineTo(p3)
                self.lines.append(QLineF(p0, p3))
            d = 1 if p3.x() >= (c2.x() if len(edges) == 1 else p0.x()) else -1
            wing = QPointF(-7 * d, 4)
            self.heads.append((p3, QPolygonF([p3, p3 + wing, p3 + QPointF(wing.x(), -4)])))
        self._bounds = self.path.controlPointRect().adjusted(-8, -8, 8, 8)

    @override
    def boundingRect(self) -> QRectF:
        return self._bounds

    @override
    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self.path)

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        self.draw(painter, option.exposedRect)

    def draw(self, painter: QPainter, exposed: QRectF) -> None:
        """Paint the edges (a batch: only the arrowheads within ``exposed``)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.lines:
            painter.drawLines(self.lines)
        else:
            painter.drawPath(self.path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.pen.color())
        near = exposed.adjusted(-8, -8, 8, 8)
        for tip, head in self.heads:
            if not self.lines or near.contains(tip):
                painter.drawPolygon(head)

    def tooltip(self) -> str:
        """The edge's story (batches have none)."""
        if len(self.edges) != 1:
            return ""
        graph = self.view.graph if self.view.mode == "releases" else None
        return link_story(graph, self.edges[0].link)


class EdgeLayer(QGraphicsItem):
    """Every edge of the map painted by one item cached in device coordinates, so that
    scrolling repaints only the strip that comes into view: a map of long, thick antialiased
    curves cost 50-140 ms a frame. The edge items stay for hit tests and tooltips, and paint
    nothing themselves.

    Args:
        items: The map's edge items (painted in the order of their z values).
    """

    def __init__(self, items: Sequence[EdgesItem]) -> None:
        super().__init__()
        self.members = sorted(items, key=lambda item: item.zValue())
        bounds = QRectF()
        for item in items:
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
            bounds = bounds.united(item.boundingRect())
        self._bounds = bounds
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @override
    def boundingRect(self) -> QRectF:
        return self._bounds

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        exposed = option.exposedRect
        for item in self.members:
            if item.boundingRect().intersects(exposed):
                item.draw(painter, exposed)
