"""The Dashboard's charts as pixels: drawn with Agg at their panel's size, off the GUI thread.

:func:`draw_charts` builds each chart for its panel's size (:func:`relplan.charts.dashboard.
chart_figure` drops what a small chart cannot hold) and renders it to RGBA bytes; it is pure of
Qt, so the dashboard runs it on a worker: drawing a figure of 2,000 releases takes ~0.7 s, which
inside a ``FigureCanvasQTAgg`` (STYLE §8) froze the window for seconds (issue #12).
:class:`ChartImage` shows those pixels one to one, and :class:`ChartPanel` frames a chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QFrame, QMenu, QSizePolicy, QVBoxLayout, QWidget

from relplan.metrics.dashboard import DashboardData
from relplan.ui._compat import override

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CHART_NAMES",
    "CHART_SIZE",
    "CHART_TITLES",
    "MIN_CHART",
    "ChartImage",
    "ChartPanel",
    "DashboardResult",
    "Px",
    "Rendered",
    "draw_charts",
    "render_figure",
]

#: The charts, by name, in the dashboard's order: the keys of
#: :data:`relplan.charts.dashboard.CHARTS`, named here so that the view is built without
#: importing matplotlib (~1 s, on the worker with the first charts instead).
CHART_NAMES: Final = ("burnup", "readiness", "dora", "load", "train-forecast")
#: Chart titles in the dashboard, by chart name.
CHART_TITLES: Final = {
    "burnup": "Burn-up",
    "readiness": "Readiness",
    "dora": "DORA metrics",
    "load": "Release load",
    "train-forecast": "Train forecast",
}

#: A size in (logical) pixels: width, height.
Px = tuple[int, int]
#: The size a chart is drawn at before its panel has one.
CHART_SIZE: Final[Px] = (560, 340)
#: The smallest a chart is drawn: every label still apart (tests/unit/charts/test_fit.py); a
#: dashboard smaller than four of these scrolls.
MIN_CHART: Final[Px] = (460, 190)

#: A rendered chart: width and height in device pixels, and RGBA bytes.
Rendered = tuple[int, int, bytes]


@dataclass(frozen=True, slots=True)
class DashboardResult:
    """The analyses and, per chart name, the figure drawn for its panel and its pixels.

    Attributes:
        data: The analyses.
        figures: The figures, built for ``sizes``.
        images: Their pixels (``ratio`` device pixels per logical pixel).
        sizes: The logical pixels each chart was drawn for.
        ratio: The screen's device pixels per logical pixel.
        fit: Which redraw for a new panel size this is (0: the refresh's own drawing).
    """

    data: DashboardData
    figures: Mapping[str, Figure]
    images: Mapping[str, Rendered] = field(default_factory=dict)
    sizes: Mapping[str, Px] = field(default_factory=dict)
    ratio: float = 1.0
    fit: int = 0


def render_figure(figure: Figure, size: Px, ratio: float = 1.0) -> Rendered:
    """Draw ``figure`` at ``size`` logical pixels, ``ratio`` device pixels each, with Agg.

    Pure of Qt and thread-safe for one figure. The figure keeps its own size afterwards.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from relplan.charts.style import SCREEN_DPI

    width, height = max(size[0], 160), max(size[1], 120)
    width_in, height_in = (float(v) for v in figure.get_size_inches())
    dpi = figure.get_dpi()
    canvas = FigureCanvasAgg(figure)
    try:
        figure.set_dpi(SCREEN_DPI * ratio)
        figure.set_size_inches(width / SCREEN_DPI, height / SCREEN_DPI)
        canvas.draw()
        buffer = canvas.buffer_rgba()
        rendered = (int(buffer.shape[1]), int(buffer.shape[0]), bytes(buffer))
    finally:
        figure.set_dpi(dpi)
        figure.set_size_inches(width_in, height_in)
    return rendered


def draw_charts(
    data: DashboardData,
    sizes: Mapping[str, Px],
    *,
    ratio: float = 1.0,
    fit: int = 0,
    names: Iterable[str] = CHART_NAMES,
) -> DashboardResult:
    """Build the charts ``names`` (default: all) for their size (default :data:`CHART_SIZE`)
    and render them (pure of Qt; runs on a worker thread)."""
    from relplan.charts.dashboard import chart_figure
    from relplan.charts.style import SCREEN_DPI

    drawn = {name: sizes.get(name, CHART_SIZE) for name in names}
    figures = {
        name: chart_figure(name, data, (w / SCREEN_DPI, h / SCREEN_DPI))
        for name, (w, h) in drawn.items()
    }
    images = {name: render_figure(figures[name], size, ratio) for name, size in drawn.items()}
    return DashboardResult(data, figures, images, drawn, ratio, fit)


class ChartImage(QWidget):
    """A chart's pixels, drawn one to one when they were rendered for this size (scaled to fit
    while a redraw for a new size is on its way).

    Signals:
        resized(): the widget's size changed, or it was shown (with the size its layout gave).
    """

    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure: Figure | None = None
        self.image: QImage | None = None
        self.setMinimumSize(*MIN_CHART)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self.menu_actions: list[QAction] = []

    def show_image(self, figure: Figure, rendered: Rendered, ratio: float) -> None:
        """Show ``rendered`` (pixels of ``figure``, ``ratio`` device pixels per pixel)."""
        width, height, pixels = rendered
        image = QImage(pixels, width, height, QImage.Format.Format_RGBA8888).copy()
        image.setDevicePixelRatio(ratio)
        self.figure, self.image = figure, image
        self.update()

    def image_size(self) -> QSize | None:
        """The logical size of the pixels shown (None: nothing yet)."""
        if self.image is None:
            return None
        return self.image.deviceIndependentSize().toSize()

    @override
    def sizeHint(self) -> QSize:
        return QSize(*CHART_SIZE)

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    @override
    def showEvent(self, event: QShowEvent) -> None:
        # The first resize comes before the widget is visible, when its size does not count yet.
        super().showEvent(event)
        self.resized.emit()

    @override
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self.menu_actions:
            QMenu.exec(self.menu_actions, event.globalPos(), None, self)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), QColor("white"))
            image = self.image
            if image is None:
                painter.setPen(QColor("#555555"))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Computing…")
                return
            size = image.deviceIndependentSize().toSize()
            if size != self.size():
                size = size.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            x = (self.width() - size.width()) // 2
            y = (self.height() - size.height()) // 2
            painter.drawImage(QRect(x, y, size.width(), size.height()), image)
        finally:
            painter.end()


