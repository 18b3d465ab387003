"""The Dashboard in the window: it fits 1280 x 760 with the Problems panel docked, draws each
chart for its panel, lists what the readiness chart has no room for, and counts as the status
bar does."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QApplication

from relplan.metrics.dashboard import open_releases
from relplan.ui.dialogs.readiness_list import ReadinessListDialog
from relplan.ui.main_window import MainWindow
from relplan.ui.views.dashboard import GRID_CHARTS, MIN_CHART, DashboardView


def _dashboard(qtbot: Any, window: MainWindow) -> DashboardView:
    window.show_view("Dashboard")
    view = window.dashboard.view
    assert isinstance(view, DashboardView)
    qtbot.waitUntil(lambda: view.charts_fit() and window.runner.idle, timeout=30_000)
    return view


def test_the_dashboard_fits_1280x760_with_the_problems_panel(
    qtbot: Any, window: MainWindow
) -> None:
    window.resize(1280, 760)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1280, 760))
    assert window.problems_dock.isVisible()
    assert not window.problems_dock.isFloating()
    view = _dashboard(qtbot, window)
    QApplication.processEvents()
    area = view.chart_area
    assert not area.verticalScrollBar().isVisible()
    assert not area.horizontalScrollBar().isVisible()
    assert area.widget().height() <= area.viewport().height()
    grid = {name: panel for name, panel in view.panels.items() if name in GRID_CHARTS}
    assert len(grid) == 4
    for name, panel in grid.items():
        canvas = panel.canvas
        assert canvas.image is not None, name
        # Drawn for the panel's pixels, shown one to one: no scaling, so no tiny text.
        assert canvas.image.size() == canvas.size(), name
        assert canvas.width() >= MIN_CHART[0], name
        assert canvas.height() >= MIN_CHART[1], name
        assert panel.geometry().bottom() < area.viewport().height(), name
    # The train forecast has a page of its own, the whole dashboard's size.
    view.pages.setCurrentIndex(1)
    canvas = view.panels["train-forecast"].canvas
    qtbot.waitUntil(lambda: view.charts_fit() and window.runner.idle, timeout=30_000)
    assert canvas.image is not None
    assert canvas.image.size() == canvas.size()
    assert canvas.width() >= 2 * MIN_CHART[0]
    assert canvas.height() >= 2 * MIN_CHART[1]


def test_a_small_window_scrolls_instead_of_squeezing_the_charts(
    qtbot: Any, window: MainWindow
) -> None:
    window.resize(1280, 760)
    view = _dashboard(qtbot, window)
    assert not window.views_busy()
    with qtbot.waitSignal(view.charts_drawn, timeout=30_000):
        window.resize(900, 560)
        QApplication.processEvents()
        assert window.views_busy()  # benchmarks wait for the charts drawn at the new size
    qtbot.waitUntil(lambda: not window.views_busy() and window.runner.idle, timeout=30_000)
    assert view.chart_area.verticalScrollBar().isVisible()
    for name in GRID_CHARTS:
        panel = view.panels[name]
        assert panel.canvas.width() >= MIN_CHART[0]
        assert panel.canvas.height() >= MIN_CHART[1]
        assert panel.canvas.image is not None
        assert panel.canvas.image.size() == panel.canvas.size()


def test_all_open_releases_lists_what_the_readiness_chart_leaves_out(
    qtbot: Any, window: MainWindow
) -> None:
    window.resize(1280, 760)
    view = _dashboard(qtbot, window)
    assert view.result is not None
    figure = view.figure("readiness")
    assert figure is not None
    charted = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    everything = open_releases(view.result.data.readiness)
    assert len(charted) < len(everything)  # the panel has no room for all of them
    assert f"({len(everything) - len(charted)} more not shown)" in figure.axes[0].get_title()
    assert view.all_releases_button.isEnabled()
    view.all_releases_button.click()
    dialog = view.findChild(ReadinessListDialog)
    assert dialog is not None
    model = dialog.model
    assert model.rowCount() == len(everything)
    listed = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert listed[: len(charted)] == charted
    assert sorted(listed) == sorted(r.key for r in everything)
    assert f"the chart shows the first {len(charted)}" in dialog.summary.text()
    dialog.close()


def _shown(text: str) -> int:
    """The releases a count names: "40 releases", "Showing 9 of 40 releases", "9 releases, …"."""
    found = re.search(r"(?:Showing )?(\d+)(?: of \d+)? releases?", text)
    assert found is not None, text
    return int(found.group(1))


def test_the_dashboard_counts_the_releases_the_status_bar_counts(
    qtbot: Any, window: MainWindow
) -> None:
    view = _dashboard(qtbot, window)
    plan = window.model.total_count
    assert _shown(window.count_label.text()) == _shown(view.status.text()) == plan
    bar = window.filter_bar
    train = bar.train_filter.itemData(1)
    for team, train_key in (("PAY", None), (None, train), ("PAY", train), (None, None)):
        with qtbot.waitSignal(view.result_shown, timeout=30_000):
            bar.team_filter.setCurrentIndex(bar.team_filter.findData(team))
            bar.train_filter.setCurrentIndex(bar.train_filter.findData(train_key))
        qtbot.waitUntil(lambda: window.runner.idle and view.charts_fit(), timeout=30_000)
        assert view.result is not None
        flt = view.result.data.filter
        assert (flt.team, flt.train) == (team, train_key)
        charted = len(view.result.data.readiness.releases)
        assert _shown(window.count_label.text()) == charted, (team, train_key)
        assert _shown(view.status.text()) == charted


def test_the_window_and_the_dashboard_view_load_without_matplotlib() -> None:
    # Importing matplotlib takes ~1 s; the worker that draws the first charts does it, not the
    # GUI thread when the Dashboard is first shown.
    import subprocess
    import sys

    from relplan.charts.dashboard import CHARTS
    from relplan.ui.views.dashboard_charts import CHART_NAMES

    assert tuple(CHARTS) == CHART_NAMES
    code = (
        "import sys, relplan.ui.main_window, relplan.ui.views.dashboard; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
