"""The Map's zoomable, pannable canvas: wheel zoom, double-click, tooltips, context menu, keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QMenu,
)

from relplan.ui._compat import override
from relplan.ui.views.map_items import EdgesItem, NodeItem
from relplan.ui.views.view_common import (
    viewport_tooltip,
)

if TYPE_CHECKING:
    from relplan.ui.views.graph_map import DependencyMapView


class MapCanvas(QGraphicsView):
    """The zoomable, pannable map (Ctrl+wheel zooms, dragging the background pans).

    Signals:
        node_double_clicked(object): a node was double-clicked (its :class:`MapNode`).
    """

    node_double_clicked = Signal(object)

    def __init__(self, owner: DependencyMapView) -> None:
        super().__init__(owner)
        self.owner = owner
        self.setObjectName("map-canvas")
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

    def node_at(self, pos: QPointF) -> NodeItem | None:
        """The node under viewport position ``pos``."""
        for item in self.items(pos.toPoint()):
            if isinstance(item, NodeItem):
                return item
        return None

    @override
    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.2 ** (event.angleDelta().y() / 120)
            scale = self.transform().m11() * factor
            if 0.05 <= scale <= 4:
                self.scale(factor, factor)
        else:
            super().wheelEvent(event)

    @override
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item = self.node_at(event.position())
        if item is not None:
            self.node_double_clicked.emit(item.node)

    @override
    def viewportEvent(self, event: QEvent) -> bool:
        return viewport_tooltip(self, event, self.tooltip_at) or super().viewportEvent(event)

    def tooltip_at(self, pos: QPointF) -> str:
        """The story of the node or edge under viewport position ``pos``."""
        for item in self.items(pos.toPoint()):
            text = item.tooltip() if isinstance(item, (NodeItem, EdgesItem)) else ""
            if text:
                return text
        return ""

    @override
    def contextMenuEvent(self, event: Any) -> None:
        item = self.node_at(QPointF(event.pos()))
        if item is None or item.node.kind != "release":
            return
        key = item.node.key
        menu = QMenu(self)
        menu.addAction("Open release…", lambda: self.owner.release_activated.emit(key))
        menu.addAction("Focus here", lambda: self.owner.set_focus(key))
        menu.addAction("Show item links", lambda: self.owner.show_items(key))
        menu.exec(event.globalPos())

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        selected = [i for i in self.scene().selectedItems() if isinstance(i, NodeItem)]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and selected:
            node = selected[0].node
            if node.kind == "release":
                self.owner.release_activated.emit(node.key)
                return
        super().keyPressEvent(event)
