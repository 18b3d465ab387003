"""The release-load heat map: releases per environment and week, crowded weeks outlined."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from relplan.charts.style import SMALL_PT, TITLE_PT, Size, is_compact, new_figure
from relplan.metrics.load import ReleaseLoad

__all__ = ["load_figure"]

#: Inches an 8-point week label ("04 May") needs, with a gap, when not rotated.
_LABEL_INCHES = 0.5
#: Inches a cell needs (wide, tall) to hold an 8-point count of up to three digits.
_CELL_INCHES = (0.24, 0.17)
#: Inches of a chart that are not cells, besides the environment labels: colour bar and pads
#: (wide); title, week labels and pads (tall).
_FRAME_INCHES = (1.1, 0.75)
#: Inches per character of an 8-point environment label.
_CHAR_INCHES = 0.07


def load_figure(
    load: ReleaseLoad, *, title: str = "Release load per week", size: Size | None = None
) -> Figure:
    """Plot releases per environment (rows) and week (columns) as a heat map.

    Environments differ in capacity, so the colour is the week's busiest day over the
    environment's capacity (the image's array is ``load.peak / capacity``): a full environment is
    1, whatever its size. Each cell is labelled with its count of releases (``load.counts``), and
    the cells of crowded weeks (a day over capacity) are outlined in red (patches with gid
    ``crowded``).

    Args:
        load: The counts (:func:`~relplan.metrics.load.release_load`).
        title: The chart's title.
        size: The figure's size in inches (default: wide enough for every week). A chart of a
            given size labels every few weeks, unrotated, so labels never collide, and counts
            cells only when a count fits in them; below 6 x 3.5 inches the axis label goes.

    Returns:
        A new figure with the heat map and its colour bar.
    """
    n_envs, n_weeks = load.counts.shape
    fig = new_figure(max(6.0, 0.42 * n_weeks + 2.5), max(2.4, 0.55 * n_envs + 1.6), size)
    compact = is_compact(size, 6.0, 3.5)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=TITLE_PT if compact else 10)
    if n_envs == 0:
        ax.text(0.5, 0.5, "No environments", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    share = load.peak / np.maximum(np.asarray(load.capacities, dtype=np.float64), 1.0)[:, None]
    vmax = max(1.5, float(share.max()))
    image = ax.imshow(share, cmap="YlOrRd", vmin=0.0, vmax=vmax, aspect="auto")
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label("busiest day / capacity", fontsize=SMALL_PT)
    bar.ax.tick_params(labelsize=SMALL_PT)
    names = [
        f"{name} (cap {cap})" for name, cap in zip(load.environments, load.capacities, strict=True)
    ]
    width_in, height_in = fig.get_size_inches()
    frame_w = _FRAME_INCHES[0] + _CHAR_INCHES * max(len(n) for n in names)
    cell_w = (width_in - frame_w) / max(n_weeks, 1)
    cell_h = (height_in - _FRAME_INCHES[1]) / max(n_envs, 1)
    counted = size is None or (cell_w >= _CELL_INCHES[0] and cell_h >= _CELL_INCHES[1])
    crowded = load.crowded
    for e in range(n_envs):
        for w in range(n_weeks):
            count = int(load.counts[e, w])
            if count and counted:
                dark = share[e, w] > 0.6 * vmax
                ax.text(w, e, str(count), ha="center", va="center", fontsize=SMALL_PT,
                        color="white" if dark else "black")  # fmt: skip
            if crowded[e, w]:
                box = Rectangle((w - 0.5, e - 0.5), 1, 1, fill=False, edgecolor="#b2182b",
                                linewidth=2)  # fmt: skip
                box.set_gid("crowded")
                ax.add_patch(box)
    labels = [f"{d:%d %b}" for d in load.weeks]
    if size is None:
        step = max(1, n_weeks // 16)
        ax.set_xticks(range(0, n_weeks, step), labels[::step], rotation=45, ha="right",
                      fontsize=SMALL_PT)  # fmt: skip
    else:
        step = max(1, math.ceil(_LABEL_INCHES / max(cell_w, 0.01)))
        ax.set_xticks(range(0, n_weeks, step), labels[::step], fontsize=SMALL_PT)
    ax.set_yticks(range(n_envs), names, fontsize=SMALL_PT)
    if not compact:
        ax.set_xlabel("week starting")
    return fig
