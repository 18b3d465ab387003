"""The Dashboard: burn-up, readiness, DORA metrics and release load for the current filter.

The analyses and the figures are built off the GUI thread: :meth:`DashboardView.refresh` (or
``set_data``, the plan-view protocol of :mod:`relplan.ui.views.base`) submits
:func:`build_dashboard` to the task runner's ``net`` lane (it does not touch the database) and
:meth:`DashboardView.set_result` swaps the results in on the main thread. The figures are also
drawn on the worker, with Agg at the panels' size, and the panels show those pixels: drawing a
figure of 2,000 releases takes ~0.7 s, which inside a ``FigureCanvasQTAgg`` (STYLE §8) froze
the window for seconds (issue #12). Without a runner (tests, scripts) the work runs inline. A
result that arrives after a newer request was made is dropped.

Each chart has an *Export…* button that saves its figure as PNG, SVG or PDF.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from matplotlib.figure import Figure
from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from relplan import config
from relplan.charts.dashboard import CHARTS, EXPORT_FORMATS, save_figure
from relplan.domain.model import Plan
from relplan.errors import RelplanError
from relplan.metrics.dashboard import DashboardData, DashboardFilter, compute_dashboard
from relplan.metrics.scope import today_in
from relplan.ui._compat import override

if TYPE_CHECKING:
    from relplan.ui.tasks import BaseTaskRunner

log = logging.getLogger(__name__)

#: Chart titles in the dashboard, by chart name (the order of :data:`CHARTS`).
CHART_TITLES: Final = {
    "burnup": "Burn-up",
    "readiness": "Readiness",
    "dora": "DORA metrics",
    "load": "Release load",
}
#: The window choices: label and days back from today (None: the default 90 days).
WINDOWS: Final = (
    ("Last 30 days", 30),
    ("Last 90 days", None),
    ("Last 180 days", 180),
    ("Last 365 days", 365),
)
_MOST_AT_RISK = "Most at risk"
_FILE_FILTERS: Final = {
    "png": "PNG image (*.png)",
    "svg": "SVG image (*.svg)",
    "pdf": "PDF (*.pdf)",
}

Clock = Callable[[Plan], dt.date]


#: The size (pixels) a chart is rendered at before its panel has one.
CHART_SIZE: Final = (560, 340)
_DPI: Final = 96.0

#: A rendered chart: width, height and RGBA bytes.
Rendered = tuple[int, int, bytes]


@dataclass(frozen=True, slots=True)
class DashboardResult:
    """What one refresh produced: the analyses, a figure per chart name and, rendered off the
    GUI thread at the panels' size, its pixels (drawing a figure takes ~0.7 s for 2,000
    releases: on the GUI thread that would freeze the window)."""

    data: DashboardData
    figures: Mapping[str, Figure]
    images: Mapping[str, Rendered] = field(default_factory=dict)


def render_figure(figure: Figure, size: tuple[int, int]) -> Rendered:
    """Draw ``figure`` at ``size`` pixels with Agg (pure of Qt; thread-safe for one figure).

    The figure keeps its own size afterwards, so exports do not depend on the panel's.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    width, height = max(size[0], 160), max(size[1], 120)
    width_in, height_in = (float(v) for v in figure.get_size_inches())
    dpi = figure.get_dpi()
    canvas = FigureCanvasAgg(figure)
    try:
        figure.set_dpi(_DPI)
        figure.set_size_inches(width / _DPI, height / _DPI)
        canvas.draw()
        buffer = canvas.buffer_rgba()
        rendered = (int(buffer.shape[1]), int(buffer.shape[0]), bytes(buffer))
    finally:
        figure.set_dpi(dpi)
        figure.set_size_inches(width_in, height_in)
    return rendered


def build_dashboard(
    plan: Plan,
    *,
    flt: DashboardFilter,
    today: dt.date,
    generation: int = 0,
    sizes: Mapping[str, tuple[int, int]] | None = None,
) -> DashboardResult:
    """Compute the analyses, build every chart and render it at ``sizes`` (pixels, by chart
    name; default :data:`CHART_SIZE`) (pure of Qt; runs on a worker thread)."""
    data = compute_dashboard(plan, flt=flt, today=today, generation=generation)
    figures = {name: build(data, None) for name, build in CHARTS.items()}
    sizes = sizes or {}
    images = {name: render_figure(f, sizes.get(name, CHART_SIZE)) for name, f in figures.items()}
    return DashboardResult(data, figures, images)


class ChartImage(QWidget):
    """A chart's pixels, rendered off the GUI thread, drawn to fit (the figure is kept for
    exports)."""

    def __init__(self, figure: Figure, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = figure
        self.image = image

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), QColor("white"))
            scaled = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - scaled.width()) // 2
            y = (self.height() - scaled.height()) // 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRect(x, y, scaled.width(), scaled.height()), self.image)
        finally:
            painter.end()


