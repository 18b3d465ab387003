"""The train forecast chart draws what ``portfolio_forecast`` computed."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.charts.style import day_number
from relplan.charts.train_forecast import most_critical, train_forecast_figure
from relplan.domain.model import Dependency, Plan, Release, Team, Train, WorkItem
from relplan.planning.portfolio_forecast import portfolio_forecast

TODAY = dt.date(2026, 11, 30)


def _plan() -> Plan:
    def day(n: int) -> dt.date:
        return TODAY + dt.timedelta(days=n)

    done = [
        WorkItem(
            f"D{w}-{n}",
            "d",
            team="T",
            category="done",
            resolved=dt.datetime.combine(day(-7 * w), dt.time(12), dt.UTC),
        )
        for w in range(12)
        for n in range(2 if w % 2 else 0)
    ]
    return Plan(
        teams=(Team("T", "T"),),
        trains=(Train("Q1", "Q1", target=day(20)),),
        releases=(
            Release("A", "A", "T", train="Q1", start=day(1), target=day(10)),
            Release("B", "B", "T", train="Q1", start=day(12), target=day(18)),
        ),
        dependencies=(Dependency("release:A", "release:B"),),
        work_items=tuple(done + [WorkItem(f"A-{n}", "o", team="T", release="A") for n in range(4)]),
    )


def test_chart_shows_the_train_distribution_target_and_critical_releases() -> None:
    forecast = portfolio_forecast(_plan(), today=TODAY, runs=400, seed=1, train="Q1")
    [odds] = forecast.trains
    fig = train_forecast_figure(forecast, "Q1")
    left, right = fig.axes
    heights = [p.get_height() for p in left.patches]
    assert abs(sum(heights) - 1.0) < 1e-9  # shares of runs
    lines = {line.get_label().split()[0]: line.get_xdata()[0] for line in left.get_lines()}
    assert lines["target"] == day_number(dt.date(2026, 12, 20))
    assert odds.p50 is not None
    assert lines["P50"] == day_number(odds.p50)
    top = most_critical(forecast)
    assert [t.get_text() for t in right.get_yticklabels()] == [k for k, _ in reversed(top)]
    assert top[0][1] == max(r.criticality or 0 for r in forecast.releases)


def test_chart_without_figures_says_so() -> None:
    forecast = portfolio_forecast(_plan(), today=TODAY, runs=10, train="Q1")
    fig = train_forecast_figure(forecast, "NOPE")
    assert "No forecast for train NOPE" in fig.axes[0].texts[0].get_text()


def test_train_criticality_from_the_whole_plan_matches_a_forecast_of_that_train() -> None:
    from relplan.demo import generate
    from relplan.formats.workspace_json import parse_workspace

    today = dt.date(2026, 11, 27)
    plan = parse_workspace(generate("small", seed=1, today=today))
    whole = portfolio_forecast(plan, today=today, runs=300, seed=3, train_criticality=True)
    assert portfolio_forecast(plan, today=today, runs=10).train_criticality == {}
    assert set(whole.train_criticality) == set(whole.train_finish)
    assert whole.train_criticality
    for train, shares in whole.train_criticality.items():
        own = portfolio_forecast(plan, today=today, runs=300, seed=3, train=train)
        expected = {r.key: r.criticality for r in own.releases if r.criticality}
        assert dict(shares) == pytest.approx(expected)
        assert (whole.train_finish[train] == own.train_finish[train]).all()
        assert most_critical(whole, train=train) == most_critical(own)


def test_nearest_train_and_the_chart_for_each_case() -> None:
    from relplan.charts.train_forecast import train_chart_figure
    from relplan.metrics.dashboard import DashboardFilter, train_chart
    from relplan.metrics.train_forecast import TrainChart

    plan = _plan()
    picked = train_chart(plan, DashboardFilter(), TODAY, None)
    assert picked == TrainChart("Q1", None, picked=True)
    named = train_chart(plan, DashboardFilter(train="Q1"), TODAY, None)
    assert named == TrainChart("Q1", None, picked=False)
    text = train_chart_figure(picked).axes[0].texts[0].get_text()
    assert text == "Forecasting train Q1…"
    empty = train_chart(Plan(), DashboardFilter(), TODAY, None)
    assert "No train in this plan" in train_chart_figure(empty).axes[0].texts[0].get_text()
    forecast = portfolio_forecast(plan, today=TODAY, runs=50, train="Q1")
    fig = train_chart_figure(TrainChart("Q1", forecast, picked=True))
    assert fig.get_suptitle().startswith("Train Q1 forecast (nearest its target")
    assert train_chart_figure(TrainChart("Q1", forecast)).get_suptitle() == ""


@pytest.mark.parametrize(
    "name", ["relplan.metrics.train_forecast", "relplan.layout.timeline_level"]
)
def test_examples_pass(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
