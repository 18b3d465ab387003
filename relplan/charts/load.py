"""The release-load heat map: releases per environment and week, crowded weeks outlined."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from relplan.charts.style import new_figure
from relplan.metrics.load import ReleaseLoad

__all__ = ["load_figure"]


def load_figure(load: ReleaseLoad, *, title: str = "Release load per week") -> Figure:
    """Plot releases per environment (rows) and week (columns) as a heat map.

    Environments differ in capacity, so the colour is the week's busiest day over the
    environment's capacity (the image's array is ``load.peak / capacity``): a full environment is
    1, whatever its size. Each cell is labelled with its count of releases (``load.counts``), and
    the cells of crowded weeks (a day over capacity) are outlined in red (patches with gid
    ``crowded``).

    Args:
        load: The counts (:func:`~relplan.metrics.load.release_load`).
        title: The chart's title.

    Returns:
        A new figure with the heat map and its colour bar.
    """
    n_envs, n_weeks = load.counts.shape
    fig = new_figure(max(6.0, 0.42 * n_weeks + 2.5), max(2.4, 0.55 * n_envs + 1.6))
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=10)
    if n_envs == 0:
        ax.text(0.5, 0.5, "No environments", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    share = load.peak / np.maximum(np.asarray(load.capacities, dtype=np.float64), 1.0)[:, None]
    vmax = max(1.5, float(share.max()))
    image = ax.imshow(share, cmap="YlOrRd", vmin=0.0, vmax=vmax, aspect="auto")
    fig.colorbar(image, ax=ax, label="busiest day / capacity", shrink=0.9)
    crowded = load.crowded
    for e in range(n_envs):
        for w in range(n_weeks):
            count = int(load.counts[e, w])
            if count:
                dark = share[e, w] > 0.6 * vmax
                ax.text(w, e, str(count), ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")  # fmt: skip
            if crowded[e, w]:
                box = Rectangle((w - 0.5, e - 0.5), 1, 1, fill=False, edgecolor="#b2182b",
                                linewidth=2)  # fmt: skip
                box.set_gid("crowded")
                ax.add_patch(box)
    labels = [f"{d:%d %b}" for d in load.weeks]
    step = max(1, n_weeks // 16)
    ax.set_xticks(range(0, n_weeks, step), labels[::step], rotation=45, ha="right", fontsize=7)
    ax.set_yticks(
        range(n_envs),
        [
            f"{name} (cap {cap})"
            for name, cap in zip(load.environments, load.capacities, strict=True)
        ],
        fontsize=8,
    )
    ax.set_xlabel("week starting")
    return fig
