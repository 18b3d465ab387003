"""The charts plot the analyses' numbers: asserted on lines, bars, images and patches."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from relplan.charts.burnup import burnup_figure
from relplan.charts.dashboard import CHARTS, chart_figure, save_figure
from relplan.charts.dora import PANELS, dora_figure
from relplan.charts.load import load_figure
from relplan.charts.readiness import readiness_figure
from relplan.charts.style import BAND_COLORS, VERDICT_COLORS, day_number, day_numbers
from relplan.errors import ValidationError
from relplan.metrics.benchmark import REPORT_2023, REPORT_2024, Report
from relplan.metrics.burnup import burnup_of
from relplan.metrics.dashboard import compute_dashboard
from relplan.metrics.dora import dora_weekly
from relplan.metrics.load import release_load
from relplan.metrics.scope import Window
from relplan.planning.readiness import readiness_of
from tests.unit.metrics.factories import TODAY, day, deploy, done_items, item, plan, rel


def _line(fig: Figure, label: str, axes: int = 0):  # type: ignore[no-untyped-def]
    (line,) = [ln for ln in fig.axes[axes].lines if ln.get_label() == label]
    return line


# --- burn-up -----------------------------------------------------------------------------------


def _burnup_plan(*, throughput: bool = True):  # type: ignore[no-untyped-def]
    # Without throughput nothing is done, not even in the release itself.
    done = "done" if throughput else "todo"
    return plan(
        [rel("A", start="2026-11-20", target="2026-12-10")],
        [
            item("A-1", "A", done, points=3, created="2026-11-18", resolved="2026-11-25"),
            item("A-2", "A", "todo", points=5, created="2026-11-22"),
            item("A-3", "A", "todo", points=2, created="2026-11-22"),
            *(done_items("P", "PAY", [1, 2] + [2] * 10) if throughput else ()),
        ],
    )


def test_burnup_lines_cone_and_target() -> None:
    p = _burnup_plan()
    a = readiness_of(p, today=TODAY).release("A")
    assert a is not None
    b = burnup_of(p, a, today=TODAY)
    fig = burnup_figure(b)
    done, scope = _line(fig, "Done"), _line(fig, "Scope")
    assert np.array_equal(done.get_xdata(), day_numbers(b.days))
    assert done.get_ydata()[-1] == 3.0
    assert scope.get_ydata()[0] == 3.0  # A-1 was created on the first day
    assert scope.get_ydata()[-1] == 10.0
    # Two items remain at 2 a week: exactly one week.
    p50 = _line(fig, "P50")
    assert p50.get_xdata() == pytest.approx([day_number(TODAY), day_number(day("2026-12-07"))])
    assert p50.get_ydata() == pytest.approx([3.0, 10.0])
    assert _line(fig, "Target").get_xdata() == pytest.approx([day_number(day("2026-12-10"))] * 2)
    (cone,) = [patch for patch in fig.axes[0].patches if patch.get_gid() == "cone"]
    xy = cone.get_xy()  # type: ignore[attr-defined]
    assert xy[0].tolist() == pytest.approx([day_number(TODAY), 3.0])
    assert fig.axes[0].get_title() == "A: burn-up (on track)"


def test_burnup_without_forecast_has_no_cone() -> None:
    p = _burnup_plan(throughput=False)
    a = readiness_of(p, today=TODAY).release("A")
    assert a is not None
    fig = burnup_figure(burnup_of(p, a, today=TODAY))
    labels = [ln.get_label() for ln in fig.axes[0].lines]
    assert "P50" not in labels
    assert not [patch for patch in fig.axes[0].patches if patch.get_gid() == "cone"]
    assert any("no forecast" in t.get_text() for t in fig.axes[0].texts)


# --- readiness ---------------------------------------------------------------------------------


def _readiness():  # type: ignore[no-untyped-def]
    p = plan(
        [
            rel("ON", target="2027-06-01"),
            rel("LATE", target="2026-11-01"),
            rel("DONE", gates=["approved"]),
        ],
        [
            item("ON-1", "ON", "done", points=1),
            item("ON-2", "ON", "in_progress", points=1),
            item("ON-3", "ON", "todo", points=2),
            item("LATE-1", "LATE", "todo"),
            item("DONE-1", "DONE", "done"),
            *done_items("P", "PAY", [1] * 12),
        ],
    )
    return readiness_of(p, today=TODAY)


def test_readiness_bars_are_the_shares_sorted_by_risk() -> None:
    fig = readiness_figure(_readiness().releases)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["LATE", "ON", "DONE"]
    done, progress, todo = ax.containers
    assert done.get_label() == "Done"
    assert [bar.get_width() for bar in done] == pytest.approx([0.0, 25.0, 100.0])
    assert [bar.get_width() for bar in progress] == pytest.approx([0.0, 25.0, 0.0])
    assert [bar.get_width() for bar in todo] == pytest.approx([100.0, 50.0, 0.0])
    assert [bar.get_x() for bar in todo] == pytest.approx([0.0, 50.0, 100.0])
    colors = [t.get_color() for t in ax.get_yticklabels()]
    assert colors == [VERDICT_COLORS["late"], VERDICT_COLORS["on_track"], VERDICT_COLORS["ready"]]
    notes = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert notes[0] == "late, P85 2026-12-07"
    assert notes[1].startswith("on track, P85")


def test_readiness_limit_and_empty() -> None:
    fig = readiness_figure(_readiness().releases, limit=2)
    assert fig.axes[0].get_title() == "Readiness (1 more not shown)"
    assert len(fig.axes[0].containers[0]) == 2
    fig = readiness_figure([])
    assert fig.axes[0].texts[0].get_text() == "No releases"


def test_readiness_chart_spells_verdicts_and_puts_released_and_cancelled_last() -> None:
    p = plan(
        [
            rel("LATE", target="2026-11-01"),
            rel("OLD", status="released", target="2026-10-01"),
            rel("GONE", status="cancelled"),
        ],
        [item("LATE-1", "LATE"), *done_items("P", "PAY", [1] * 12)],
    )
    fig = readiness_figure(readiness_of(p, today=TODAY).releases)
    ax, right = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["LATE", "OLD", "GONE"]
    assert [t.get_text() for t in right.get_yticklabels()] == [
        "late, P85 2026-12-07",
        "released",
        "cancelled",
    ]
    assert ax.get_yticklabels()[1].get_color() == VERDICT_COLORS["released"]
    assert "All 3: 1 late · 1 released · 1 cancelled" in ax.get_xlabel()


def test_readiness_chart_of_2000_releases_shows_the_most_urgent_without_overlap() -> None:
    releases = [
        rel(f"R{n:04d}", target="2027-01-01" if n % 3 else "2026-11-01") for n in range(2000)
    ]
    items = [item(f"I{n}", f"R{n:04d}") for n in range(2000)]
    readiness = readiness_of(
        plan(releases, [*items, *done_items("P", "PAY", [40] * 12)]), today=TODAY
    )
    fig = readiness_figure(readiness.releases)
    ax = fig.axes[0]
    assert ax.get_title() == "Readiness (1970 more not shown)"
    labels = ax.get_yticklabels()
    assert len(labels) == 30
    assert {r.verdict for r in readiness.by_risk()[:30]} == {"late"}
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for axis in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in axis.get_yticklabels()]
        for upper, lower in itertools.pairwise(boxes):
            assert not upper.overlaps(lower)


# --- DORA --------------------------------------------------------------------------------------


def test_dora_panels_plot_the_weekly_values_over_their_bands() -> None:
    p = plan(
        [rel("R")],
        deployments=[
            deploy("R", "2026-11-01T12:00:00Z", "failed", restored="2026-11-01T14:00:00Z"),
            deploy("R", "2026-11-03T12:00:00Z", changes=[("c", "2026-11-02T12:00:00Z")]),
            deploy("R", "2026-11-30T12:00:00Z"),
        ],
    )
    weekly = dora_weekly(p, window=Window(day("2026-11-01"), day("2026-11-30")))
    fig = dora_figure(weekly)
    assert len(fig.axes) == 4
    freq, lead, cfr, ttr = fig.axes
    ends = day_numbers([day(d) for d in ("2026-11-02", "2026-11-09", "2026-11-16",
                                          "2026-11-23", "2026-11-30")])  # fmt: skip
    weekly_line = _line(fig, "weekly", 0)
    assert np.array_equal(weekly_line.get_xdata(), ends)
    assert weekly_line.get_ydata() == pytest.approx([3.5, 1.0, 0.0, 0.0, 1.0])
    cfr_values = _line(fig, "weekly", 2).get_ydata()
    assert cfr_values[0] == 100.0
    assert np.isnan(cfr_values[2])
    assert _line(fig, "current", 2).get_ydata() == pytest.approx([100 / 3] * 2)
    assert _line(fig, "current", 1).get_ydata() == pytest.approx([24.0] * 2)
    bands = {patch.get_gid(): patch for patch in cfr.patches}
    assert set(bands) == {"band:elite", "band:high", "band:medium", "band:low"}
    assert bands["band:elite"].get_facecolor()[:3] == pytest.approx(
        tuple(int(BAND_COLORS["elite"][i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    assert freq.get_title() == "Deployment frequency: 0.70/week (medium)"
    assert lead.get_title() == "Lead time for changes: 24.0 h (elite)"
    assert cfr.get_title() == "Change failure rate: 33.3% (low)"
    assert ttr.get_title() == "Time to restore: 2.0 h (high)"
    assert PANELS[0].title == "Deployment frequency"


@pytest.mark.parametrize("report", [REPORT_2023, REPORT_2024])
def test_dora_bands_drawn_are_those_of_the_report_that_rated_the_figures(report: Report) -> None:
    p = plan(
        [rel("R")],
        deployments=[
            deploy("R", "2026-11-03T12:00:00Z", "failed"),
            deploy("R", "2026-11-05T12:00:00Z"),
        ],
    )
    weekly = dora_weekly(p, window=Window(day("2026-11-01"), day("2026-11-30")), report=report)
    fig = dora_figure(weekly)
    assert fig.legends[0].get_title().get_text() == f"bands: {report.name}"
    cfr = fig.axes[2]
    spans = {patch.get_gid(): patch for patch in cfr.patches}
    top = cfr.get_ylim()[1]
    for name, low, high in report.failure_rate.cuts():
        span = spans[f"band:{name}"]
        assert isinstance(span, Rectangle)
        assert span.get_y() == pytest.approx(100 * low)
        assert span.get_y() + span.get_height() == pytest.approx(min(100 * high, top))
    # 50 % failed is "low" by either report, and the title says so
    assert cfr.get_title() == "Change failure rate: 50.0% (low)"


def test_out_of_order_cut_offs_leave_a_band_empty() -> None:
    cuts = {name: (low, high) for name, low, high in REPORT_2024.failure_rate.cuts()}
    assert cuts["high"] == (0.05, 0.20)
    assert cuts["medium"] == (0.20, 0.20)  # empty: 5-20 % is high, more is low
    assert cuts["low"][0] == 0.20
    assert REPORT_2024.failure_rate.band(0.15) == "high"
    assert REPORT_2024.failure_rate.band(0.25) == "low"


def test_dora_empty_window_has_no_data_titles() -> None:
    weekly = dora_weekly(plan([rel("R")]), window=Window(day("2026-11-01"), day("2026-11-01")))
    fig = dora_figure(weekly)
    assert fig.axes[1].get_title() == "Lead time for changes: - (no data)"
    assert np.isnan(_line(fig, "weekly", 1).get_ydata()).all()


# --- load --------------------------------------------------------------------------------------


def test_load_heat_map_image_labels_and_crowded_cells() -> None:
    p = plan(
        [
            rel("A", stages=[("Staging", "2026-11-30", "2026-12-02")]),
            rel("B", stages=[("Staging", "2026-12-01", "2026-12-08")]),
        ],
        environments=[("Staging", 2), ("Production", 1)],
    )
    load = release_load(p, window=Window(day("2026-11-30"), day("2026-12-13")))
    fig = load_figure(load)
    ax = fig.axes[0]
    image = ax.images[0].get_array()
    assert np.asarray(image).tolist() == [[1.0, 0.5], [0.0, 0.0]]  # busiest day / capacity
    assert sorted((t.get_position(), t.get_text()) for t in ax.texts) == [
        ((0, 0), "2"),
        ((1, 0), "1"),
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Staging (cap 2)", "Production (cap 1)"]
    assert not [patch for patch in ax.patches if patch.get_gid() == "crowded"]
    crowded = release_load(
        plan(p.releases, environments=[("Staging", 1)]),
        window=Window(day("2026-11-30"), day("2026-12-13")),
    )
    boxes = [pt for pt in load_figure(crowded).axes[0].patches if pt.get_gid() == "crowded"]
    assert [box.get_xy() for box in boxes] == [(-0.5, -0.5)]  # type: ignore[attr-defined]


# --- the dashboard's charts and export ----------------------------------------------------------


def test_every_chart_renders_and_saves(tmp_path: Path) -> None:
    p = plan(
        [rel("A", stages=[("Production", "2026-12-01", "2026-12-02")])],
        [item("A-1", "A"), *done_items("P", "PAY", [1] * 12)],
        deployments=[deploy("A", "2026-11-20T12:00:00Z")],
    )
    data = compute_dashboard(p, today=TODAY)
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for name in CHARTS:
        fig = chart_figure(name, data)
        for fmt, head in magic.items():
            path = tmp_path / f"{name}.{fmt}"
            size = save_figure(fig, path)
            assert size == path.stat().st_size > 0
            assert path.read_bytes().startswith(head)
    with pytest.raises(ValidationError, match="cannot write a chart as 'gif'"):
        save_figure(chart_figure("load", data), tmp_path / "x.gif")


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_output_is_stable(tmp_path: Path, fmt: str) -> None:
    data = compute_dashboard(plan([rel("A")]), today=TODAY)
    first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
    save_figure(chart_figure("readiness", data), first)
    save_figure(chart_figure("readiness", data), second)
    assert first.read_bytes() == second.read_bytes()
