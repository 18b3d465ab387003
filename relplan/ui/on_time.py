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
from typing import TYPE_CHECKING

from relplan.ui.analysis import Clock, LatestOnly, _today

if TYPE_CHECKING:
    from relplan.domain.model import Plan
    from relplan.planning.graph import PlanIndex
    from relplan.planning.portfolio_forecast import PortfolioForecast, ReleaseOdds
    from relplan.planning.readiness import ItemFacts
    from relplan.store.workspace import Workspace

__all__ = ["ForecastOdds", "OnTimeForecaster"]

_Input = tuple["Plan", "PlanIndex", "ItemFacts", dt.date]


def _load(ws: Workspace, clock: Clock | None) -> _Input:
    """What the forecast reads (DB lane)."""
    from relplan.planning.forecast import throughput_cutoff
    from relplan.planning.graph import PlanIndex
    from relplan.planning.readiness import ItemFacts

    today = _today(ws, clock)
    plan = ws.release_plan()
    index = PlanIndex.from_columns(plan, ws.item_releases(), ws.dependency_rows())
    facts = ItemFacts.of_rows(*ws.readiness_rows(throughput_cutoff(plan, today=today)))
    return plan, index, facts, today


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

    def request(self, *_: object) -> None:
        """Forecast the plan as it is now (any arguments, e.g. an analysis, are ignored)."""
        clock = self._clock
        self._run(lambda ws: _load(ws, clock), _compute)