class ChartPanel(QFrame):
    """One chart with its title and an *Export…* button.

    Signals:
        export_requested(str): the chart's name, when *Export…* is clicked.
    """

    export_requested = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"chart-{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.canvas: ChartImage | None = None
        self._layout = layout = QVBoxLayout(self)
        head = QHBoxLayout()
        title = QLabel(f"<b>{CHART_TITLES[name]}</b>")
        head.addWidget(title)
        head.addStretch(1)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save this chart as PNG, SVG or PDF")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.name))
        head.addWidget(self.export_button)
        layout.addLayout(head)
        self._placeholder = QLabel("Computing…")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setMinimumSize(420, 280)
        layout.addWidget(self._placeholder, 1)

    @property
    def figure(self) -> Figure | None:
        """The figure shown, if any."""
        return None if self.canvas is None else self.canvas.figure

    def chart_size(self) -> tuple[int, int]:
        """The pixels a chart fills in this panel now (:data:`CHART_SIZE` before layout)."""
        shown = self.canvas or self._placeholder
        size = shown.size()
        if not shown.isVisible() or size.width() < 160 or size.height() < 120:
            return CHART_SIZE
        return size.width(), size.height()

    def show_figure(self, figure: Figure, rendered: Rendered | None = None) -> None:
        """Show ``figure`` from its pixels (rendered here when not given)."""
        layout = self._layout
        width, height, pixels = rendered or render_figure(figure, self.chart_size())
        image = QImage(pixels, width, height, QImage.Format.Format_RGBA8888).copy()
        canvas = ChartImage(figure, image)
        canvas.setMinimumSize(320, 200)
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        old = self.canvas or self._placeholder
        layout.replaceWidget(old, canvas)
        old.hide()
        if old is self.canvas:
            old.deleteLater()
        self.canvas = canvas
        self.export_button.setEnabled(True)


