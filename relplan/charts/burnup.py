"""The burn-up chart of one release: done and scope over time, the forecast cone, the target."""

from __future__ import annotations

from matplotlib.figure import Figure

from relplan.charts.style import (
    SMALL_PT,
    TITLE_PT,
    VERDICT_COLORS,
    Size,
    date_axis,
    day_number,
    day_numbers,
    is_compact,
    new_figure,
)
from relplan.metrics.burnup import Burnup
from relplan.planning.wording import verdict_words

__all__ = ["burnup_figure"]


def burnup_figure(burnup: Burnup, *, size: Size | None = None) -> Figure:
    """Plot a release's burn-up.

    Lines (by label): ``Done`` and ``Scope`` per day up to today, ``P50`` and ``P85`` from today's
    done work to the whole scope at each forecast finish; the cone between them is filled
    (gid ``cone``). Vertical lines mark the ``Target`` and ``Today``. The x data are matplotlib
    date numbers (:func:`~relplan.charts.style.day_numbers`).

    Args:
        burnup: The release's series (:func:`~relplan.metrics.burnup.burnup_of`).
        size: The figure's size in inches (default: its own). Below 6 x 3.5 inches the legend
            moves beside the axes, off the lines, and the dates are fewer.

    Returns:
        A new figure with one axes.
    """
    fig = new_figure(7.0, 4.0, size)
    compact = is_compact(size, 6.0, 3.5)
    ax = fig.add_subplot()
    x = day_numbers(burnup.days)
    ax.plot(x, burnup.scope, label="Scope", color="#7f7f7f", drawstyle="steps-post")
    ax.plot(x, burnup.done, label="Done", color=VERDICT_COLORS["ready"], linewidth=2)
    today, done_now, total = day_number(burnup.today), burnup.done_now, burnup.total
    ends = [today]
    if burnup.forecast_p50 is not None and burnup.forecast_p85 is not None:
        p50, p85 = day_number(burnup.forecast_p50), day_number(burnup.forecast_p85)
        color = VERDICT_COLORS.get(burnup.verdict, "#1f77b4")
        ax.plot([today, p50], [done_now, total], "--", color=color, label="P50")
        ax.plot([today, p85], [done_now, total], ":", color=color, label="P85")
        (cone,) = ax.fill([today, p50, p85], [done_now, total, total], color=color, alpha=0.15)
        cone.set_gid("cone")
        ends += [p50, p85]
    else:
        ax.annotate(
            "no forecast: no work done in the last 12 weeks",
            xy=(0.02, 0.95),
            xycoords="axes fraction",
            va="top",
            fontsize=SMALL_PT,
        )
    if burnup.target is not None:
        target = day_number(burnup.target)
        ax.axvline(target, color="#d62728", linewidth=1.5, label="Target")
        ends.append(target)
    ax.axvline(today, color="#555555", linewidth=0.8, linestyle="-.", label="Today")
    first = float(x[0]) if x.size else today
    last = max(max(ends), first + 1)
    pad = max(1.0, (last - first) / 30)
    ax.set_xlim(first - pad, last + pad)
    ax.set_ylim(0, max(total, done_now, 1.0) * 1.08)
    ax.set_ylabel(burnup.unit.capitalize())
    title = f"{burnup.key}: burn-up ({verdict_words(burnup.verdict)})"
    if compact:
        date_axis(ax.xaxis, max_ticks=6)
        ax.set_title(title, fontsize=TITLE_PT)
        ax.yaxis.label.set_fontsize(SMALL_PT)
        ax.tick_params(labelsize=SMALL_PT)
        fig.legend(loc="outside right upper", fontsize=SMALL_PT, frameon=False)
    else:
        date_axis(ax.xaxis)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=SMALL_PT)
    ax.grid(alpha=0.3)
    return fig
