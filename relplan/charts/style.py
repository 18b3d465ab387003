"""Colours and sizes shared by the charts, so every chart speaks the same visual language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from matplotlib import dates as mdates
from matplotlib.axis import Axis
from matplotlib.figure import Figure

__all__ = [
    "BAND_ALPHA",
    "BAND_COLORS",
    "CATEGORY_COLORS",
    "SCREEN_DPI",
    "SMALL_PT",
    "TITLE_PT",
    "VERDICT_COLORS",
    "Size",
    "date_axis",
    "day_number",
    "day_numbers",
    "is_compact",
    "new_figure",
]

#: A figure's size in inches (width, height); None: the chart's own size, the one exports use.
Size = tuple[float, float]
#: Pixels per inch the window draws its charts at: a size of ``(px / SCREEN_DPI, ...)`` inches
#: fills ``px`` pixels.
SCREEN_DPI: Final = 96.0
#: The smallest text in a chart (tick labels, legends, notes), readable at :data:`SCREEN_DPI`.
SMALL_PT: Final = 8.0
#: Axes titles.
TITLE_PT: Final = 9.0

#: Readiness verdicts (colour-blind-safe tableau colours).
VERDICT_COLORS: Final = {
    "ready": "#2ca02c",
    "on_track": "#1f77b4",
    "at_risk": "#ff7f0e",
    "late": "#d62728",
    "released": "#7f7f7f",
    "cancelled": "#bcbd22",
}
#: Work-item status categories, as the readiness bars stack them.
CATEGORY_COLORS: Final = {"done": "#2ca02c", "in_progress": "#1f77b4", "todo": "#c7c7c7"}
#: DORA bands, shaded behind the metrics.
BAND_COLORS: Final = {
    "elite": "#1a9850",
    "high": "#91cf60",
    "medium": "#fee08b",
    "low": "#fc8d59",
}
BAND_ALPHA: Final = 0.3

# matplotlib.dates carries no annotations; these typed handles keep strict mypy honest.
_date2num: Callable[[dt.date], float] = mdates.date2num
_AutoDateLocator: Callable[..., Any] = mdates.AutoDateLocator
_ConciseDateFormatter: Callable[..., Any] = mdates.ConciseDateFormatter


def new_figure(width_in: float, height_in: float, size: Size | None = None) -> Figure:
    """A figure of this size in inches (or of ``size``), laid out by constrained layout.

    Built directly (no pyplot), so no global state and no backend choice; ``savefig`` picks the
    writer for the file's format. A figure of a given ``size`` is one the window draws at
    :data:`SCREEN_DPI`.
    """
    if size is not None:
        return Figure(figsize=size, dpi=SCREEN_DPI, layout="constrained")
    return Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")


def is_compact(size: Size | None, width_in: float, height_in: float) -> bool:
    """Whether a chart of ``size`` is smaller than ``width_in`` x ``height_in``, the size below
    which it drops what it can spare (long titles, offsets, some ticks) to stay readable."""
    return size is not None and (size[0] < width_in or size[1] < height_in)


def day_number(day: dt.date) -> float:
    """A calendar day as a matplotlib date number (days since 1970-01-01)."""
    return float(_date2num(day))


def day_numbers(days: Iterable[dt.date]) -> npt.NDArray[np.float64]:
    """Calendar days as matplotlib date numbers; charts plot these so tests can compare them."""
    return np.array([day_number(d) for d in days], dtype=np.float64)


def date_axis(axis: Axis, *, max_ticks: int | None = None) -> None:
    """Show date numbers on ``axis`` as concise dates.

    ``max_ticks`` (for small charts) caps the ticks and drops the offset line under them (the
    year and month the ticks share), which costs a row of text.
    """
    if max_ticks is None:
        locator = _AutoDateLocator()
        axis.set_major_locator(locator)
        axis.set_major_formatter(_ConciseDateFormatter(locator))
        return
    locator = _AutoDateLocator(minticks=2, maxticks=max_ticks)
    axis.set_major_locator(locator)
    axis.set_major_formatter(_ConciseDateFormatter(locator, show_offset=False))
