"""The train forecast chart: how a train's finish is spread over the runs, and what decides it.

Left: the distribution of the train's simulated finish (its latest release's) with its target,
P50 and P85; right: the five releases that most often decide the plan's end, by criticality.
Drawn from a :class:`~relplan.planning.portfolio_forecast.PortfolioForecast` of that train
(``portfolio_forecast(plan, train=KEY)``), so the chart and ``relplan forecast`` agree.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from matplotlib.figure import Figure

from relplan.charts.style import SMALL_PT, TITLE_PT, Size, date_axis, day_number, new_figure
from relplan.metrics.train_forecast import TrainChart
from relplan.planning.portfolio_forecast import PortfolioForecast

__all__ = ["TOP_CRITICAL", "most_critical", "train_chart_figure", "train_forecast_figure"]

#: How many releases the right panel lists.
TOP_CRITICAL = 5


def most_critical(
    forecast: PortfolioForecast, count: int = TOP_CRITICAL, *, train: str | None = None
) -> list[tuple[str, float]]:
    """The ``count`` releases with the highest criticality (ties by key), zero ones left out.

    With ``train``, the criticality for that train's end when the forecast holds it
    (``train_criticality``); else the forecast's own (the train's, for a forecast of one train).
    """
    own = forecast.train_criticality.get(train) if train is not None else None
    if own is not None:
        found = [(key, share) for key, share in own.items() if share]
    else:
        found = [(r.key, r.criticality) for r in forecast.releases if r.criticality]
    found.sort(key=lambda kc: (-kc[1], kc[0]))
    return found[:count]


def _message(text: str, size: Size | None) -> Figure:
    fig = new_figure(9.0, 4.0, size)
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    ax.set_axis_off()
    return fig


def train_chart_figure(chart: TrainChart, size: Size | None = None) -> Figure:
    """The train forecast chart of the Dashboard and ``relplan export --chart train-forecast``.

    A message instead when the plan has no train or the forecast is still being computed; a
    train picked as the nearest its target says so (and how to pick another).
    """
    if chart.train is None:
        return _message("No train in this plan: add one to forecast it", size)
    if chart.forecast is None:
        return _message(f"Forecasting train {chart.train}…", size)
    note = " (nearest its target; pick a train in the filter)" if chart.picked else ""
    return train_forecast_figure(chart.forecast, chart.train, size=size, note=note)


def train_forecast_figure(
    forecast: PortfolioForecast, train: str, *, size: Size | None = None, note: str = ""
) -> Figure:
    """The chart of ``train``'s forecast.

    Args:
        forecast: A portfolio forecast that lists ``train``.
        train: The train's key.
        size: The size in inches (None: the chart's own).
        note: Added to the figure's title.

    Returns:
        The figure (a message instead of a chart when the train has no figures).
    """
    fig = new_figure(9.0, 4.0, size)
    odds = next((t for t in forecast.trains if t.key == train), None)
    finish = forecast.train_finish.get(train)
    if odds is None or finish is None or odds.p50 is None:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, f"No forecast for train {train}", ha="center", va="center")
        ax.set_axis_off()
        return fig
    if note:
        fig.suptitle(f"Train {train} forecast{note}", fontsize=SMALL_PT, color="#555555")
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    days, counts = np.unique(finish, return_counts=True)
    xs = [day_number(dt.date.fromordinal(int(d))) for d in days]
    left.bar(xs, counts / finish.size, width=1.0, color="#4c78a8", label="runs finishing")
    marks = [("P50", odds.p50, "#555555", ":"), ("P85", odds.p85, "#555555", "--")]
    if odds.target is not None:
        marks.append(("target", odds.target, "#c0392b", "-"))
    for label, day, color, style in marks:
        if day is not None:
            left.axvline(day_number(day), color=color, linestyle=style, label=f"{label} {day}")
    share = "" if odds.p_on_time is None else f": {odds.p_on_time:.0%} on time"
    left.set_title(f"Train {train} finish{share}", fontsize=TITLE_PT)
    left.set_ylabel("share of runs", fontsize=SMALL_PT)
    left.legend(fontsize=SMALL_PT, loc="upper left")
    date_axis(left.xaxis, max_ticks=5)
    top = most_critical(forecast, train=train)
    right.set_title("Most critical releases", fontsize=TITLE_PT)
    if top:
        keys = [k for k, _ in reversed(top)]
        right.barh(keys, [c for _, c in reversed(top)], color="#f58518")
        right.set_xlim(0, 1)
        right.set_xlabel("share of runs deciding the end", fontsize=SMALL_PT)
        right.tick_params(labelsize=SMALL_PT)
    else:
        right.text(0.5, 0.5, "No release decides the end", ha="center", va="center")
        right.set_axis_off()
    return fig
