"""Everything the dashboard shows, computed from a plan in one pure call (off the GUI thread)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from relplan.domain.model import Plan
from relplan.errors import UnknownObjectError
from relplan.metrics.burnup import Burnup, burnup_of
from relplan.metrics.delivery_facts import Pulled
from relplan.metrics.dora import WeeklyDora, dora_weekly
from relplan.metrics.load import ReleaseLoad, default_load_window, release_load
from relplan.metrics.scope import Window, resolve_window
from relplan.metrics.train_forecast import TrainChart, nearest_train
from relplan.planning.portfolio_forecast import PortfolioForecast
from relplan.planning.readiness import Readiness, ReleaseReadiness, readiness_of

__all__ = [
    "DashboardData",
    "DashboardFilter",
    "compute_dashboard",
    "load_window",
    "open_releases",
    "pick_burnup_release",
    "train_chart",
]


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """What the dashboard looks at.

    Attributes:
        team: Only this team's releases and deployments.
        train: Only this train's releases and deployments.
        date_from: First day of the window (DORA: default 90 days before ``date_to``).
        date_to: Last day of the window (default: today). The load chart uses the window only
            when both ends are given (see :func:`load_window`).
        release: The release whose burn-up is shown; None: the open release most at risk.
    """

    team: str | None = None
    train: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    release: str | None = None


@dataclass(frozen=True, slots=True)
class DashboardData:
    """The dashboard's analyses of one plan.

    Attributes:
        filter: The filter they were computed for.
        today: The day forecasts start from.
        readiness: Readiness of the filter's releases (released ones included).
        dora: DORA's four keys per week and over the window.
        load: Releases per environment and week.
        burnup: The burn-up of the chosen release (None when there is none).
        generation: The request this answers (the view drops stale results).
        train_chart: The train forecast chart's train and forecast.
    """

    filter: DashboardFilter
    today: dt.date
    readiness: Readiness
    dora: WeeklyDora
    load: ReleaseLoad
    burnup: Burnup | None
    generation: int = 0
    train_chart: TrainChart = field(default_factory=lambda: TrainChart(None))


def open_releases(readiness: Readiness) -> list[ReleaseReadiness]:
    """The releases neither released nor cancelled, most at risk first."""
    return [r for r in readiness.by_risk() if r.verdict not in ("released", "cancelled")]


def pick_burnup_release(readiness: Readiness, key: str | None = None) -> ReleaseReadiness | None:
    """The release a burn-up shows: ``key``, else the open release most at risk.

    Raises:
        UnknownObjectError: ``key`` is not among the readiness' releases.
    """
    if key is not None:
        found = readiness.release(key)
        if found is None:
            raise UnknownObjectError("release", key)
        return found
    candidates = open_releases(readiness)
    return candidates[0] if candidates else None


def load_window(flt: DashboardFilter, *, today: dt.date) -> Window:
    """The load chart's window: the filter's when it names both ends, else 4 weeks back and 12
    ahead (the load looks forward, while the DORA window looks back from today)."""
    if flt.date_from is None or flt.date_to is None:
        return default_load_window(today)
    return resolve_window(flt.date_from, flt.date_to, today=today)


def compute_dashboard(
    plan: Plan,
    *,
    flt: DashboardFilter | None = None,
    today: dt.date,
    generation: int = 0,
    pulled: Pulled | None = None,
    forecast: PortfolioForecast | None = None,
) -> DashboardData:
    """Run every analysis the dashboard charts.

    Args:
        plan: The plan.
        flt: The filter (default: everything, the 90 days ending today).
        today: The day forecasts start from.
        generation: Passed through to the result.
        pulled: Deployments and incidents pulled from delivery tools, counted by DORA.
        forecast: The portfolio forecast for the train forecast chart (computed elsewhere,
            once, with the releases table's On time column; None: not yet).

    Returns:
        The analyses.

    Raises:
        UnknownObjectError: the filter names a team, train or release not in the plan.
        ValidationError: the window's start is after its end.
    """
    flt = flt or DashboardFilter()
    readiness = readiness_of(plan, today=today, team=flt.team, train=flt.train)
    window = resolve_window(flt.date_from, flt.date_to, today=today)
    dora = dora_weekly(plan, window=window, team=flt.team, train=flt.train, pulled=pulled)
    load = release_load(plan, window=load_window(flt, today=today), team=flt.team, train=flt.train)
    if flt.release is not None and readiness.release(flt.release) is None:
        # A release outside the filter: its team's readiness gives the same forecast (the
        # simulation is seeded per team).
        release = plan.release(flt.release)
        if release is None:
            raise UnknownObjectError("release", flt.release)
        chosen = readiness_of(plan, today=today, team=release.team).release(flt.release)
    else:
        chosen = pick_burnup_release(readiness, flt.release)
    burnup = None if chosen is None else burnup_of(plan, chosen, today=today)
    chart = train_chart(plan, flt, today, forecast)
    return DashboardData(flt, today, readiness, dora, load, burnup, generation, chart)


def train_chart(
    plan: Plan, flt: DashboardFilter, today: dt.date, forecast: PortfolioForecast | None
) -> TrainChart:
    """The train forecast chart's train: the filter's, else the nearest its target."""
    if flt.train is not None:
        return TrainChart(flt.train, forecast)
    return TrainChart(nearest_train(plan.trains, today), forecast, picked=True)