class DashboardView(QWidget):
    """The dashboard: the time window and burn-up choices, and four charts in a scrollable grid.

    Which team and train it charts follows the window's filter bar (:meth:`set_filter`, or
    :meth:`set_dashboard_filter`); the dashboard has no filter of its own for them.

    Signals:
        filter_changed(object): the user changed the filter (a ``DashboardFilter``).
        result_shown(object): a ``DashboardData`` was drawn.
        failed(str): the analyses failed (the message is shown in the view too).
    """

    filter_changed = Signal(object)
    result_shown = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        runner: BaseTaskRunner | None = None,
        clock: Clock = today_in,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self._runner = runner
        self._clock = clock
        self._plan: Plan | None = None
        self._filter = DashboardFilter()
        self._generation = 0
        self._result: DashboardResult | None = None
        self._updating = False

        # Team and train come from the window's filter bar (set_filter): one filter for all views.
        self.window_combo = QComboBox()
        self.release_combo = QComboBox()
        self.release_combo.addItem(_MOST_AT_RISK, None)
        self.release_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for label, days in WINDOWS:
            self.window_combo.addItem(label, days)
        self.window_combo.setCurrentIndex(1)
        self.status = QLabel()
        self.status.setObjectName("dashboard-status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        for text, combo in (
            ("Window:", self.window_combo),
            ("Burn-up of:", self.release_combo),
        ):
            bar.addWidget(QLabel(text))
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(self._on_filter_edited)
        bar.addStretch(1)
        bar.addWidget(self.status)

        self.panels = {name: ChartPanel(name) for name in CHARTS}
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for index, panel in enumerate(self.panels.values()):
            grid.addWidget(panel, index // 2, index % 2)
            panel.export_requested.connect(self._on_panel_export_requested)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)

    # -- public API -------------------------------------------------------------------------
    def set_runner(self, runner: BaseTaskRunner | None) -> None:
        """Run the analyses on ``runner``'s ``net`` lane (None: inline)."""
        self._runner = runner

    @property
    def current_filter(self) -> DashboardFilter:
        """The filter the charts are computed for."""
        return self._filter

    @property
    def result(self) -> DashboardResult | None:
        """What is shown now, if anything."""
        return self._result

    def figure(self, name: str) -> Figure | None:
        """The figure of the chart ``name`` (``burnup``, ``readiness``, ``dora``, ``load``)."""
        return self.panels[name].figure

    def refresh(self, plan: Plan) -> None:
        """Recompute everything for a new version of the plan (off the GUI thread)."""
        self._plan = plan
        self._request()

    def set_dashboard_filter(self, flt: DashboardFilter) -> None:
        """Show the charts for ``flt`` (recomputed when a plan is set)."""
        self._filter = flt
        self._show_filter()
        if self._plan is not None:
            self._request()

    # The plan-view protocol of relplan.ui.views.base (duck-typed, so the window can drive the
    # dashboard like its other views).
    def set_data(self, plan: Plan, analysis: object | None = None) -> None:
        """Show a new version of the plan (``analysis`` is not needed: see :meth:`refresh`)."""
        del analysis
        self.refresh(plan)

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Follow the window's filter bar: one team (several or none: all), the train.

        The dashboard has no environment filter; the load chart shows every environment.
        """
        del environment
        team = next(iter(teams)) if len(teams) == 1 else None
        self.set_dashboard_filter(replace(self._filter, team=team, train=train))

    def set_result(self, result: DashboardResult | DashboardData) -> None:
        """Show precomputed results (figures are built here when only data is given).

        A result for an older request than the latest is ignored.
        """
        if isinstance(result, DashboardData):
            result = DashboardResult(result, {n: b(result, None) for n, b in CHARTS.items()})
        if result.data.generation and result.data.generation < self._generation:
            return
        self._result = result
        for name, panel in self.panels.items():
            figure = result.figures.get(name)
            if figure is not None:
                panel.show_figure(figure, result.images.get(name))
        self._fill_releases(result.data)
        data = result.data
        self.status.setText(
            f"{len(data.readiness.releases)} releases, "
            f"{data.dora.overall.deployments} Production deployments · as of {data.today}"
        )
        self.result_shown.emit(data)

    def export_chart(self, name: str, path: str, fmt: str | None = None) -> int:
        """Save the chart ``name`` to ``path`` (format by ``fmt`` or the suffix); returns bytes.

        Raises:
            LookupError: the chart is not drawn yet.
            ValidationError: the format is not PNG, SVG or PDF.
        """
        figure = self.figure(name)
        if figure is None:
            raise LookupError(f"the {name} chart is not drawn yet")
        return save_figure(figure, path, fmt)

    # -- internals --------------------------------------------------------------------------
    def _request(self) -> None:
        plan = self._plan
        if plan is None:
            return
        self._generation += 1
        flt, today, generation = self._filter, self._clock(plan), self._generation
        for panel in self.panels.values():
            panel.export_button.setEnabled(panel.figure is not None)
        self.status.setText("Computing…")

        sizes = {name: panel.chart_size() for name, panel in self.panels.items()}

        def job() -> DashboardResult:
            return build_dashboard(plan, flt=flt, today=today, generation=generation, sizes=sizes)

        if self._runner is None:
            try:
                result = job()
            except RelplanError as exc:  # a filter naming nothing, a bad window
                self._on_failed(exc)
                return
            self.set_result(result)
        else:
            self._runner.submit(job, lane="net", on_done=self.set_result, on_error=self._on_failed)

    def _on_failed(self, exc: BaseException) -> None:
        message = str(exc) or type(exc).__name__
        log.info("dashboard analyses failed: %s", message)
        self.status.setText(f"Cannot chart this filter: {message}")
        self.failed.emit(message)

    def _fill_releases(self, data: DashboardData) -> None:
        self._updating = True
        try:
            wanted = data.filter.release
            self.release_combo.clear()
            self.release_combo.addItem(_MOST_AT_RISK, None)
            for release in sorted(data.readiness.releases, key=lambda r: r.key):
                if release.status not in ("released", "cancelled"):
                    self.release_combo.addItem(release.key, release.key)
            self.release_combo.setCurrentIndex(max(0, self.release_combo.findData(wanted)))
        finally:
            self._updating = False

    def _show_filter(self) -> None:
        """Point the combos at the filter without emitting edits."""
        self._updating = True
        try:
            flt = self._filter
            self.release_combo.setCurrentIndex(max(0, self.release_combo.findData(flt.release)))
        finally:
            self._updating = False

    @Slot()
    def _on_filter_edited(self) -> None:
        if self._updating:
            return
        days = self.window_combo.currentData()
        date_from = None
        if days is not None and self._plan is not None:
            date_from = self._clock(self._plan) - dt.timedelta(days=int(days) - 1)
        flt = replace(
            self._filter,
            date_from=date_from,
            release=self.release_combo.currentData(),
        )
        if flt != self._filter:
            self._filter = flt
            self.filter_changed.emit(flt)
            self._request()

    @Slot(str)
    def _on_panel_export_requested(self, name: str) -> None:
        figure = self.figure(name)
        if figure is None:
            return
        filters = ";;".join(_FILE_FILTERS[f] for f in EXPORT_FORMATS)
        # The last folder used, else the documents; not the process's working folder.
        start = str(config.export_dir() / f"{name}.png")
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Export {CHART_TITLES[name]}", start, filters
        )
        if not path:
            return
        config.remember_export_dir(path)
        fmt = next((f for f, text in _FILE_FILTERS.items() if text == chosen), None)
        suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if suffix in EXPORT_FORMATS:
            fmt = suffix
        elif fmt is not None:
            path = f"{path}.{fmt}"
        try:
            size = save_figure(figure, path, fmt)
        except (OSError, RelplanError) as exc:
            self.status.setText(f"Could not export {path}: {exc}")
            return
        self.status.setText(f"Exported {path} ({size:,} bytes)")
