"""The readiness overview: one stacked bar per release (done, in progress, to do), by risk."""

from __future__ import annotations

from collections.abc import Iterable

from matplotlib.figure import Figure

from relplan.charts.style import CATEGORY_COLORS, VERDICT_COLORS, new_figure
from relplan.planning.readiness import ReleaseReadiness, risk_order

__all__ = ["DEFAULT_LIMIT", "readiness_figure"]

#: Bars shown at most; the rest are counted in the title.
DEFAULT_LIMIT = 25


def readiness_figure(
    releases: Iterable[ReleaseReadiness], *, limit: int = DEFAULT_LIMIT, title: str = "Readiness"
) -> Figure:
    """Plot readiness across releases, the most at risk on top.

    Each bar is 100 % wide and stacks the done, in-progress and to-do shares (bar containers
    labelled ``Done``, ``In progress``, ``To do``), in the unit of ``percent_done``. The label of
    each bar is the release key, coloured by its verdict; the right-hand axis (the figure's
    second axes) names the verdict and the P85 finish.

    Args:
        releases: The releases (any order; sorted by :func:`risk_order` here).
        limit: Show at most this many.
        title: The chart's title.

    Returns:
        A new figure with one axes.
    """
    ordered = sorted(releases, key=risk_order)
    shown = ordered[:limit]
    fig = new_figure(8.0, max(2.5, 0.32 * len(shown) + 1.8))
    ax = fig.add_subplot()
    hidden = len(ordered) - len(shown)
    ax.set_title(title + (f" ({hidden} more not shown)" if hidden else ""))
    if not shown:
        ax.text(0.5, 0.5, "No releases", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    rows = list(range(len(shown)))
    shares = [r.shares() for r in shown]
    left = [0.0] * len(shown)
    for index, (label, color) in enumerate(
        (
            ("Done", CATEGORY_COLORS["done"]),
            ("In progress", CATEGORY_COLORS["in_progress"]),
            ("To do", CATEGORY_COLORS["todo"]),
        )
    ):
        widths = [100.0 * s[index] for s in shares]
        ax.barh(rows, widths, left=left, color=color, label=label, height=0.7)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(rows, [r.key for r in shown], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(len(shown) - 0.5, -0.5)  # most at risk on top
    # The verdicts as right-hand tick labels, so the layout makes room for them.
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    notes = []
    for release in shown:
        p85 = "-" if release.forecast_p85 is None else release.forecast_p85.isoformat()
        notes.append(f"{release.verdict.replace('_', ' ')}, P85 {p85}")
    right.set_yticks(rows, notes, fontsize=7)
    for axis in (ax, right):
        for tick, release in zip(axis.get_yticklabels(), shown, strict=True):
            tick.set_color(VERDICT_COLORS[release.verdict])
    ax.set_xlabel("% of work (points where every item has points, else items)")
    # Outside the axes, below them: constrained layout then keeps it clear of the axis label.
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return fig
