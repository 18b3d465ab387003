"""The Dashboard's train forecast page in the real window: drawn from the one portfolio forecast
the On time column uses, for the filter's train (else the train nearest its target)."""

from __future__ import annotations

from typing import Any

import pytest

from relplan.metrics.train_forecast import nearest_train
from relplan.planning import portfolio_forecast as module
from relplan.planning.portfolio_forecast import portfolio_forecast
from relplan.ui.main_window import MainWindow
from relplan.ui.views.dashboard import DashboardView
from tests.ui.conftest import DEMO_TODAY


def _train_title(view: DashboardView) -> str:
    figure = view.figure("train-forecast")
    assert figure is not None
    return str(figure.axes[0].get_title())


def test_the_train_forecast_follows_the_filter_from_one_forecast(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str | None] = []
    real = module.portfolio_forecast

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("train"))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "portfolio_forecast", spy)
    window.on_time.request()  # a forecast that the spy sees
    qtbot.waitUntil(lambda: bool(calls) and window.runner.idle, timeout=30_000)
    window.show_view("Dashboard")
    view = window.dashboard.view
    assert isinstance(view, DashboardView)
    qtbot.waitUntil(lambda: view.forecast_shown() and window.runner.idle, timeout=30_000)
    plan = window.session.workspace.plan()
    expected = portfolio_forecast(plan, today=DEMO_TODAY)
    picked = nearest_train(plan.trains, DEMO_TODAY)
    assert picked is not None
    odds = {t.key: t for t in expected.trains}
    assert view.result is not None
    chart = view.result.data.train_chart
    assert (chart.train, chart.picked) == (picked, True)
    # Drawn when its page is shown (the first page's four charts fill the window).
    assert view.figure("train-forecast") is None
    view.pages.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.runner.idle and view.charts_fit(), timeout=30_000)
    figure = view.figure("train-forecast")
    assert figure is not None
    assert "nearest its target" in figure.get_suptitle()
    share = odds[picked].p_on_time
    assert share is not None
    assert _train_title(view) == f"Train {picked} finish: {share:.0%} on time"
    assert view.pages.tabText(1) == f"Train forecast: {picked}, {share:.0%} on time"
    # Another train in the filter bar: its chart, from the same forecast (no new run).
    runs = len(calls)
    other = next(t.key for t in plan.trains if t.key != picked)
    bar = window.filter_bar
    with qtbot.waitSignal(view.result_shown, timeout=30_000):
        bar.train_filter.setCurrentIndex(bar.train_filter.findData(other))
    qtbot.waitUntil(lambda: window.runner.idle and view.charts_fit(), timeout=30_000)
    assert view.result is not None
    assert view.result.data.train_chart.train == other
    assert not view.result.data.train_chart.picked
    other_share = odds[other].p_on_time
    assert other_share is not None
    assert _train_title(view) == f"Train {other} finish: {other_share:.0%} on time"
    assert view.figure("train-forecast").get_suptitle() == ""  # type: ignore[union-attr]
    assert len(calls) == runs
    # The five most critical releases for that train, as `forecast --train` ranks them.
    own = portfolio_forecast(plan, today=DEMO_TODAY, train=other)
    top = sorted(
        ((r.key, r.criticality) for r in own.releases if r.criticality),
        key=lambda kc: (-kc[1], kc[0]),
    )[:5]
    right = view.figure("train-forecast").axes[1]  # type: ignore[union-attr]
    labels = [t.get_text() for t in right.get_yticklabels()]
    assert labels == [k for k, _ in reversed(top)]
    # Its own page: drawn for the page's pixels, one to one.
    panel = view.panels["train-forecast"].canvas
    assert panel.image is not None
    assert panel.image.size() == panel.size()
