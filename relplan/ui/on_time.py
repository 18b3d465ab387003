"""The releases table's On time column: the portfolio forecast, computed off the GUI thread.

:class:`OnTimeForecaster` loads what ``relplan forecast`` reads on the DB lane (releases, the
index and the grouped item rows) and runs the same ``portfolio_forecast`` on the network lane,
so the window never blocks; only the newest request's result is delivered.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from relplan.ui.analysis import Clock, LatestOnly, _today

if TYPE_CHECKING:
    from relplan.domain.model import Plan
    from relplan.planning.graph import PlanIndex
    from relplan.planning.readiness import ItemFacts
    from relplan.store.workspace import Workspace

__all__ = ["OnTimeForecaster"]

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


def _compute(data: _Input) -> dict[str, Any]:
    """The odds by release key (network lane)."""
    from relplan.planning.portfolio_forecast import portfolio_forecast

    plan, index, facts, today = data
    result = portfolio_forecast(plan, today=today, facts=facts, index=index)
    return {odds.key: odds for odds in result.releases}


class OnTimeForecaster(LatestOnly):
    """Computes the portfolio forecast of the open plan; stale results are dropped
    (:class:`LatestOnly`; ``computed`` carries the :class:`ReleaseOdds` by release key)."""

    def request(self, *_: object) -> None:
        """Forecast the plan as it is now (any arguments, e.g. an analysis, are ignored)."""
        clock = self._clock
        self._run(lambda ws: _load(ws, clock), _compute)
