"""The DORA dashboard: the four keys week by week, over their bands, with the current value."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from relplan.charts.style import (
    BAND_ALPHA,
    BAND_COLORS,
    SMALL_PT,
    Size,
    date_axis,
    day_numbers,
    is_compact,
    new_figure,
)
from relplan.metrics import benchmark
from relplan.metrics.dora import DoraMetrics, WeeklyDora
from relplan.metrics.report import format_hours

__all__ = ["PANELS", "Panel", "dora_figure"]


@dataclass(frozen=True, slots=True)
class Panel:
    """One of the four plots.

    Attributes:
        title: Its title (the current value and band are added).
        unit: The y axis label.
        value: The plotted value of a bucket or window (None: no data).
        thresholds: The metric's bands in a report (the report the figures were rated by).
        scale: Turns a band cut-off into the plotted unit.
        text: The current value for people.
        band: The band of a bucket or window.
        short: The title in a small chart.
        short_unit: The y axis label in a small chart.
    """

    title: str
    unit: str
    value: Callable[[DoraMetrics], float | None]
    thresholds: Callable[[benchmark.Report], benchmark.Thresholds]
    scale: float
    text: Callable[[DoraMetrics], str]
    band: Callable[[DoraMetrics], str | None]
    short: str = ""
    short_unit: str = ""


def _rate(m: DoraMetrics) -> float | None:
    return None if m.change_failure_rate is None else 100.0 * m.change_failure_rate


PANELS: tuple[Panel, ...] = (
    Panel(
        "Deployment frequency",
        "deployments per week",
        lambda m: m.per_week,
        lambda r: r.frequency,
        7.0,
        lambda m: f"{m.per_week:.2f}/week",
        lambda m: m.frequency_band,
        short="Deploys",
        short_unit="per week",
    ),
    Panel(
        "Lead time for changes",
        "hours (median)",
        lambda m: m.lead_time_hours,
        lambda r: r.lead_time,
        1.0,
        lambda m: format_hours(m.lead_time_hours),
        lambda m: m.lead_time_band,
        short="Lead time",
        short_unit="hours",
    ),
    Panel(
        "Change failure rate",
        "% of deployments",
        _rate,
        lambda r: r.failure_rate,
        100.0,
        lambda m: "-" if m.change_failure_rate is None else f"{m.change_failure_rate:.1%}",
        lambda m: m.failure_band,
        short="Change failures",
        short_unit="%",
    ),
    Panel(
        "Time to restore",
        "hours (median)",
        lambda m: m.time_to_restore_hours,
        lambda r: r.restore,
        1.0,
        lambda m: format_hours(m.time_to_restore_hours),
        lambda m: m.restore_band,
        short="Time to restore",
        short_unit="hours",
    ),
)


def _top(values: Sequence[float], cuts: Sequence[float]) -> float:
    """A y limit that shows the data and the next band cut-off above it."""
    highest = max(values, default=0.0)
    above = [c for c in cuts if c >= highest and c > 0]
    top = max(highest * 1.15, 1.1 * min(above) if above else 0.0)
    return top if top > 0 else 1.1 * max(c for c in cuts if c > 0)


def _panel(ax: Axes, panel: Panel, weekly: WeeklyDora, *, compact: bool) -> None:
    ends = day_numbers(b.window.end for b in weekly.buckets)
    raw = [panel.value(b) for b in weekly.buckets]
    values = np.array([math.nan if v is None else v for v in raw], dtype=np.float64)
    current = panel.value(weekly.overall)
    t = panel.thresholds(weekly.overall.report)
    cuts = [t.elite * panel.scale, t.high * panel.scale, t.medium * panel.scale]
    known = [v for v in raw if v is not None] + ([current] if current is not None else [])
    top = _top(known, cuts)
    for name, low, high in t.cuts():
        span = ax.axhspan(
            low * panel.scale,
            min(high * panel.scale, top),
            color=BAND_COLORS[name],
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        span.set_gid(f"band:{name}")
    ax.plot(ends, values, marker="o", markersize=3, color="#333333", label="weekly")
    if current is not None:
        ax.axhline(current, color="#1f77b4", linestyle="--", linewidth=1.2, label="current")
    band = panel.band(weekly.overall)
    ax.set_ylim(0, top)
    if ends.size:
        ax.set_xlim(float(ends[0]) - 3.5, float(ends[-1]) + 0.5)
    figure = f"{panel.text(weekly.overall)} ({band or 'no data'})"
    if compact:
        # Four plots share a dashboard panel: short words, few ticks, no date offset line.
        date_axis(ax.xaxis, max_ticks=4)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.set_title(f"{panel.short}: {figure}", fontsize=SMALL_PT)
        ax.set_ylabel(panel.short_unit, fontsize=SMALL_PT)
    else:
        date_axis(ax.xaxis)
        ax.set_title(f"{panel.title}: {figure}", fontsize=10)
        ax.set_ylabel(panel.unit, fontsize=SMALL_PT)
    ax.tick_params(labelsize=SMALL_PT)
    ax.grid(alpha=0.3)


def dora_figure(
    weekly: WeeklyDora, *, title: str | None = None, size: Size | None = None
) -> Figure:
    """Plot the four keys over time.

    Four axes, in the order of :data:`PANELS`. Each shades its bands (patches with gid
    ``band:elite`` ... ``band:low``), plots one point per week (line ``weekly``: x = each bucket's
    last day as a date number, y = the bucket's figure, NaN without data) and the value over the
    whole window as a dashed line (``current``); the title gives that value and its band.

    Args:
        weekly: The weekly figures (:func:`~relplan.metrics.dora.dora_weekly`).
        title: The figure's title (default: the window and deployment count). The legend
            names the bands' source report.
        size: The figure's size in inches (default: its own). Below 8 x 5 inches the titles
            are short (:attr:`Panel.short`), the ticks fewer, and the figure's title and the
            bands' source are left out, so every label stays readable and apart.

    Returns:
        A new figure with four axes.
    """
    fig = new_figure(10.0, 6.5, size)
    compact = is_compact(size, 8.0, 5.0)
    w = weekly.overall.window
    if not compact:
        fig.suptitle(
            title
            or f"DORA metrics {w.start} to {w.end}: "
            f"{weekly.overall.deployments} Production deployments",
            fontsize=10,
        )
    for ax, panel in zip(fig.subplots(2, 2).flat, PANELS, strict=True):
        _panel(ax, panel, weekly, compact=compact)
    handles: list[Artist] = [
        Patch(color=BAND_COLORS[b], alpha=BAND_ALPHA, label=b) for b in benchmark.BANDS
    ]
    handles += [
        Line2D([], [], color="#333333", marker="o", markersize=3, label="per week"),
        Line2D([], [], color="#1f77b4", linestyle="--", label="whole window"),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=6,
        fontsize=SMALL_PT,
        frameon=False,
        title=None if compact else f"bands: {weekly.overall.report.name}",
        title_fontsize=SMALL_PT,
        handlelength=1.5,
        columnspacing=1.0,
    )
    return fig
