"""The dashboard's charts by name, from one :class:`~relplan.metrics.dashboard.DashboardData`.

Shared by the window's dashboard and ``relplan export png|svg|pdf --chart NAME``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Final

from matplotlib import rc_context
from matplotlib.figure import Figure

from relplan.charts.burnup import burnup_figure
from relplan.charts.dora import dora_figure
from relplan.charts.load import load_figure
from relplan.charts.readiness import readiness_figure
from relplan.charts.style import Size, new_figure
from relplan.charts.train_forecast import train_chart_figure
from relplan.errors import Issue, ValidationError
from relplan.metrics.dashboard import DashboardData, open_releases

__all__ = ["CHARTS", "EXPORT_FORMATS", "chart_figure", "save_figure"]

#: ``savefig`` formats the dashboard and the command line write.
EXPORT_FORMATS: Final = ("png", "svg", "pdf")


def _burnup(data: DashboardData, size: Size | None = None) -> Figure:
    if data.burnup is None:
        fig = new_figure(7.0, 4.0, size)
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "No open release to chart", ha="center", va="center")
        ax.set_axis_off()
        return fig
    return burnup_figure(data.burnup, size=size)


def _readiness(data: DashboardData, size: Size | None = None) -> Figure:
    return readiness_figure(
        open_releases(data.readiness), title="Readiness of open releases", size=size
    )


def _dora(data: DashboardData, size: Size | None = None) -> Figure:
    return dora_figure(data.dora, size=size)


def _load(data: DashboardData, size: Size | None = None) -> Figure:
    return load_figure(data.load, size=size)


def _train_forecast(data: DashboardData, size: Size | None = None) -> Figure:
    return train_chart_figure(data.train_chart, size)


#: Chart name -> builder (the dashboard's data and a size in inches, None: the chart's own),
#: in the dashboard's order.
CHARTS: Final[dict[str, Callable[[DashboardData, Size | None], Figure]]] = {
    "burnup": _burnup,
    "readiness": _readiness,
    "dora": _dora,
    "load": _load,
    "train-forecast": _train_forecast,
}


def chart_figure(name: str, data: DashboardData, size: Size | None = None) -> Figure:
    """Build the chart ``name`` (a key of :data:`CHARTS`) from the dashboard's data.

    ``size`` (inches): the chart drawn to fit a dashboard panel (its own size otherwise, the
    one exports use).

    Raises:
        KeyError: no chart has this name.
    """
    return CHARTS[name](data, size)


def save_figure(figure: Figure, path: str | os.PathLike[str], fmt: str | None = None) -> int:
    """Write ``figure`` as PNG, SVG or PDF (by ``fmt``, else the file's suffix).

    Returns:
        The size of the file in bytes.

    Raises:
        ValidationError: the format is not one of :data:`EXPORT_FORMATS`.
    """
    file = Path(path)
    kind = (fmt or file.suffix.lstrip(".")).lower()
    if kind not in EXPORT_FORMATS:
        expected = ", ".join(EXPORT_FORMATS)
        raise ValidationError(
            [Issue(str(path), f"cannot write a chart as {kind!r}: use {expected}")]
        )
    # No creation date and a fixed id salt keep SVG/PDF output the same between runs.
    metadata: dict[str, str | None] | None = None
    if kind == "svg":
        metadata = {"Date": None}
    elif kind == "pdf":
        metadata = {"CreationDate": None}
    with rc_context({"svg.hashsalt": "relplan"}):
        figure.savefig(file, format=kind, dpi="figure", metadata=metadata)
    return file.stat().st_size
