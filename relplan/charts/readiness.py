"""The readiness overview: one stacked bar per release (done, in progress, to do), by risk.

With many releases (the large demo has 2,000) only the most urgent are drawn, one row each at a
fixed height per row, so labels never overlap; the rest are counted under the title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from matplotlib.figure import Figure

from relplan.charts.style import (
    CATEGORY_COLORS,
    SMALL_PT,
    TITLE_PT,
    VERDICT_COLORS,
    Size,
    is_compact,
    new_figure,
)
from relplan.planning.readiness import VERDICTS, ReleaseReadiness, risk_order
from relplan.planning.wording import verdict_words

__all__ = ["DEFAULT_LIMIT", "readiness_figure", "readiness_note", "rows_that_fit"]

#: Bars shown at most; the rest are counted in the title.
DEFAULT_LIMIT = 30
#: Inches per bar: room for an 8-point label and its neighbours' (no overlap).
_ROW_INCHES = 0.27
#: Inches per bar in a chart of a given size: an 8-point label (0.11 in) and a gap.
_TIGHT_ROW_INCHES = 0.17
#: Inches of a small chart that are not bars: title, x ticks, one-line axis label, legend, pads.
_FRAME_INCHES = 1.0


def rows_that_fit(height_in: float) -> int:
    """How many bars a readiness chart ``height_in`` inches tall shows with apart labels.

    >>> rows_that_fit(2.0), rows_that_fit(6.0)
    (5, 29)
    """
    return max(1, int((height_in - _FRAME_INCHES) / _TIGHT_ROW_INCHES))


def readiness_note(release: ReleaseReadiness) -> str:
    """The right-hand note of a bar: the verdict for people and the P85 finish or status.

    Examples:
        >>> import datetime as dt
        >>> from relplan.planning.readiness import readiness_of
        >>> from relplan.domain.model import Plan, Release
        >>> plan = Plan(releases=(Release("A", "A", "T", status="released"),))
        >>> readiness_note(readiness_of(plan, today=dt.date(2026, 11, 1)).releases[0])
        'released'
    """
    if release.verdict in ("released", "cancelled"):
        return verdict_words(release.verdict)
    p85 = "no forecast" if release.forecast_p85 is None else f"P85 {release.forecast_p85}"
    return f"{verdict_words(release.verdict)}, {p85}"


def readiness_figure(
    releases: Iterable[ReleaseReadiness],
    *,
    limit: int = DEFAULT_LIMIT,
    title: str = "Readiness",
    size: Size | None = None,
) -> Figure:
    """Plot readiness across releases, the most urgent on top.

    Each bar is 100 % wide and stacks the done, in-progress and to-do shares (bar containers
    labelled ``Done``, ``In progress``, ``To do``), in the unit of ``percent_done``. The label of
    each bar is the release key, coloured by its verdict; the right-hand axis (the figure's
    second axes) names the verdict and the P85 finish. Released and cancelled releases sort
    last, so they show only when there is room.

    Args:
        releases: The releases (any order; sorted by :func:`risk_order` here).
        limit: Show at most this many.
        title: The chart's title.
        size: The figure's size in inches (default: as tall as its bars need). A given size
            shows at most the bars that fit it (:func:`rows_that_fit`), and below 6 x 4 inches
            the axis label is one line.

    Returns:
        A new figure with one axes (two with bars).
    """
    ordered = sorted(releases, key=risk_order)
    if size is not None:
        limit = min(limit, rows_that_fit(size[1]))
    compact = is_compact(size, 6.0, 4.0)
    shown = ordered[: max(limit, 0)]
    hidden = len(ordered) - len(shown)
    fig = new_figure(8.0, max(2.5, _ROW_INCHES * len(shown) + 2.0), size)
    ax = fig.add_subplot()
    more = f" ({hidden} more not shown)" if hidden else ""
    ax.set_title(title + more, fontsize=TITLE_PT if compact else None)
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
    ax.set_yticks(rows, [r.key for r in shown], fontsize=SMALL_PT)
    ax.set_xlim(0, 100)
    ax.set_ylim(len(shown) - 0.5, -0.5)  # most urgent on top
    # The verdicts as right-hand tick labels, so the layout makes room for them.
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(rows, [readiness_note(r) for r in shown], fontsize=SMALL_PT)
    for axis in (ax, right):
        for tick, release in zip(axis.get_yticklabels(), shown, strict=True):
            tick.set_color(VERDICT_COLORS.get(release.verdict, "black"))
    counts = Counter(r.verdict for r in ordered)
    totals = " · ".join(f"{counts[v]} {verdict_words(v)}" for v in VERDICTS if counts[v])
    summary = f"All {len(ordered)}: {totals}"
    if compact:
        ax.set_xlabel(f"% of work · {summary}", fontsize=SMALL_PT)
        ax.tick_params(axis="x", labelsize=SMALL_PT)
    else:
        ax.set_xlabel(f"% of work (points where every item has points, else items)\n{summary}")
    # Outside the axes, below them: constrained layout then keeps it clear of the axis label.
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=3, fontsize=SMALL_PT, frameon=False
    )
    return fig
