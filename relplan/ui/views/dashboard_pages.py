"""The Dashboard's chart pages: the panels, drawn again for their size, and the export.

:class:`ChartPages` is :class:`~relplan.ui.views.dashboard.DashboardView`'s base class: the view
builds the panels, the pages and the bar, and computes the analyses for its filter
(:meth:`~relplan.ui.views.dashboard.DashboardView.refresh`); this class keeps what is shown
drawn for the panels' pixels. When the panels' size has held for :data:`FIT_DELAY_MS`, the
charts of the page shown are drawn again for it on the worker (no new analyses); the train
forecast, which the window hands over (:meth:`ChartPages.set_forecast`), is drawn again alone.
Without a runner (tests, scripts) the drawing runs inline. *Export* (and each chart's context
menu) saves a chart as PNG, SVG or PDF at the chart's own size.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QSize, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QLabel, QTabWidget, QWidget

from relplan import config
from relplan.errors import RelplanError
from relplan.metrics.train_forecast import TrainChart
from relplan.ui.views.dashboard_charts import (
    CHART_TITLES,
    ChartPanel,
    DashboardResult,
    Px,
    draw_charts,
    render_figure,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from relplan.planning.portfolio_forecast import PortfolioForecast
    from relplan.ui.tasks import BaseTaskRunner

__all__ = [
    "FIT_DELAY_MS",
    "GRID_CHARTS",
    "TRAIN_CHART",
    "ChartPages",
    "LiveSizes",
    "train_tab_text",
]

# The dashboard's logger: what is logged reads as before the pages had a module of their own.
log = logging.getLogger("relplan.ui.views.dashboard")

_FILE_FILTERS: Final = {
    "png": "PNG image (*.png)",
    "svg": "SVG image (*.svg)",
    "pdf": "PDF (*.pdf)",
}
#: The charts of the first page, two a row, and the one with a page of its own.
GRID_CHARTS: Final = ("burnup", "readiness", "dora", "load")
TRAIN_CHART: Final = "train-forecast"
#: How long the panels' size must hold before the charts are drawn again for it (ms).
FIT_DELAY_MS: Final = 150


class LiveSizes:
    """The panels' latest sizes and the latest portfolio forecast, shared with the worker
    (replaced whole, never mutated)."""

    def __init__(self) -> None:
        self.sizes: Mapping[str, Px] = {}
        self.forecast: PortfolioForecast | None = None


class ChartPages(QWidget):
    """The dashboard's panels and pages, kept drawn for their size (see the module docs).

    The subclass builds what these methods use: ``panels`` (a :class:`ChartPanel` per chart),
    ``pages`` (the grid's page first, the train forecast's second), ``status``, the fit timer
    (its timeout calls :meth:`_fit`) and the state below.

    Signals:
        charts_drawn(): the charts were drawn again for their panels' new size.
    """

    charts_drawn = Signal()

    panels: dict[str, ChartPanel]
    pages: QTabWidget
    status: QLabel
    _runner: BaseTaskRunner | None
    _result: DashboardResult | None
    _live: LiveSizes
    _fit_timer: QTimer
    _generation: int
    _fits: int  # redraws for a new panel size requested
    _waiting: bool  # for the latest request's result

    def figure(self, name: str) -> Figure | None:
        """The figure of the chart ``name`` (one of :data:`CHART_NAMES`)."""
        return self.panels[name].figure

    def set_forecast(self, forecast: PortfolioForecast | None) -> None:
        """Chart the train forecast from ``forecast`` (the On time column's, computed once
        for both off the GUI thread): only that chart is drawn again, on the worker."""
        self._live.forecast = forecast
        if self._result is not None and not self._waiting:
            self._redraw_train_forecast()

    def forecast_shown(self) -> bool:
        """Whether the train forecast chart shows the latest forecast handed over."""
        result = self._result
        forecast = self._live.forecast
        return (
            forecast is not None
            and result is not None
            and result.data.train_chart.forecast is forecast
        )

    def _redraw_train_forecast(self) -> None:
        """Draw the train forecast chart again with the latest forecast (on the worker; when
        its page is not shown, only forget the old drawing, drawn again when it is)."""
        result = self._result
        if result is None:
            return
        name, forecast = TRAIN_CHART, self._live.forecast
        data = replace(result.data, train_chart=replace(result.data.train_chart, forecast=forecast))
        if name not in self._page_names():
            self._result = replace(
                result,
                data=data,
                figures={k: v for k, v in result.figures.items() if k != name},
                images={k: v for k, v in result.images.items() if k != name},
                sizes={k: v for k, v in result.sizes.items() if k != name},
            )
            self.pages.setTabText(1, train_tab_text(data.train_chart))
            return
        size, ratio = self.panels[name].chart_size(), self.devicePixelRatioF()
        shown = result

        def job() -> DashboardResult:
            from relplan.charts.dashboard import chart_figure
            from relplan.charts.style import SCREEN_DPI

            figure = chart_figure(name, data, (size[0] / SCREEN_DPI, size[1] / SCREEN_DPI))
            return replace(
                shown,
                data=data,
                figures={**shown.figures, name: figure},
                images={**shown.images, name: render_figure(figure, size, ratio)},
                sizes={**shown.sizes, name: size},
            )

        def done(redrawn: DashboardResult) -> None:
            if self._result is shown:  # else new analyses or a redraw came first
                self._result = redrawn
                self._show_charts(redrawn)
                self.charts_drawn.emit()
                self._fit_timer.start()  # a fit under way was for the data before

        if self._runner is None:
            done(job())
        else:
            self._runner.submit(job, lane="net", on_done=done, on_error=self._on_fit_failed)

    def charts_fit(self) -> bool:
        """Whether every chart of the page shown was drawn for its panel's size now (the
        other page's are drawn when it is shown)."""
        result = self._result
        if result is None:
            return False
        for name in self._page_names():
            panel = self.panels[name]
            size = panel.chart_size()
            if result.sizes.get(name) != size or panel.canvas.image_size() != QSize(*size):
                return False
        return True

    def export_chart(self, name: str, path: str, fmt: str | None = None) -> int:
        """Save the chart ``name`` to ``path`` (format by ``fmt`` or the suffix); returns bytes.

        Raises:
            LookupError: the dashboard's analyses are not done yet.
            ValidationError: the format is not PNG, SVG or PDF.
        """
        if self._result is None:
            raise LookupError(f"the {name} chart is not computed yet")
        from relplan.charts.dashboard import chart_figure, save_figure

        # At the chart's own size, as `relplan export` writes it, not the panel's.
        return save_figure(chart_figure(name, self._result.data), path, fmt)

    def _page_names(self) -> tuple[str, ...]:
        """The charts of the page shown (only they are drawn)."""
        return GRID_CHARTS if self.pages.currentIndex() == 0 else (TRAIN_CHART,)

    def _chart_sizes(self) -> dict[str, Px]:
        """The size of each chart of the page shown."""
        return {name: self.panels[name].chart_size() for name in self._page_names()}

    @Slot()
    def _on_canvas_resized(self) -> None:
        self._live.sizes = self._chart_sizes()  # a new dict: a job may be reading the old one
        self._fit_timer.start()

    def _show_charts(self, result: DashboardResult) -> None:
        for name, panel in self.panels.items():
            figure, rendered = result.figures.get(name), result.images.get(name)
            if figure is not None and rendered is not None:
                panel.show_figure(figure, rendered, result.ratio)
        self.pages.setTabText(1, train_tab_text(result.data.train_chart))

    @Slot()
    def _fit(self) -> None:
        """Draw the charts again for their panels' size, on the worker (no new analyses)."""
        result = self._result
        if result is None or not self.isVisible() or self.charts_fit():
            return
        if self._generation > result.data.generation > 0:
            return  # a new result is on its way; it is checked when it arrives
        self._fits += 1
        data, sizes, ratio, fit = (
            result.data,
            self._chart_sizes(),
            self.devicePixelRatioF(),
            self._fits,
        )

        def job() -> DashboardResult:
            return draw_charts(data, sizes, ratio=ratio, fit=fit, names=sizes)

        if self._runner is None:
            self._on_fitted(job())
        else:
            self._runner.submit(
                job, lane="net", on_done=self._on_fitted, on_error=self._on_fit_failed
            )

    def _on_fit_failed(self, exc: BaseException) -> None:
        # The charts drawn before stay on screen (scaled); the next resize tries again.
        log.warning("redrawing the dashboard's charts failed: %s", exc)

    def _on_fitted(self, result: DashboardResult) -> None:
        shown = self._result
        if shown is None or result.data is not shown.data or result.fit < shown.fit:
            return  # new analyses, or a later redraw, came first
        # The other page's charts (if drawn) are kept.
        result = replace(
            result,
            figures={**shown.figures, **result.figures},
            images={**shown.images, **result.images},
            sizes={**shown.sizes, **result.sizes},
        )
        self._result = result
        self._show_charts(result)
        self.charts_drawn.emit()
        if not self.charts_fit():
            self._fit_timer.start()  # the size changed again meanwhile

    @Slot(str)
    def _on_panel_export_requested(self, name: str) -> None:
        if self._result is None or self.figure(name) is None:
            return
        from relplan.charts.dashboard import EXPORT_FORMATS

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
            size = self.export_chart(name, path, fmt)
        except (OSError, RelplanError) as exc:
            self.status.setText(f"Could not export {path}: {exc}")
            return
        self.status.setText(f"Exported {path} ({size:,} bytes)")


def train_tab_text(chart: TrainChart) -> str:
    """The train forecast page's tab: the train and its odds of shipping on its target."""
    if chart.train is None:
        return "Train forecast"
    odds = None
    if chart.forecast is not None:
        odds = next((t for t in chart.forecast.trains if t.key == chart.train), None)
    if chart.forecast is None:
        return f"Train forecast: {chart.train} (forecasting…)"
    if odds is None or odds.p_on_time is None:
        return f"Train forecast: {chart.train}"
    return f"Train forecast: {chart.train}, {odds.p_on_time:.0%} on time"
