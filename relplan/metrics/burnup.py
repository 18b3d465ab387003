"""Burn-up of one release: work done and scope per day up to today, and the forecast ahead.

The unit is the one ``percent_done`` uses (points when every item has points, else items). An item
joins the scope on its ``created`` day (the release's first day when it has none) and counts as
done on its ``resolved`` day when it is ``done`` now (today when it has no ``resolved`` time).
Days are in the planning zone. The forecast cone runs from today's done work to the whole scope
at the P50 and P85 finish of :mod:`relplan.planning.readiness`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from relplan.domain.model import Plan
from relplan.errors import UnknownObjectError
from relplan.planning.readiness import ReleaseReadiness, plan_zone

__all__ = ["Burnup", "burnup_of"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Burnup:
    """One release's burn-up.

    Attributes:
        key: The release key.
        unit: ``points`` or ``items``.
        days: Every day from the first to today, in order.
        done: Work done by the end of each day.
        scope: Work in the release by the end of each day.
        today: The last day of the history.
        target: The release's target, if any.
        forecast_p50: The P50 finish (None without a forecast).
        forecast_p85: The P85 finish (None without a forecast).
        verdict: The readiness verdict.
    """

    key: str
    unit: str
    days: tuple[dt.date, ...]
    done: FloatArray
    scope: FloatArray
    today: dt.date
    target: dt.date | None
    forecast_p50: dt.date | None
    forecast_p85: dt.date | None
    verdict: str

    @property
    def total(self) -> float:
        """The scope today."""
        return float(self.scope[-1]) if self.scope.size else 0.0

    @property
    def done_now(self) -> float:
        """The work done by today."""
        return float(self.done[-1]) if self.done.size else 0.0


def burnup_of(plan: Plan, readiness: ReleaseReadiness, *, today: dt.date) -> Burnup:
    """The burn-up of the release ``readiness`` describes.

    Args:
        plan: The plan.
        readiness: The release's readiness (for the unit and the forecast).
        today: The last day of the history.

    Returns:
        The daily series.

    Raises:
        UnknownObjectError: the release is not in the plan.
    """
    release = plan.release(readiness.key)
    if release is None:
        raise UnknownObjectError("release", readiness.key)
    zone = plan_zone(plan)
    items = [i for i in plan.work_items if i.release == release.key]
    points = readiness.uses_points

    def weight(points_value: float | None) -> float:
        return float(points_value or 0.0) if points else 1.0

    created = [
        i.created.astimezone(zone).date() if i.created is not None else release.start for i in items
    ]
    known = [d for d in created if d is not None]
    first = min([*known, *([release.start] if release.start else []), today])
    n_days = (today - first).days + 1
    scope = np.zeros(n_days + 1)
    done = np.zeros(n_days + 1)
    for item, joined in zip(items, created, strict=True):
        w = weight(item.points)
        scope[0 if joined is None else min(max((joined - first).days, 0), n_days)] += w
        if item.category == "done":
            finished = today if item.resolved is None else item.resolved.astimezone(zone).date()
            done[min(max((finished - first).days, 0), n_days)] += w
    days = tuple(first + dt.timedelta(days=k) for k in range(n_days))
    # Work created or done after today (with --today in the past) shows on no day.
    return Burnup(
        key=release.key,
        unit="points" if points else "items",
        days=days,
        done=np.cumsum(done)[:n_days],
        scope=np.cumsum(scope)[:n_days],
        today=today,
        target=release.target,
        forecast_p50=readiness.forecast_p50,
        forecast_p85=readiness.forecast_p85,
        verdict=readiness.verdict,
    )
