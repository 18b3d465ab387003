"""The Dashboard tab: the :class:`~relplan.ui.views.dashboard.DashboardView` as a plan view.

:class:`DashboardTab` follows :class:`~relplan.ui.views.base.PlanView`, so the main window drives
it like its other views, and adapts the window's filter bar (a team set, a train, an
environment) to the dashboard's :class:`~relplan.metrics.dashboard.DashboardFilter`.

The dashboard is built the first time the tab is shown (matplotlib is first imported by the
worker that draws its charts), which keeps start-up fast, and the charts are only recomputed
(on the task runner's ``net`` lane) while the tab is visible: a plan or filter that changes
while it is hidden is handed over when it is shown again. "Today" for the forecasts is the day
the latest analysis judged gates against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from relplan.domain.model import Plan
from relplan.ui._compat import override
from relplan.ui.views.base import PlanView

if TYPE_CHECKING:
    from relplan.planning.portfolio_forecast import PortfolioForecast
    from relplan.ui.analysis import PlanAnalysis
    from relplan.ui.tasks import BaseTaskRunner
    from relplan.ui.views.dashboard import DashboardView

ViewFilter = tuple[frozenset[str], str | None, str | None]


class DashboardTab(QWidget, PlanView):
    """The Dashboard as a plan view (see the module docs).

    Args:
        parent: the parent widget.
        runner: the task runner whose ``net`` lane computes the charts (None: inline).

    Signals:
        release_activated(str): never emitted (the charts name no single release).
    """

    def __init__(self, parent: QWidget | None = None, *, runner: BaseTaskRunner | None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard-tab")
        self._runner = runner
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.view: DashboardView | None = None
        #: Called with the dashboard when it is built (the DORA drill-down hooks in there).
        self.setup_view: Callable[[DashboardView], None] | None = None
        self._plan: Plan | None = None
        self._today: dt.date | None = None
        self._filter: ViewFilter = (frozenset(), None, None)
        self._sent_plan: Plan | None = None
        self._sent_filter: ViewFilter | None = None
        self._forecast: PortfolioForecast | None = None
        self._warmed_items: object = None

    # -- PlanView ---------------------------------------------------------------------------
    @override
    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        """Keep the plan; the charts follow at once when the tab is visible, else when shown."""
        self._plan = plan
        if analysis is not None:
            self._today = analysis.today
        self._sync()

    @override
    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Follow the window's filter bar (see :meth:`DashboardView.set_filter` for how)."""
        self._filter = (teams, train, environment)
        self._sync()

    @override
    def export_widget(self) -> QWidget:
        """The dashboard itself (built, and given the latest plan, if it was never shown)."""
        return self._ensure_view(force=True)

    def reload_pulled(self) -> None:
        """Compute the charts again with the deployments and incidents stored now (a delivery
        sync wrote some): at once when the tab is visible, else when it is shown."""
        self._sent_plan = None
        self._sync()

    def set_forecast(self, forecast: PortfolioForecast | None) -> None:
        """Chart the train forecast from this portfolio forecast (the On time column's)."""
        self._forecast = forecast
        if self.view is not None:
            self.view.set_forecast(forecast)

    def warm_up(self, analysis: PlanAnalysis) -> None:
        """While the Dashboard is hidden, import matplotlib and the chart modules and gather
        the work items' facts on the ``net`` lane (the window calls this for every analysis):
        its first opening waited ~0.8 s for the imports and ~0.5 s for the facts, which are
        kept while the items are (:meth:`ItemFacts.of_plan`)."""
        plan = analysis.plan
        if self._runner is None or self.view is not None or analysis.sketch:
            return
        if plan.work_items is self._warmed_items:
            return
        self._warmed_items = plan.work_items
        self._runner.submit(lambda: _import_charts(plan), lane="net")

    def busy(self) -> bool:
        """Whether the charts shown are still being computed or drawn (benchmarks wait)."""
        return self.view is not None and self.view.busy()

    # -- internals --------------------------------------------------------------------------
    def _clock(self, plan: Plan) -> dt.date:
        if self._today is not None:
            return self._today
        from relplan.metrics.scope import today_in

        return today_in(plan)

    def _ensure_view(self, *, force: bool = False) -> DashboardView:
        if self.view is None:
            from relplan.ui.views.dashboard import DashboardView

            self.view = DashboardView(self, runner=self._runner, clock=self._clock)
            self.view.set_forecast(self._forecast)
            self._layout.addWidget(self.view)
            if self.setup_view is not None:
                self.setup_view(self.view)
        self._sync(force=force)
        return self.view

    def _sync(self, *, force: bool = False) -> None:
        """Hand the latest filter and plan to the dashboard when it is visible (or ``force``)."""
        view = self.view
        if view is None or not (force or self.isVisible()):
            return
        if self._filter != self._sent_filter:
            # Before its first plan the dashboard only takes the filter in; otherwise a result
            # for the old plan may be computed too, and is dropped when the new one arrives.
            self._sent_filter = self._filter
            view.set_filter(*self._filter)
        if self._plan is not None and self._plan is not self._sent_plan:
            self._sent_plan = self._plan
            view.set_data(self._plan, None)

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._ensure_view()


def _import_charts(plan: Plan | None) -> None:
    """Import what drawing the Dashboard's charts needs and gather ``plan``'s item facts (on a
    worker; nothing is drawn)."""
    import relplan.charts.dashboard
    import relplan.metrics.dashboard
    import relplan.ui.views.dashboard_charts  # noqa: F401
    from relplan.planning.readiness import ItemFacts

    if plan is not None:
        ItemFacts.of_plan(plan)