class ChartPanel(QFrame):
    """One chart in its frame; its *Export…* action (in the chart's context menu and the
    dashboard's *Export* menu) saves it.

    Signals:
        export_requested(str): the chart's name, when *Export…* is chosen.
    """

    export_requested = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"chart-{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.export_action = QAction(f"Export {CHART_TITLES[name]}…", self)
        self.export_action.setToolTip("Save this chart as PNG, SVG or PDF")
        self.export_action.setEnabled(False)
        self.export_action.triggered.connect(lambda: self.export_requested.emit(self.name))
        self.canvas = ChartImage()
        self.canvas.setObjectName(f"chart-image-{name}")
        self.canvas.menu_actions.append(self.export_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.canvas)

    @property
    def figure(self) -> Figure | None:
        """The figure shown, if any."""
        return self.canvas.figure

    def chart_size(self) -> Px:
        """The logical pixels the chart fills now (:data:`CHART_SIZE` before it is laid out)."""
        size = self.canvas.size()
        if not self.canvas.isVisible() or size.width() < 160 or size.height() < 120:
            return CHART_SIZE
        return size.width(), size.height()

    def show_figure(
        self, figure: Figure, rendered: Rendered | None = None, ratio: float = 1.0
    ) -> None:
        """Show ``figure`` from its pixels (rendered here, at the panel's size, when not given)."""
        if rendered is None:
            rendered = render_figure(figure, self.chart_size(), ratio)
        self.canvas.show_image(figure, rendered, ratio)
        self.export_action.setEnabled(True)
