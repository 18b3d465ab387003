"""The releases table's On time column: the portfolio forecast, computed off the GUI thread.

:class:`OnTimeForecaster` loads what ``relplan forecast`` reads on the DB lane (releases, the
index and the grouped item rows) and runs the same ``portfolio_forecast`` on the network lane,
so the window never blocks; only the newest request's result is delivered. The one forecast
also feeds the Dashboard's train forecast chart (:attr:`ForecastOdds.forecast`, with each
train's criticality), so it runs once for both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from relplan.ui.analysis import Clock, LatestOnly, PlanAnalysis, _today

if TYPE_CHECKING:
    from relplan.domain.model import Plan
    from relplan.planning.graph import PlanIndex
    from relplan.planning.portfolio_forecast import PortfolioForecast, ReleaseOdds
    from relplan.planning.readiness import ItemFacts
    from relplan.store.workspace import Workspace

__all__ = ["ForecastOdds", "OnTimeForecaster"]

_Input = tuple["Plan", "PlanIndex", "ItemFacts", dt.date]


class _Facts:
    """The last item facts read, kept while no work item or dependency is written (DB lane).

    Moving a release (the usual edit) leaves them as they were: reading and parsing them
    again took ~0.2 s of each edit's forecast on a large plan.
    """

    def __init__(self) -> None:
        self._key: tuple[int, dt.datetime] | None = None
        self._facts: ItemFacts | None = None

    def get(self, ws: Workspace, since: dt.datetime) -> ItemFacts:
        from relplan.planning.readiness import ItemFacts

        version = ws.items_version()
        key = None if version is None else (version, since)
        if key is None or key != self._key or self._facts is None:
            self._facts = ItemFacts.of_rows(*ws.readiness_rows(since))
            self._key = key
        return self._facts


def _load(
    ws: Workspace, clock: Clock | None, analysed: tuple[Plan, PlanIndex] | None, facts: _Facts
) -> _Input:
    """What the forecast reads (DB lane): the analysed plan and its index when given (they
    are the workspace as it is: the analysis answers the latest write), else read here."""
    from relplan.planning.forecast import throughput_cutoff
    from relplan.planning.graph import PlanIndex

    today = _today(ws, clock)
    if analysed is not None:
        plan, index = analysed
    else:
        plan = ws.release_plan()
        index = PlanIndex.from_columns(plan, ws.item_releases(), ws.dependency_rows())
    return plan, index, facts.get(ws, throughput_cutoff(plan, today=today)), today


class ForecastOdds(Mapping[str, "ReleaseOdds"]):
    """The odds by release key (what the On time column reads), and the whole forecast.

    Args:
        forecast: The portfolio forecast of the plan.
    """

    def __init__(self, forecast: PortfolioForecast) -> None:
        self.forecast = forecast
        self._odds = {odds.key: odds for odds in forecast.releases}

    def __getitem__(self, key: str) -> ReleaseOdds:
        return self._odds[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._odds)

    def __len__(self) -> int:
        return len(self._odds)


def _compute(data: _Input) -> ForecastOdds:
    """The odds by release key, with each train's criticality for its chart (network lane)."""
    from relplan.planning.portfolio_forecast import portfolio_forecast

    plan, index, facts, today = data
    forecast = portfolio_forecast(
        plan, today=today, facts=facts, index=index, train_criticality=True
    )
    return ForecastOdds(forecast)


class OnTimeForecaster(LatestOnly):
    """Computes the portfolio forecast of the open plan; stale results are dropped
    (:class:`LatestOnly`; ``computed`` carries the :class:`ForecastOdds`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._facts = _Facts()

    def request(self, analysis: object = None, *_: object) -> None:
        """Forecast the plan as it is now; given the analysis of its latest write, forecast
        its plan with its index (no reading the releases and 150,000 dependencies again)."""
        clock, facts = self._clock, self._facts
        analysed = None
        if isinstance(analysis, PlanAnalysis) and not analysis.sketch and analysis.graph:
            analysed = (analysis.plan, analysis.graph.index)
        self._run(lambda ws: _load(ws, clock, analysed, facts), _compute)
