"""Which train the train forecast chart shows, and what it draws it from.

The Dashboard and ``relplan export png --chart train-forecast`` chart the train the filter names;
without one, the train nearest its target (:func:`nearest_train`), and the chart says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from relplan.domain.model import Train
from relplan.planning.portfolio_forecast import PortfolioForecast

__all__ = ["TrainChart", "nearest_train"]


@dataclass(frozen=True, slots=True)
class TrainChart:
    """What the train forecast chart shows.

    Attributes:
        train: The train (None: the plan has no train).
        forecast: A portfolio forecast that lists it (None: still being computed).
        picked: The train was picked as the nearest its target, not named by the filter.
    """

    train: str | None
    forecast: PortfolioForecast | None = None
    picked: bool = False


def nearest_train(trains: Iterable[Train], today: dt.date) -> str | None:
    """The train whose target comes next (on or after ``today``); when every target has
    passed, the latest one; trains without a target only when no train has one.

    Examples:
        >>> d = dt.date(2027, 1, 1)
        >>> trains = [Train("A", "A", d), Train("B", "B", d.replace(month=3)), Train("C", "C")]
        >>> nearest_train(trains, d), nearest_train(trains, d.replace(month=2))
        ('A', 'B')
        >>> nearest_train(trains, d.replace(year=2028)), nearest_train([Train("C", "C")], d)
        ('B', 'C')
        >>> nearest_train([], d) is None
        True
    """
    trains = sorted(trains, key=lambda t: t.key)
    dated = [t for t in trains if t.target is not None]
    coming = [t for t in dated if t.target is not None and t.target >= today]
    if coming:
        return min(coming, key=lambda t: (t.target, t.key)).key
    if dated:
        return max(dated, key=lambda t: (t.target, t.key)).key
    return trains[0].key if trains else None
