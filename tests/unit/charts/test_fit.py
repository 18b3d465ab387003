"""Charts drawn at a dashboard panel's size: every title, label and tick apart and inside.

The texts are measured on a drawn Agg canvas (``get_window_extent``), as a reader sees them.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from relplan.charts.dashboard import CHARTS, chart_figure
from relplan.charts.readiness import readiness_figure
from relplan.charts.style import SCREEN_DPI, SMALL_PT
from relplan.demo import generate
from relplan.formats.workspace_json import parse_workspace
from relplan.metrics.dashboard import DashboardData, compute_dashboard
from relplan.planning.readiness import readiness_of
from tests.unit.metrics.factories import TODAY, done_items, item, plan, rel

#: A dashboard panel at 1280x760 with the Problems panel docked, and the smallest (below it
#: the dashboard scrolls).
PANEL_SIZES = ((610, 195), (460, 190))


@pytest.fixture(scope="module")
def demo_data() -> DashboardData:
    """The small demo's dashboard (seed 1), as the window charts it."""
    document = generate("small", seed=1, today=TODAY)
    return compute_dashboard(parse_workspace(document), today=TODAY)


def _tick_labels(axis: Axis) -> list[Text]:
    """The tick labels drawn: those of ticks inside the axis' view (matplotlib keeps others)."""
    low, high = sorted(axis.get_view_interval())
    eps = 1e-9 * max(high - low, 1.0)
    labels: list[Text] = []
    for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
        if low - eps <= tick.get_loc() <= high + eps:
            labels += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    return labels


def _texts(fig: Figure) -> list[Text]:
    texts: list[Any] = list(fig.texts)
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        texts += [getattr(ax, f"_{side}_title") for side in ("left", "right")]
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_visible():
                axis.get_majorticklocs()  # the ticks of the drawn view
                texts += _tick_labels(axis)
        if (legend := ax.get_legend()) is not None:
            texts += [*legend.get_texts(), legend.get_title()]
    for legend in fig.legends:
        texts += [*legend.get_texts(), legend.get_title()]
    if (title := getattr(fig, "_suptitle", None)) is not None:
        texts.append(title)
    unique = {id(t): t for t in texts if t.get_visible() and t.get_text().strip()}
    return list(unique.values())


def _problems(fig: Figure, size: tuple[int, int]) -> list[str]:
    """Texts that overlap another or leave the figure, once drawn at ``size`` pixels."""
    fig.set_dpi(SCREEN_DPI)
    fig.set_size_inches(size[0] / SCREEN_DPI, size[1] / SCREEN_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer: RendererBase = canvas.get_renderer()
    width, height = canvas.get_width_height()
    boxes = [(t, t.get_window_extent(renderer)) for t in _texts(fig)]
    found = []
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        wide = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        tall = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if wide > 0.5 and tall > 0.5:  # a shared edge is no overlap
            found.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    for text, box in boxes:
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5:
            found.append(f"{text.get_text()!r} is cut off")
    return found


@pytest.mark.parametrize("name", ["dora", "load", "readiness", "burnup"])
@pytest.mark.parametrize("size", PANEL_SIZES)
def test_a_chart_at_panel_size_keeps_its_texts_apart_and_inside(
    demo_data: DashboardData, name: str, size: tuple[int, int]
) -> None:
    fig = chart_figure(name, demo_data, (size[0] / SCREEN_DPI, size[1] / SCREEN_DPI))
    assert _problems(fig, size) == []
    smallest = min(t.get_fontsize() for t in _texts(fig))
    assert smallest >= SMALL_PT


@pytest.mark.parametrize("name", list(CHARTS))
def test_a_chart_at_its_own_size_keeps_its_texts_apart(demo_data: DashboardData, name: str) -> None:
    fig = chart_figure(name, demo_data)
    width, height = (round(v * fig.get_dpi()) for v in fig.get_size_inches())
    assert _problems(fig, (width, height)) == []


def test_dora_titles_are_short_in_a_panel_and_whole_in_an_export(
    demo_data: DashboardData,
) -> None:
    small = chart_figure("dora", demo_data, (6.0, 2.0))
    assert small.axes[0].get_title().startswith("Deploys: ")
    assert not small.get_suptitle()
    whole = chart_figure("dora", demo_data)
    assert whole.axes[0].get_title().startswith("Deployment frequency: ")
    assert whole.get_suptitle().startswith("DORA metrics ")


def test_readiness_of_2000_releases_in_a_small_panel_shows_what_fits() -> None:
    releases = [
        rel(f"R{n:04d}", target="2027-01-01" if n % 3 else "2026-11-01") for n in range(2000)
    ]
    items = [item(f"I{n}", f"R{n:04d}") for n in range(2000)]
    readiness = readiness_of(
        plan(releases, [*items, *done_items("P", "PAY", [40] * 12)]), today=TODAY
    )
    size = (610, 195)
    fig = readiness_figure(readiness.releases, size=(size[0] / 96, size[1] / 96))
    shown = len(fig.axes[0].get_yticklabels())
    assert 4 <= shown < 30
    assert fig.axes[0].get_title() == f"Readiness ({2000 - shown} more not shown)"
    assert _problems(fig, size) == []
