"""The Dashboard: burn-up, readiness, DORA metrics, release load and the train forecast for
the current filter.

The analyses and the figures are built off the GUI thread: :meth:`DashboardView.refresh` (or
``set_data``, the plan-view protocol of :mod:`relplan.ui.views.base`) submits the analyses
(:func:`~relplan.metrics.dashboard.compute_dashboard`) and the drawing of their charts
(:func:`~relplan.ui.views.dashboard_charts.draw_charts`, for the panels' size when the analyses
are done) to the task runner's ``net`` lane (it does not touch the database), and
:meth:`DashboardView.set_result` swaps the results in on the main thread. Four charts share
the first page in a 2 x 2 grid that fits the window (it scrolls only below :data:`MIN_CHART`
each); the train forecast has a page of its own (:data:`TRAIN_CHART`), drawn from the portfolio
forecast the window computes once for the On time column (:meth:`DashboardView.set_forecast`).
Each chart is drawn for its panel's pixels (:mod:`relplan.ui.views.dashboard_charts`): when the
panels' size has held for :data:`FIT_DELAY_MS`, the charts are drawn again for it on the worker
(no new analyses). Without a runner (tests, scripts) the work runs inline. A result that arrives
after a newer request was made is dropped.

*Export* (and each chart's context menu) saves a chart as PNG, SVG or PDF at the chart's own
size, as ``relplan export png --chart NAME`` does; *All open releases…* lists what the readiness
chart has no room for. The drawing for the panels' size, the train forecast's page and the
export are the base class's, :class:`~relplan.ui.views.dashboard_pages.ChartPages`; this module
holds the filter, the analyses' requests and their results.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Plan
from relplan.errors import RelplanError
from relplan.metrics.dashboard import (
    DashboardData,
    DashboardFilter,
    compute_dashboard,
    open_releases,
)
from relplan.metrics.scope import today_in
from relplan.ui.views.dashboard_charts import (
    CHART_NAMES,
    CHART_SIZE,
    CHART_TITLES,
    MIN_CHART,
    ChartImage,
    ChartPanel,
    DashboardResult,
    Rendered,
    draw_charts,
    render_figure,
)
from relplan.ui.views.dashboard_pages import (
    FIT_DELAY_MS,
    GRID_CHARTS,
    TRAIN_CHART,
    ChartPages,
    LiveSizes,
)

if TYPE_CHECKING:
    from relplan.metrics.delivery_facts import Pulled
    from relplan.ui.tasks import BaseTaskRunner

__all__ = [
    "CHART_SIZE",
    "CHART_TITLES",
    "FIT_DELAY_MS",
    "GRID_CHARTS",
    "MIN_CHART",
    "TRAIN_CHART",
    "ChartImage",
    "ChartPanel",
    "DashboardResult",
    "DashboardView",
    "Rendered",
    "render_figure",
]

log = logging.getLogger(__name__)

#: The window choices: label and days back from today (None: the default 90 days).
WINDOWS: Final = (
    ("Last 30 days", 30),
    ("Last 90 days", None),
    ("Last 180 days", 180),
    ("Last 365 days", 365),
)
_MOST_AT_RISK = "Most at risk"

Clock = Callable[[Plan], dt.date]


class DashboardView(ChartPages):
    """The dashboard: the time window and burn-up choices, and the charts in a grid that fits.

    Which team and train it charts follows the window's filter bar (:meth:`set_filter`, or
    :meth:`set_dashboard_filter`); the dashboard has no filter of its own for them.

    Signals:
        filter_changed(object): the user changed the filter (a ``DashboardFilter``).
        result_shown(object): a ``DashboardData`` was drawn.
        charts_drawn(): the charts were drawn again for their panels' new size.
        failed(str): the analyses failed (the message is shown in the view too).
    """

    filter_changed = Signal(object)
    result_shown = Signal(object)
    failed = Signal(str)  # charts_drawn is ChartPages'

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
        #: Reads the deployments pulled from delivery tools (on the worker); None: none.
        self.pulled_source: Callable[[], Pulled | None] | None = None
        self._updating = False
        self._fits = 0  # redraws for a new panel size requested
        self._waiting = False  # for the latest request's result
        # The panels' sizes as they change, which a refresh's job reads once its analyses are
        # done (the tab's first layout settles meanwhile): one drawing instead of two.
        self._live = LiveSizes()
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(FIT_DELAY_MS)
        self._fit_timer.timeout.connect(self._fit)

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

        self.panels = {name: ChartPanel(name) for name in CHART_NAMES}
        # The panels' actions live in the bar, not in a header per panel: at 1280 x 760 with the
        # Problems panel docked, every row of pixels goes to the charts.
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setToolTip("Save a chart as PNG, SVG or PDF (or right-click it)")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        for panel in self.panels.values():
            export_menu.addAction(panel.export_action)
            panel.export_requested.connect(self._on_panel_export_requested)
            panel.canvas.resized.connect(self._on_canvas_resized)
        self.export_button.setMenu(export_menu)
        self.all_releases_button = QPushButton("All open releases…")
        self.all_releases_button.setToolTip(
            "Every open release by risk, also those the readiness chart has no room for"
        )
        self.all_releases_button.setEnabled(False)
        self.all_releases_button.clicked.connect(self.show_all_releases)
        list_action = QAction("All open releases…", self)  # also in the chart's context menu
        list_action.triggered.connect(self.show_all_releases)
        self.panels["readiness"].canvas.menu_actions.append(list_action)

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
        bar.addWidget(self.all_releases_button)
        bar.addWidget(self.export_button)

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for index, name in enumerate(GRID_CHARTS):
            grid.addWidget(self.panels[name], index // 2, index % 2)
        for line in (0, 1):
            grid.setRowStretch(line, 1)
            grid.setColumnStretch(line, 1)
        self.chart_area = QScrollArea()
        self.chart_area.setObjectName("dashboard-scroll")
        self.chart_area.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_area.setWidgetResizable(True)
        self.chart_area.setWidget(grid_host)
        # Five charts do not fit 1280 x 760 with the Problems panel: the train forecast has a
        # page of its own, whose tab names the train and its odds.
        self.pages = QTabWidget()
        self.pages.setObjectName("dashboard-pages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.chart_area, "Readiness and delivery")
        self.pages.addTab(self.panels[TRAIN_CHART], "Train forecast")
        self.pages.currentChanged.connect(self._on_canvas_resized)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)

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
        """Show precomputed results (charts are drawn here when only data is given).

        A result for an older request than the latest is ignored.
        """
        if isinstance(result, DashboardData):
            sizes = self._chart_sizes()
            result = draw_charts(result, sizes, ratio=self.devicePixelRatioF(), names=sizes)
        if result.data.generation and result.data.generation < self._generation:
            return
        self._result = result
        self._waiting = False
        self._show_charts(result)
        self._fill_releases(result.data)
        data = result.data
        self.status.setText(
            f"{len(data.readiness.releases)} releases, "
            f"{data.dora.overall.deployments} Production deployments · as of {data.today}"
        )
        self.all_releases_button.setEnabled(True)
        for panel in self.panels.values():  # exports draw from the data, drawn or not
            panel.export_action.setEnabled(True)
        self.result_shown.emit(data)
        self._fit_timer.start()  # the panels may have changed size while it was computed
        if data.train_chart.forecast is not self._live.forecast:
            self._redraw_train_forecast()  # it arrived while the analyses ran

    def busy(self) -> bool:
        """Whether the charts shown are still being computed or drawn for their panels."""
        if not self.isVisible() or self._plan is None:
            return False
        if self._waiting:
            return True
        return self._result is not None and not self.charts_fit()

    def show_all_releases(self) -> None:
        """List every open release by risk (the readiness chart shows those it has room for)."""
        result = self._result
        if result is None:
            return
        from relplan.ui.dialogs.readiness_list import ReadinessListDialog

        figure = result.figures.get("readiness")
        shown = len(figure.axes[0].get_yticks()) if figure is not None and figure.axes else 0
        dialog = ReadinessListDialog(open_releases(result.data.readiness), shown, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.releases_dialog = dialog
        dialog.show()

    # -- internals --------------------------------------------------------------------------
    def _request(self) -> None:
        plan = self._plan
        if plan is None:
            return
        self._generation += 1
        self._waiting = True
        flt, today, generation = self._filter, self._clock(plan), self._generation
        self.status.setText("Computing…")
        live, ratio = self._live, self.devicePixelRatioF()
        live.sizes = self._chart_sizes()

        source = self.pulled_source

        def job() -> DashboardResult:
            pulled = None if source is None else source()  # on the worker, like the rest
            data = compute_dashboard(
                plan, flt=flt, today=today, generation=generation, pulled=pulled,
                forecast=live.forecast,
            )  # fmt: skip
            sizes = live.sizes  # the page shown when the analyses are done
            return draw_charts(data, sizes, ratio=ratio, names=sizes)

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
        self._waiting = False
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
